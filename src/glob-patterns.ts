// The wildcard patterns of Fargate profile selectors: `*` matches zero or more characters, `?`
// exactly one, in any position. Every other character, `.` and `\` included, stands for itself
// (EKS user guide, Fargate profiles: "Regular expressions are not supported").
//
// Characters are Unicode code points, so `?` never matches half of a surrogate pair.

const ANY_RUN = '*';
const ANY_ONE = '?';

/** A pattern that matches every non-empty string (namespaces and label keys are never empty). */
export const NON_EMPTY = '?*';

/** Whether `text` matches `pattern`. Linear scan with backtracking to the last `*`: O(|pattern| * |text|). */
export function globMatches(pattern: string, text: string): boolean {
  const p = [...pattern];
  const t = [...text];
  let pi = 0;
  let ti = 0;
  let lastStar = -1; // position of the last `*` seen in the pattern
  let starEnd = 0; // where in the text that `*`'s run currently ends
  while (ti < t.length) {
    if (pi < p.length && p[pi] === ANY_RUN) {
      lastStar = pi++;
      starEnd = ti;
    } else if (pi < p.length && (p[pi] === ANY_ONE || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (lastStar >= 0) {
      // Let the last `*` take one more character and retry the rest of the pattern.
      pi = lastStar + 1;
      ti = ++starEnd;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === ANY_RUN) pi++;
  return pi === p.length;
}

/** Whether a pattern matches exactly one string (itself). */
export function isLiteral(pattern: string): boolean {
  return !pattern.includes(ANY_RUN) && !pattern.includes(ANY_ONE);
}

/** The literal text a pattern's matches all start with: everything before its first wildcard. */
export function literalPrefix(pattern: string): string {
  const end = firstWildcard(pattern);
  return end < 0 ? pattern : pattern.slice(0, end);
}

/** The literal text a pattern's matches all end with: everything after its last wildcard. */
export function literalSuffix(pattern: string): string {
  return pattern.slice(Math.max(pattern.lastIndexOf(ANY_RUN), pattern.lastIndexOf(ANY_ONE)) + 1);
}

/**
 * False when two patterns certainly have no match in common: their literal prefixes, or their
 * literal suffixes, disagree (neither is a prefix, or a suffix, of the other). True says only
 * "maybe": `commonMatch` decides. A cheap necessary condition, to skip the search.
 */
export function mayShareMatch(a: string, b: string): boolean {
  return comparable(literalPrefix(a), literalPrefix(b), (x, y) => x.startsWith(y))
    && comparable(literalSuffix(a), literalSuffix(b), (x, y) => x.endsWith(y));
}

function comparable(x: string, y: string, extends_: (longer: string, shorter: string) => boolean): boolean {
  return x.length >= y.length ? extends_(x, y) : extends_(y, x);
}

function firstWildcard(pattern: string): number {
  const run = pattern.indexOf(ANY_RUN);
  const one = pattern.indexOf(ANY_ONE);
  return run < 0 ? one : one < 0 ? run : Math.min(run, one);
}

/** `commonMatch`, or a function that gives the same answers. */
export type CommonMatch = (patterns: readonly string[]) => string | undefined;

/**
 * `commonMatch` with its answers remembered for the life of the function returned: the checks of
 * one synthesis meet the same pattern tuples over and over (`team-*` against every namespace).
 */
export function memoisedCommonMatch(): CommonMatch {
  const answers = new Map<string, string | undefined>();
  return (patterns) => {
    const key = JSON.stringify(patterns);
    if (answers.has(key)) return answers.get(key);
    const answer = commonMatch(patterns);
    answers.set(key, answer);
    return answer;
  };
}

/**
 * A shortest string that every pattern matches, or `undefined` when the patterns have no string
 * in common. Where the patterns leave a character free it tries `x` first, so witnesses read
 * naturally (`*` and `?*` give `x`; `prod-*` and `*-web` give `prod-web`).
 *
 * How: the patterns are NFAs (a position per pattern; `*` may be skipped without reading, or
 * read any character and stay), and this searches their product, a tuple of positions, for the
 * tuple where every pattern is at its end. Reading a character moves all patterns at once;
 * skipping a `*` moves one pattern and reads nothing. A breadth-first search by characters read
 * finds a shortest string, spelled back through each tuple's predecessor.
 *
 * Characters only matter by which literal of the patterns they equal, so the search reads each
 * literal character once plus one character that is none of them (the "free" character).
 * The product has at most the product of (pattern length + 1) tuples.
 */
export function commonMatch(patterns: readonly string[]): string | undefined {
  const ps = patterns.map((pattern) => [...pattern]);
  const literals = new Set(ps.flat().filter((c) => c !== ANY_RUN && c !== ANY_ONE));
  const alphabet = [freeCharacter(literals), ...[...literals].sort()];

  const start = ps.map(() => 0);
  const isEnd = (state: number[]) => state.every((pos, k) => pos === ps[k].length);
  const visited = new Map<string, Step>([[start.join(','), { read: '' }]]);
  const tryVisit = (state: number[], previous: string, read: string): boolean => {
    const key = state.join(',');
    if (visited.has(key)) return false;
    visited.set(key, { previous, read });
    return true;
  };

  // Layer d holds the tuples reachable by reading d characters and no fewer.
  let layer: number[][] = [start];
  while (layer.length > 0) {
    // Close the layer under skips first, so that each tuple is reached with as few characters as it can be.
    for (let i = 0; i < layer.length; i++) {
      const state = layer[i];
      const key = state.join(',');
      if (isEnd(state)) return spell(visited, key);
      state.forEach((pos, k) => {
        if (ps[k][pos] !== ANY_RUN) return;
        const skipped = state.map((p, j) => (j === k ? p + 1 : p));
        if (tryVisit(skipped, key, '')) layer.push(skipped);
      });
    }
    const next: number[][] = [];
    for (const state of layer) {
      for (const c of alphabet) {
        const read = state.map((pos, k) => advance(ps[k], pos, c));
        if (read.every((pos): pos is number => pos !== undefined) && tryVisit(read, state.join(','), c)) next.push(read);
      }
    }
    layer = next;
  }
  return undefined;
}

/** How the search first reached a tuple: from which tuple, reading which character ('' for a skip). */
interface Step {
  readonly previous?: string;
  readonly read: string;
}

/** The position after `pattern[pos]` reads `c`, or undefined when it cannot. */
function advance(pattern: readonly string[], pos: number, c: string): number | undefined {
  const token = pattern[pos];
  if (token === ANY_RUN) return pos; // a `*` reads any character and stays
  if (token === ANY_ONE || token === c) return pos + 1;
  return undefined;
}

function spell(visited: ReadonlyMap<string, Step>, end: string): string {
  const characters: string[] = [];
  for (let key: string | undefined = end; key !== undefined; key = visited.get(key)!.previous) {
    characters.push(visited.get(key)!.read);
  }
  return characters.reverse().join('');
}

/** A character that is none of `literals`: a lowercase letter or digit when one is left. */
function freeCharacter(literals: ReadonlySet<string>): string {
  for (const c of 'xyzabcdefghijklmnopqrstuvw0123456789') {
    if (!literals.has(c)) return c;
  }
  for (let code = 0x41; ; code++) {
    const c = String.fromCodePoint(code);
    if (!literals.has(c) && c !== ANY_RUN && c !== ANY_ONE) return c;
  }
}
