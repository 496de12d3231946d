import { FargatePod, FargateProfileSelector } from '../src';
import { commonPod, podMatchesSelector } from '../src/selector-matching';

describe('podMatchesSelector: namespace matches, and every selector label matches some pod label', () => {
  const rows: Array<[string, FargatePod, FargateProfileSelector, boolean]> = [
    ['same namespace, no labels', { namespace: 'apps' }, { namespace: 'apps' }, true],
    ['other namespace', { namespace: 'apps' }, { namespace: 'web' }, false],
    ['namespace wildcard', { namespace: 'prod-eu' }, { namespace: 'prod-*' }, true],
    ['a selector without labels takes labelled pods', { namespace: 'apps', labels: { a: '1' } }, { namespace: 'apps' }, true],
    ['required label present', { namespace: 'apps', labels: { tier: 'web' } }, { namespace: 'apps', labels: { tier: 'web' } }, true],
    ['extra pod labels do not matter', { namespace: 'apps', labels: { tier: 'web', team: 'a', x: 'y' } },
      { namespace: 'apps', labels: { tier: 'web' } }, true],
    ['required label missing', { namespace: 'apps', labels: { team: 'a' } }, { namespace: 'apps', labels: { tier: 'web' } }, false],
    ['pod without labels, selector with labels', { namespace: 'apps' }, { namespace: 'apps', labels: { tier: 'web' } }, false],
    ['required label with another value', { namespace: 'apps', labels: { tier: 'api' } }, { namespace: 'apps', labels: { tier: 'web' } }, false],
    ['every required label must be there', { namespace: 'apps', labels: { tier: 'web' } },
      { namespace: 'apps', labels: { tier: 'web', team: 'a' } }, false],
    ['both required labels there', { namespace: 'apps', labels: { tier: 'web', team: 'a' } },
      { namespace: 'apps', labels: { tier: 'web', team: 'a' } }, true],
    ['labels match but namespace does not', { namespace: 'other', labels: { tier: 'web' } },
      { namespace: 'apps', labels: { tier: 'web' } }, false],
    ['key wildcard', { namespace: 'apps', labels: { 'app.kubernetes.io/name': 'web' } },
      { namespace: 'apps', labels: { 'app.kubernetes.io/*': 'web' } }, true],
    ['value wildcard', { namespace: 'apps', labels: { tier: 'web-1' } }, { namespace: 'apps', labels: { tier: 'web-?' } }, true],
    ['key and value patterns must match the same label', { namespace: 'apps', labels: { tier: 'api', role: 'web' } },
      { namespace: 'apps', labels: { '*': 'web', 'ti*': 'web' } }, false],
    ['one pod label can meet two selector labels', { namespace: 'apps', labels: { tier: 'web' } },
      { namespace: 'apps', labels: { 'ti*': 'w*', '*er': '*b' } }, true],
    ['`.` in a key is literal', { namespace: 'apps', labels: { 'appXkubernetesXio/name': 'web' } },
      { namespace: 'apps', labels: { 'app.kubernetes.io/name': 'web' } }, false],
    ['an empty value matches `*` and ``', { namespace: 'apps', labels: { flag: '' } }, { namespace: 'apps', labels: { flag: '*' } }, true],
  ];

  test.each(rows)('%s', (_name, pod, selector, expected) => {
    expect(podMatchesSelector(pod, selector)).toBe(expected);
  });
});

