// Which profiles of a cluster can take the same pod, with a pod for each such pair: the answer of
// comparing every selector of every profile with every selector of every other profile, without
// searching the selector pairs that cannot intersect.
//
// Two selectors can only share a pod when their namespace patterns agree on the literal text
// their matches start with and end with (`team-1-*` and `team-2-*` never do), and when every
// label key both require literally has value patterns that can agree (`team: t1` and `team: t2`
// never do; a wildcard key can always be met by a label of its own, so it never conflicts).
// Selectors are indexed by those: namespace patterns by their literal prefix and suffix (sorted,
// so the patterns a prefix can agree with are its own prefixes plus one contiguous range), and
// within a namespace pattern, by literal label values. The exact search (`commonPod`) runs only
// on the pairs left, with its pattern searches memoised. The answer is the exhaustive one, pod for
// pod: a pair is left out only when `commonPod` would find nothing for it.
import type { FargatePod } from './fargate-pod';
import type { FargateProfileSelector } from './fargate-profile-props';
import { FargateScheduling } from './fargate-scheduling';
import { CommonMatch, isLiteral, literalPrefix, literalSuffix, mayShareMatch, memoisedCommonMatch, NON_EMPTY } from './glob-patterns';
import { commonPod } from './selector-matching';

/** Two profiles that can take the same pod, by their positions in the list given. */
export interface ProfileOverlap {
  readonly earlier: number;
  readonly later: number;
  /** The pod the exhaustive search finds first (see `profileOverlaps`). */
  readonly pod: FargatePod;
}

/**
 * Every pair of profiles that can take the same pod, ordered by the later profile, then the
 * earlier. The pod of a pair is the one the exhaustive search finds: `commonPod` of the first
 * selector of the earlier profile, with the first selector of the later one, whose pod is not
 * pinned. A selector that literally requires the label `eks.amazonaws.com/fargate-profile` takes
 * only pods pinned to its profile, and a pinned pod runs with the profile it names: the two
 * profiles never compete for it.
 *
 * @param profiles each profile's selectors, in order; all resolved (no tokens)
 */
export function profileOverlaps(profiles: ReadonlyArray<readonly FargateProfileSelector[]>): ProfileOverlap[] {
  const match = memoisedCommonMatch();
  const candidates = new Map<number, Array<[IndexedSelector, IndexedSelector]>>(); // by pair of profiles
  for (const [earlier, later] of candidateSelectorPairs(profiles, match)) {
    const key = earlier.profile * profiles.length + later.profile;
    let pairs = candidates.get(key);
    if (pairs === undefined) candidates.set(key, pairs = []);
    pairs.push([earlier, later]);
  }
  const overlaps: ProfileOverlap[] = [];
  for (const pairs of candidates.values()) {
    // The exhaustive search's order: the earlier profile's selectors, then the later one's.
    pairs.sort(([a, b], [c, d]) => a.position - c.position || b.position - d.position);
    for (const [earlier, later] of pairs) {
      const pod = commonPod(earlier.selector, later.selector, match);
      if (pod === undefined || pod.labels?.[FargateScheduling.PROFILE_LABEL] !== undefined) continue;
      overlaps.push({ earlier: earlier.profile, later: later.profile, pod });
      break;
    }
  }
  return overlaps.sort((a, b) => a.later - b.later || a.earlier - b.earlier);
}

/** A selector of one profile, with what the index looks at. */
interface IndexedSelector {
  readonly profile: number;
  /** Its position among the profile's selectors. */
  readonly position: number;
  readonly selector: FargateProfileSelector;
  /** Its labels whose key is literal: only those can conflict. */
  readonly literalKeys: ReadonlyMap<string, string>;
}

/** The selectors that share one namespace pattern. */
interface NamespaceGroup {
  readonly pattern: string;
  readonly prefix: string;
  /** The literal suffix reversed, so that suffixes sort and compare like prefixes. */
  readonly reversedSuffix: string;
  readonly labels: LabelIndex;
}

/**
 * Pairs of selectors of different profiles, the one of the earlier profile first, that may share
 * a pod: every pair for which `commonPod` finds a pod is among them.
 */
function* candidateSelectorPairs(
  profiles: ReadonlyArray<readonly FargateProfileSelector[]>,
  match: CommonMatch,
): Generator<[IndexedSelector, IndexedSelector]> {
  const groups = namespaceGroups(profiles);
  const byPrefix = new SortedKeys(groups, (group) => group.prefix);
  const bySuffix = new SortedKeys(groups, (group) => group.reversedSuffix);
  for (const [g, group] of groups.entries()) {
    // Look up the namespaces that may agree by whichever of prefix or suffix narrows more.
    const others = byPrefix.countAgreeing(group.prefix) <= bySuffix.countAgreeing(group.reversedSuffix)
      ? byPrefix.agreeingWith(group.prefix) : bySuffix.agreeingWith(group.reversedSuffix);
    for (const h of others) {
      if (h < g) continue; // each pair of groups once
      const other = groups[h];
      if (!endsAgree(group, other)) continue;
      // The exact namespace search only once a pair of selectors needs it (memoised for the rest).
      const namespacesMeet = () => match([group.pattern, other.pattern, NON_EMPTY]) !== undefined;
      pairs: for (const a of group.labels.members) {
        for (const b of other.labels.mayAgreeWith(a)) {
          if (a.profile === b.profile || (g === h && a.profile > b.profile)) continue;
          if (!literalLabelsMayAgree(a, b)) continue;
          if (!namespacesMeet()) break pairs;
          yield a.profile < b.profile ? [a, b] : [b, a];
        }
      }
    }
  }
}

