import { commonMatch, globMatches, isLiteral } from '../src/glob-patterns';

describe('globMatches: `*` is zero or more characters, `?` exactly one, anything else is literal', () => {
  const rows: Array<[string, string, boolean]> = [
    // pattern, text, matches
    ['prod', 'prod', true],
    ['prod', 'prod2', false],
    ['prod', 'pro', false],
    ['', '', true],
    ['', 'a', false],
    // `*` at the start, middle, end, both ends, alone
    ['*-web', 'prod-web', true],
    ['*-web', '-web', true],
    ['*-web', 'prod-api', false],
    ['prod-*', 'prod-', true],
    ['prod-*', 'prod-eu-1', true],
    ['prod-*', 'dev-eu-1', false],
    ['a*z', 'az', true],
    ['a*z', 'abcz', true],
    ['a*z', 'abcza', false],
    ['*team*', 'myteamspace', true],
    ['*team*', 'team', true],
    ['*team*', 'tea', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['**', 'x', true],
    // a `*` that must give back characters it took (backtracking)
    ['*ab', 'aab', true],
    ['*a*b', 'xaxxb', true],
    ['a*b*c', 'abbbcbc', true],
    ['a*b*c', 'abbbcb', false],
    // `?` counts exactly one character, in any position
    ['?', 'a', true],
    ['?', '', false],
    ['?', 'ab', false],
    ['??', 'ab', true],
    ['?rod', 'prod', true],
    ['pr?d', 'prod', true],
    ['pro?', 'prod', true],
    ['pro?', 'pro', false],
    ['?*', '', false],
    ['?*', 'a', true],
    ['*?', 'abc', true],
    ['a?*?z', 'a12z', true],
    ['a?*?z', 'a1z', false],
    // regular-expression characters stand for themselves
    ['app.kubernetes.io/name', 'app.kubernetes.io/name', true],
    ['app.kubernetes.io/name', 'appXkubernetesXio/name', false],
    ['a+', 'aa', false],
    ['a+', 'a+', true],
    ['[ab]', 'a', false],
    ['(x|y)', '(x|y)', true],
    ['^a$', '^a$', true],
    ['a\\d', 'a\\d', true],
    ['a\\d', 'a1', false],
    // `?` is one code point, not one UTF-16 unit
    ['?', '😀', true],
  ];

  test.each(rows)('"%s" vs "%s" -> %s', (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected);
  });
});

describe('isLiteral', () => {
  test.each([['prod', true], ['', true], ['prod-*', false], ['pr?d', false], ['a.b', true]] as Array<[string, boolean]>)(
    '"%s" -> %s', (pattern, expected) => expect(isLiteral(pattern)).toBe(expected));
});

describe('commonMatch: a shortest string every pattern matches', () => {
  const rows: Array<[string[], string | undefined]> = [
    // patterns, expected witness (undefined: disjoint)
    [['prod', 'prod'], 'prod'],
    [['prod', 'dev'], undefined],
    [['prod-*', 'prod-eu'], 'prod-eu'],
    [['prod-*', 'dev-*'], undefined],
    [['prod-*', '*-web'], 'prod-web'],
    [['*-web', 'prod-*'], 'prod-web'],
    [['a*', '*b'], 'ab'],
    [['*', '*'], ''],
    [['*', '?*'], 'x'],
    [['x*', '?*'], 'x'],
    [['?', '??'], undefined],
    [['??', 'a*'], 'ax'],
    [['a?c', '?b?'], 'abc'],
    [['a?c', '?d?'], 'adc'],
    [['a?c', '??d'], undefined],
    [['*a*', '*b*'], 'ab'],
    [['*ab*', '*ba*'], 'aba'],
    [['a*a', 'a'], undefined],
    [['a*a', '?'], undefined],
    [['a*a', '??'], 'aa'],
    [['a.b', 'a?b'], 'a.b'],
    [['a.b', 'axb'], undefined], // `.` is not a wildcard
    [['', '*'], ''],
    [['', '?*'], undefined],
    // more than two patterns
    [['prod-*', '*-web', '*eu*'], 'prod-eu-web'],
    [['a*', '*b', '*c*'], 'acb'],
    [['a*', 'b*', '*'], undefined],
    // the free character is one no pattern uses literally
    [['x?', '?x'], 'xx'],
    [['x?', 'x*', '?*'], 'xy'],
  ];

  test.each(rows)('%j -> %j', (patterns, expected) => {
    const witness = commonMatch(patterns);
    if (expected === undefined) {
      expect(witness).toBeUndefined();
    } else {
      expect([...witness!]).toHaveLength([...expected].length); // as short as the expected one
      for (const pattern of patterns) expect(globMatches(pattern, witness!)).toBe(true);
    }
  });

  test('witnesses fill free characters with `x`, or `y` when `x` is a literal of the patterns', () => {
    expect(commonMatch(['prod-?', '*'])).toBe('prod-x');
    expect(commonMatch(['?x', '??'])).toBe('yx');
    const everyPreferred = 'xyzabcdefghijklmnopqrstuvw0123456789';
    expect(commonMatch([`${everyPreferred}?`, '*'])).toBe(`${everyPreferred}A`);
  });
});