describe('commonPod: a pod both selectors take, or none', () => {
  const rows: Array<[string, FargateProfileSelector, FargateProfileSelector, FargatePod | undefined]> = [
    ['same namespace', { namespace: 'apps' }, { namespace: 'apps' }, { namespace: 'apps', labels: {} }],
    ['different namespaces', { namespace: 'apps' }, { namespace: 'web' }, undefined],
    ['`*` and a namespace', { namespace: '*' }, { namespace: 'apps' }, { namespace: 'apps', labels: {} }],
    ['`*` and `*`: a non-empty namespace', { namespace: '*' }, { namespace: '*' }, { namespace: 'x', labels: {} }],
    ['prefix and suffix wildcards meet', { namespace: 'prod-*' }, { namespace: '*-web' }, { namespace: 'prod-web', labels: {} }],
    ['disjoint prefixes', { namespace: 'prod-*' }, { namespace: 'dev-*' }, undefined],
    ['labels of one selector only', { namespace: 'apps', labels: { tier: 'web' } }, { namespace: 'apps' },
      { namespace: 'apps', labels: { tier: 'web' } }],
    ['different literal keys: a pod carries both', { namespace: 'apps', labels: { tier: 'web' } },
      { namespace: 'apps', labels: { team: 'a' } }, { namespace: 'apps', labels: { tier: 'web', team: 'a' } }],
    ['same key, same value', { namespace: 'apps', labels: { a: '1' } }, { namespace: 'apps', labels: { a: '1' } },
      { namespace: 'apps', labels: { a: '1' } }],
    ['same key, contradicting values', { namespace: 'apps', labels: { a: '1' } }, { namespace: 'apps', labels: { a: '2' } }, undefined],
    ['same key, overlapping value patterns', { namespace: 'apps', labels: { tier: 'web-*' } },
      { namespace: 'apps', labels: { tier: '*-1' } }, { namespace: 'apps', labels: { tier: 'web-1' } }],
    ['same key, disjoint value patterns', { namespace: 'apps', labels: { tier: 'web-*' } },
      { namespace: 'apps', labels: { tier: 'api-*' } }, undefined],
    ['contradicting labels but disjoint namespaces', { namespace: 'a', labels: { x: '1' } }, { namespace: 'b', labels: { x: '1' } }, undefined],
    ['wildcard value `*` gets a non-empty sample', { namespace: 'apps', labels: { tier: '*' } }, { namespace: 'apps' },
      { namespace: 'apps', labels: { tier: 'x' } }],
    ['a literal empty value stays empty', { namespace: 'apps', labels: { flag: '' } }, { namespace: 'apps', labels: { flag: '*' } },
      { namespace: 'apps', labels: { flag: '' } }],
    // Wildcard keys: a pod can carry many labels, so they never force two requirements onto one label.
    ['wildcard keys with different values: two labels', { namespace: 'apps', labels: { '*': 'a' } },
      { namespace: 'apps', labels: { '*': 'b' } }, { namespace: 'apps', labels: { x: 'a', y: 'b' } }],
    ['wildcard key vs literal key with another value: a label of its own', { namespace: 'apps', labels: { 'ti*': '1' } },
      { namespace: 'apps', labels: { tier: '2' } }, { namespace: 'apps', labels: { tier: '2', tix: '1' } }],
    ['a wildcard key met by an existing label adds none', { namespace: 'apps', labels: { 'ti*': 'w*' } },
      { namespace: 'apps', labels: { tier: 'web' } }, { namespace: 'apps', labels: { tier: 'web' } }],
    ['`?` keys get distinct keys', { namespace: 'apps', labels: { '?': '1', 'x': '2' } }, { namespace: 'apps', labels: { '?': '3' } },
      { namespace: 'apps', labels: { x: '2', y: '1', z: '3' } }],
  ];

  test.each(rows)('%s', (_name, a, b, expected) => {
    const pod = commonPod(a, b);
    expect(pod).toEqual(expected);
    if (pod) {
      // The witness is real: both selectors take it.
      expect(podMatchesSelector(pod, a)).toBe(true);
      expect(podMatchesSelector(pod, b)).toBe(true);
    }
  });

  test('is symmetric in whether the selectors overlap', () => {
    for (const [, a, b, expected] of rows) {
      expect(commonPod(b, a) === undefined).toBe(expected === undefined);
    }
  });

  test('a label key that is a property of Object.prototype is an ordinary key', () => {
    const pod = commonPod({ namespace: 'apps', labels: { ['__proto__']: 'a' } }, { namespace: 'apps', labels: { constructor: 'b' } });
    expect(Object.entries(pod!.labels!)).toEqual([['__proto__', 'a'], ['constructor', 'b']]);
  });
});