function namespaceGroups(profiles: ReadonlyArray<readonly FargateProfileSelector[]>): NamespaceGroup[] {
  const members = new Map<string, IndexedSelector[]>();
  profiles.forEach((selectors, profile) => selectors.forEach((selector, position) => {
    const literalKeys = new Map(Object.entries(selector.labels ?? {}).filter(([key]) => isLiteral(key)));
    let group = members.get(selector.namespace);
    if (group === undefined) members.set(selector.namespace, group = []);
    group.push({ profile, position, selector, literalKeys });
  }));
  return [...members].map(([pattern, selectors]) => ({
    pattern,
    prefix: literalPrefix(pattern),
    reversedSuffix: reverse(literalSuffix(pattern)),
    labels: new LabelIndex(selectors),
  }));
}

/** `mayShareMatch` of the two namespace patterns, from the literal ends computed once per pattern. */
function endsAgree(a: NamespaceGroup, b: NamespaceGroup): boolean {
  return oneStartsTheOther(a.prefix, b.prefix) && oneStartsTheOther(a.reversedSuffix, b.reversedSuffix);
}

function oneStartsTheOther(x: string, y: string): boolean {
  return x.length >= y.length ? x.startsWith(y) : y.startsWith(x);
}

/** Whether every label key both selectors require literally has value patterns that may agree. */
function literalLabelsMayAgree(a: IndexedSelector, b: IndexedSelector): boolean {
  const [fewer, more] = a.literalKeys.size <= b.literalKeys.size ? [a, b] : [b, a];
  for (const [key, value] of fewer.literalKeys) {
    const other = more.literalKeys.get(key);
    if (other !== undefined && !mayShareMatch(value, other)) return false;
  }
  return true;
}

/**
 * Strings (a group's literal prefix, or reversed suffix) in sorted order. Two literal prefixes
 * agree when one starts with the other: the shorter ones are the string's own prefixes, looked
 * up one by one; the longer ones sort in one contiguous range right after it.
 */
class SortedKeys {
  private readonly sorted: Array<[key: string, group: number]>;
  private readonly exact = new Map<string, number[]>();

  constructor(groups: readonly NamespaceGroup[], keyOf: (group: NamespaceGroup) => string) {
    this.sorted = groups.map((group, g): [string, number] => [keyOf(group), g]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, g] of this.sorted) {
      let list = this.exact.get(key);
      if (list === undefined) this.exact.set(key, list = []);
      list.push(g);
    }
  }

  /** The groups whose key starts with `key` or is a prefix of it. */
  public agreeingWith(key: string): number[] {
    const found: number[] = [];
    for (let length = 0; length < key.length; length++) found.push(...this.exact.get(key.slice(0, length)) ?? []);
    const [start, end] = this.startingWith(key);
    for (let i = start; i < end; i++) found.push(this.sorted[i][1]);
    return found;
  }

  /** How many groups `agreeingWith(key)` lists, without listing them. */
  public countAgreeing(key: string): number {
    let count = 0;
    for (let length = 0; length < key.length; length++) count += this.exact.get(key.slice(0, length))?.length ?? 0;
    const [start, end] = this.startingWith(key);
    return count + end - start;
  }

  /** The range of `sorted` whose keys start with `key`: they sort together, from `key` on. */
  private startingWith(key: string): [number, number] {
    const start = this.firstIndex(0, (k) => k >= key);
    return [start, this.firstIndex(start, (k) => !k.startsWith(key))];
  }

  /** The first index from `low` on where `past` holds (it holds from there to the end). */
  private firstIndex(low: number, past: (key: string) => boolean): number {
    let high = this.sorted.length;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (past(this.sorted[mid][0])) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

/**
 * The selectors of one namespace pattern, indexed by the values of their literal label keys. For
 * a selector requiring `key: value` (both literal), the selectors that may agree are those without
 * that key, those with that very value, and those with a wildcard value for it; the lookup takes
 * the key that leaves the fewest.
 */
class LabelIndex {
  private readonly byKey = new Map<string, KeyEntry>();

  constructor(public readonly members: readonly IndexedSelector[]) {
    for (const member of members) {
      for (const [key, value] of member.literalKeys) {
        let entry = this.byKey.get(key);
        if (entry === undefined) this.byKey.set(key, entry = { count: 0, byValue: new Map(), wildcardValues: [] });
        entry.count++;
        if (isLiteral(value)) {
          let same = entry.byValue.get(value);
          if (same === undefined) entry.byValue.set(value, same = []);
          same.push(member);
        } else {
          entry.wildcardValues.push(member);
        }
      }
    }
  }

  /** A superset of the members whose literal labels may agree with `selector`'s, in index order. */
  public mayAgreeWith(selector: IndexedSelector): readonly IndexedSelector[] {
    let best: { key: string; value: string; entry: KeyEntry; size: number } | undefined;
    for (const [key, value] of selector.literalKeys) {
      const entry = this.byKey.get(key);
      if (entry === undefined || !isLiteral(value)) continue;
      const size = this.members.length - entry.count + (entry.byValue.get(value)?.length ?? 0) + entry.wildcardValues.length;
      if (best === undefined || size < best.size) best = { key, value, entry, size };
    }
    if (best === undefined || best.size === this.members.length) return this.members;
    const { key, value, entry } = best;
    entry.without ??= this.members.filter((member) => !member.literalKeys.has(key));
    return [...entry.without, ...entry.byValue.get(value) ?? [], ...entry.wildcardValues];
  }
}

interface KeyEntry {
  count: number;
  readonly byValue: Map<string, IndexedSelector[]>;
  readonly wildcardValues: IndexedSelector[];
  /** The members without the key, listed on first use. */
  without?: IndexedSelector[];
}

function reverse(text: string): string {
  return text.split('').reverse().join('');
}
