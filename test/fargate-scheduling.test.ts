import { FargatePod, FargateProfileSelection, FargateProfileSelector, FargateScheduling } from '../src';

const PIN = 'eks.amazonaws.com/fargate-profile';
const profile = (fargateProfileName: string, ...selectors: FargateProfileSelector[]): FargateProfileSelection =>
  ({ fargateProfileName, selectors });
const pod = (namespace: string, labels?: { [key: string]: string }): FargatePod => ({ namespace, labels });

type Row = [string, FargatePod, FargateProfileSelection[], string | undefined];

function table(rows: Row[]) {
  test.each(rows)('%s', (_name, thePod, profiles, expected) => {
    expect(FargateScheduling.profileFor(thePod, profiles)).toBe(expected);
  });
}

describe('wildcards in namespaces: `*` zero or more characters, `?` exactly one, anywhere', () => {
  table([
    ['literal', pod('apps'), [profile('p', { namespace: 'apps' })], 'p'],
    ['literal, other namespace', pod('apps2'), [profile('p', { namespace: 'apps' })], undefined],
    ['`*` at the start', pod('eu-prod'), [profile('p', { namespace: '*-prod' })], 'p'],
    ['`*` in the middle', pod('team-a-prod'), [profile('p', { namespace: 'team-*-prod' })], 'p'],
    ['`*` at the end', pod('prod-eu'), [profile('p', { namespace: 'prod-*' })], 'p'],
    ['`*` at both ends', pod('my-prod-eu'), [profile('p', { namespace: '*prod*' })], 'p'],
    ['`*` alone', pod('anything'), [profile('p', { namespace: '*' })], 'p'],
    ['`*` matches zero characters', pod('prod-'), [profile('p', { namespace: 'prod-*' })], 'p'],
    ['`*` does not skip a literal', pod('prod'), [profile('p', { namespace: 'prod-*' })], undefined],
    ['`?` at the start', pod('aprod'), [profile('p', { namespace: '?prod' })], 'p'],
    ['`?` in the middle', pod('pr0d'), [profile('p', { namespace: 'pr?d' })], 'p'],
    ['`?` at the end', pod('prod1'), [profile('p', { namespace: 'prod?' })], 'p'],
    ['`?` needs exactly one character, not zero', pod('prod'), [profile('p', { namespace: 'prod?' })], undefined],
    ['`?` needs exactly one character, not two', pod('prod12'), [profile('p', { namespace: 'prod?' })], undefined],
    ['`??` needs two', pod('prod12'), [profile('p', { namespace: 'prod??' })], 'p'],
    ['`?` and `*` together', pod('a-team-z'), [profile('p', { namespace: '?-*-?' })], 'p'],
    ['`?` and `*` together, too short', pod('a--'), [profile('p', { namespace: '?-*-?' })], undefined],
  ]);
});

describe('wildcards in label keys and values', () => {
  const web = (labels: { [key: string]: string }) => [profile('p', { namespace: 'apps', labels })];
  table([
    ['key `*` at the start', pod('apps', { 'team.example.com/tier': 'web' }), web({ '*/tier': 'web' }), 'p'],
    ['key `*` in the middle', pod('apps', { 'app.kubernetes.io/name': 'web' }), web({ 'app.*/name': 'web' }), 'p'],
    ['key `*` at the end', pod('apps', { 'tier-a': 'web' }), web({ 'tier*': 'web' }), 'p'],
    ['key `*` matches zero characters', pod('apps', { tier: 'web' }), web({ 'tier*': 'web' }), 'p'],
    ['key `?`', pod('apps', { tier1: 'web' }), web({ 'tier?': 'web' }), 'p'],
    ['key `?` needs one character', pod('apps', { tier: 'web' }), web({ 'tier?': 'web' }), undefined],
    ['value `*` at the start', pod('apps', { tier: 'eu-web' }), web({ tier: '*-web' }), 'p'],
    ['value `*` in the middle', pod('apps', { tier: 'web-eu-1' }), web({ tier: 'web-*-1' }), 'p'],
    ['value `*` at the end', pod('apps', { tier: 'web-2' }), web({ tier: 'web*' }), 'p'],
    ['value `*` matches an empty value', pod('apps', { tier: '' }), web({ tier: '*' }), 'p'],
    ['value `?`', pod('apps', { tier: 'web1' }), web({ tier: 'web?' }), 'p'],
    ['value `?` at the start', pod('apps', { tier: 'xweb' }), web({ tier: '?web' }), 'p'],
    ['value `?` needs one character', pod('apps', { tier: 'web' }), web({ tier: 'web?' }), undefined],
    ['regex characters are literal', pod('apps', { tierX: 'web' }), web({ 'tier.': 'web' }), undefined],
    ['key and value patterns must match one label', pod('apps', { tier: 'api', role: 'web' }), web({ 'ti*': 'web' }), undefined],
  ]);
});

