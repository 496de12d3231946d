import { FargateProfileSelector } from '../src';
import { commonMatch, literalPrefix, literalSuffix, mayShareMatch, memoisedCommonMatch } from '../src/glob-patterns';
import { profileOverlaps } from '../src/profile-overlaps';
import { exhaustiveOverlaps } from './support/exhaustive-overlaps';
import { seededRandom } from './support/prng';

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/**
 * A namespace pattern built to stress the index: shared stems (so literal prefixes nest), `*` at
 * either or both ends and inside, `?`, and plain literals that equal another pattern's expansion.
 */
function randomNamespace(random: Random): string {
  const stems = ['', 'a', 'ab', 'team-', 'team-1', 'team-1-', 'b-', 'x'];
  const pieces = ['', 'a', 'b', '-', '1', '?', '*', 'ab', 'team-'];
  let pattern = pick(random, stems);
  for (let n = Math.floor(random() * 4); n > 0; n--) pattern += pick(random, pieces);
  if (random() < 0.3) pattern = '*' + pattern;
  if (random() < 0.3) pattern += '*';
  if (random() < 0.1) pattern += '?';
  return pattern === '' ? 'a' : pattern; // EKS requires a namespace
}

/** Labels: literal keys with literal values (the ones that separate), wildcard keys and values, the pin label. */
function randomLabels(random: Random): { [key: string]: string } | undefined {
  const keys = ['app', 'tier', 'team', 'team', 'app*', '*', '?ier', 't*m', 'eks.amazonaws.com/fargate-profile'];
  const values = ['a', 'b', 'ab', 'a*', '*b', '*', '?', '', 'b?', 'a*b'];
  const count = Math.floor(random() * 4);
  if (count === 0) return undefined;
  const labels: { [key: string]: string } = {};
  for (let n = 0; n < count; n++) labels[pick(random, keys)] = pick(random, values);
  return labels;
}

function randomProfiles(seed: number): FargateProfileSelector[][] {
  const random = seededRandom(seed);
  const profiles: FargateProfileSelector[][] = [];
  for (let p = 1 + Math.floor(random() * 12); p > 0; p--) {
    const selectors: FargateProfileSelector[] = [];
    for (let s = 1 + Math.floor(random() * 5); s > 0; s--) {
      // Now and then a selector repeated from an earlier profile, as identical patterns recur in real apps.
      const earlier = profiles.length > 0 && random() < 0.15 ? pick(random, pick(random, profiles)) : undefined;
      selectors.push(earlier ?? { namespace: randomNamespace(random), labels: randomLabels(random) });
    }
    profiles.push(selectors);
  }
  return profiles;
}

describe('profileOverlaps: the indexed search gives the exhaustive search\'s answer', () => {
  const seeds = Array.from({ length: 400 }, (_, i) => 1000 + i);

  test('on random selector sets (seeded): the same pairs, pods and order', () => {
    let pairs = 0;
    let overlapping = 0;
    for (const seed of seeds) {
      const profiles = randomProfiles(seed);
      const expected = exhaustiveOverlaps(profiles);
      // A failing seed is named in the message, to replay it.
      expect({ seed, overlaps: profileOverlaps(profiles) }).toEqual({ seed, overlaps: expected });
      pairs += (profiles.length * (profiles.length - 1)) / 2;
      overlapping += expected.length;
    }
    // The sets exercise both answers: many pairs overlap, and many do not.
    expect(overlapping).toBeGreaterThan(pairs * 0.2);
    expect(overlapping).toBeLessThan(pairs * 0.8);
  });

  test('disjoint by namespace ends and literal labels, overlapping where they agree', () => {
    const profiles: FargateProfileSelector[][] = [
      [{ namespace: 'team-1-*' }, { namespace: 'apps-*', labels: { team: 't1' } }],
      [{ namespace: 'team-2-*' }, { namespace: 'apps-*', labels: { team: 't2' } }],
      [{ namespace: 'svc-*-1' }, { namespace: 'apps-*', labels: { team: 't*' } }],
      [{ namespace: 'svc-*-11' }, { namespace: 'apps-x', labels: { 'team*': 't3', 'team': 't2' } }],
    ];
    expect(profileOverlaps(profiles)).toEqual([
      { earlier: 0, later: 2, pod: { namespace: 'apps-', labels: { team: 't1' } } },
      { earlier: 1, later: 2, pod: { namespace: 'apps-', labels: { team: 't2' } } },
      { earlier: 1, later: 3, pod: { namespace: 'apps-x', labels: { team: 't2', teamx: 't3' } } },
      { earlier: 2, later: 3, pod: { namespace: 'apps-x', labels: { team: 't2', teamx: 't3' } } },
    ]);
    expect(profileOverlaps(profiles)).toEqual(exhaustiveOverlaps(profiles));
  });

  test('a pinned pod does not count: the next selector pair gives the pod', () => {
    const pinned = { namespace: 'apps', labels: { 'eks.amazonaws.com/fargate-profile': 'a' } };
    const profiles = [[pinned, { namespace: 'apps', labels: { tier: 'web' } }], [{ namespace: 'app?' }]];
    expect(profileOverlaps(profiles)).toEqual([{ earlier: 0, later: 1, pod: { namespace: 'apps', labels: { tier: 'web' } } }]);
  });
});

describe('the cheap test that skips the search', () => {
  test.each([
    ['team-*', 'team-1'],
    ['*-web', 'prod-web'],
    ['team-1-*', 'team-2-*'],
    ['svc-*-1', 'svc-*-11'],
    ['a?c', 'abc'],
    ['a?c', 'abd'],
    ['*', ''],
  ])('never says "disjoint" of %s and %s when they share a match', (a, b) => {
    if (commonMatch([a, b]) !== undefined) expect(mayShareMatch(a, b)).toBe(true);
  });

  test('sound on random pattern pairs (seeded): "disjoint" only when commonMatch finds nothing', () => {
    const random = seededRandom(7);
    let skipped = 0;
    for (let i = 0; i < 3000; i++) {
      const a = randomNamespace(random);
      const b = randomNamespace(random);
      if (mayShareMatch(a, b)) continue;
      skipped++;
      expect({ a, b, common: commonMatch([a, b]) }).toEqual({ a, b, common: undefined });
    }
    expect(skipped).toBeGreaterThan(500); // it does skip
  });

  test.each([
    ['team-1-*', 'team-2-*'],
    ['svc-*-1', 'svc-*-11'],
    ['prod-*', 'dev-*'],
    ['a', 'b'],
    ['*-web', '*-api'],
  ])('tells %s and %s apart by their literal ends', (a, b) => {
    expect(mayShareMatch(a, b)).toBe(false);
  });

  test('literal ends: before the first and after the last wildcard', () => {
    expect([literalPrefix('team-?-*x'), literalSuffix('team-?-*x')]).toEqual(['team-', 'x']);
    expect([literalPrefix('apps'), literalSuffix('apps')]).toEqual(['apps', 'apps']);
    expect([literalPrefix('*'), literalSuffix('*')]).toEqual(['', '']);
  });

  test('the memoised search answers as commonMatch does', () => {
    const match = memoisedCommonMatch();
    const tuples = [['prod-*', '*-web'], ['a', 'b'], ['*', '?*'], ['prod-*', '*-web']];
    for (const tuple of tuples) expect(match(tuple)).toBe(commonMatch(tuple));
  });
});