describe('selectors: every selector label must match; extra pod labels are fine; any selector of a profile will do', () => {
  table([
    ['extra pod labels still match', pod('apps', { tier: 'web', team: 'a', version: '3' }),
      [profile('p', { namespace: 'apps', labels: { tier: 'web' } })], 'p'],
    ['a selector label missing from the pod', pod('apps', { team: 'a' }),
      [profile('p', { namespace: 'apps', labels: { tier: 'web' } })], undefined],
    ['one of two selector labels missing', pod('apps', { tier: 'web' }),
      [profile('p', { namespace: 'apps', labels: { tier: 'web', team: 'a' } })], undefined],
    ['a pod without labels, selector without labels', pod('apps'), [profile('p', { namespace: 'apps' })], 'p'],
    ['the second selector matches', pod('batch'),
      [profile('p', { namespace: 'apps' }, { namespace: 'batch' })], 'p'],
    ['no selector matches', pod('other'),
      [profile('p', { namespace: 'apps' }, { namespace: 'batch', labels: { a: '1' } })], undefined],
    ['a multi-selector profile matched by its labelled selector', pod('batch', { a: '1' }),
      [profile('p', { namespace: 'apps' }, { namespace: 'batch', labels: { a: '1' } })], 'p'],
    ['no profiles', pod('apps'), [], undefined],
    ['a profile without selectors takes nothing', pod('apps'), [profile('p')], undefined],
  ]);
});

describe('several matching profiles: the first name in character-code order', () => {
  const everything = { namespace: '*' };
  table([
    ['alphabetical', pod('apps'), [profile('beta', everything), profile('alpha', everything)], 'alpha'],
    ['independent of the list order', pod('apps'), [profile('alpha', everything), profile('beta', everything)], 'alpha'],
    ['a prefix sorts first', pod('apps'), [profile('apps-web', everything), profile('apps', everything)], 'apps'],
    ['digits before letters', pod('apps'), [profile('a', everything), profile('1', everything)], '1'],
    ['not a natural sort: "p-10" before "p-9"', pod('apps'), [profile('p-9', everything), profile('p-10', everything)], 'p-10'],
    ['upper case before lower case', pod('apps'), [profile('b', everything), profile('Z', everything)], 'Z'],
    ['`-` before digits, `_` between upper and lower case', pod('apps'),
      [profile('a_', everything), profile('aA', everything), profile('a0', everything), profile('a-', everything)], 'a-'],
    ['`_` after upper case', pod('apps'), [profile('a_', everything), profile('aZ', everything)], 'aZ'],
    ['`_` before lower case', pod('apps'), [profile('aa', everything), profile('a_', everything)], 'a_'],
    ['only matching profiles compete', pod('apps'), [profile('aaa', { namespace: 'batch' }), profile('zzz', everything)], 'zzz'],
    ['a more specific selector does not win', pod('apps', { tier: 'web' }),
      [profile('web', { namespace: 'apps', labels: { tier: 'web' } }), profile('all', everything)], 'all'],
  ]);
});

describe(`pinning: the label ${PIN} names the profile`, () => {
  const profiles = [
    profile('alpha', { namespace: '*' }),
    profile('web', { namespace: 'apps', labels: { tier: 'web' } }),
  ];
  table([
    ['pinned to a matching profile that would not win the sort', pod('apps', { [PIN]: 'web', tier: 'web' }), profiles, 'web'],
    ['pinned to the profile that would win anyway', pod('apps', { [PIN]: 'alpha' }), profiles, 'alpha'],
    ['pinned to a profile whose selectors it does not match: not on Fargate', pod('apps', { [PIN]: 'web' }), profiles, undefined],
    ['pinned to an unknown profile: not on Fargate', pod('apps', { [PIN]: 'gone', tier: 'web' }), profiles, undefined],
    ['pinned, no profiles', pod('apps', { [PIN]: 'web' }), [], undefined],
    ['a selector may require the pin label itself', pod('apps', { [PIN]: 'pinned-only' }),
      [profile('pinned-only', { namespace: 'apps', labels: { [PIN]: 'pinned-only' } }), profile('a', { namespace: 'x' })], 'pinned-only'],
    ['a similar label does not pin', pod('apps', { 'eks.amazonaws.com/fargate-profile-x': 'web' }), profiles, 'alpha'],
  ]);

  test('PROFILE_LABEL is the label EKS reads', () => {
    expect(FargateScheduling.PROFILE_LABEL).toBe(PIN);
  });
});
