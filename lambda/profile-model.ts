// The canonical profile model: what a resource asks for (ProfileSpec), and how a spec compares with
// another spec (an update) or with a described profile (is it ours, are its tags in line).
// Canonical means deduplicated and sorted the same way on both sides, so no comparison ever sees
// the order of selectors, labels, subnets or tags. Pure.
import { compareKeys, OWNER_TAG_KEY, selectorKey } from '../src/wire-contract';

/** What the resource asks for, canonicalized (selectors, labels, subnets sorted; tags and labels as maps). */
export interface ProfileSpec {
  readonly clusterName: string;
  /** Only when the user gave one; otherwise the handler generates it. */
  readonly explicitName?: string;
  readonly podExecutionRoleArn: string;
  readonly selectors: CanonicalSelector[];
  /** Undefined lets EKS pick the cluster's private subnets. */
  readonly subnets?: string[];
  readonly tags: Record<string, string>;
}

export interface CanonicalSelector {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** The part of a profile (described, or rebuilt from one) that decides whether it satisfies a spec. */
export interface ProfileShape {
  readonly podExecutionRoleArn?: string;
  readonly selectors: readonly CanonicalSelector[];
  readonly subnets: readonly string[];
}

/**
 * Selectors (labels already sorted) in canonical form, for the spec and for a described profile alike:
 * a repeated selector adds nothing, so one is kept and comparisons never see a difference in duplicates.
 */
export function canonicalSelectors(selectors: readonly CanonicalSelector[]): CanonicalSelector[] {
  const unique = new Map(selectors.map(s => [selectorKey(s), s]));
  return [...unique.values()].sort((a, b) => compareKeys(selectorKey(a), selectorKey(b)));
}

/** A copy sorted by key. No prototype: a key like "__proto__" or "constructor" is just a key. */
export function sortKeys(map: Record<string, string>): Record<string, string> {
  const sorted: Record<string, string> = Object.create(null);
  for (const key of Object.keys(map).sort(compareKeys)) sorted[key] = map[key];
  return sorted;
}

/**
 * Whether a profile (in the spec's cluster) has the spec's immutable properties. Tags are not
 * compared (they change in place). A spec without Subnets accepts whatever private subnets EKS chose.
 */
export function profileSatisfiesSpec(profile: ProfileShape, spec: ProfileSpec): boolean {
  return profile.podExecutionRoleArn === spec.podExecutionRoleArn
    && selectorsEqual(profile.selectors, spec.selectors)
    && (spec.subnets === undefined || listEqual([...new Set(profile.subnets)], [...new Set(spec.subnets)]));
}

/** Names of the immutable properties that differ (order of selectors, labels and subnets is ignored). */
export function immutableChanges(a: ProfileSpec, b: ProfileSpec): string[] {
  const changed: string[] = [];
  if (a.clusterName !== b.clusterName) changed.push('ClusterName');
  if (a.podExecutionRoleArn !== b.podExecutionRoleArn) changed.push('PodExecutionRoleArn');
  if (!selectorsEqual(a.selectors, b.selectors)) changed.push('Selectors');
  if (!listEqual(a.subnets ?? [], b.subnets ?? [])) changed.push('Subnets');
  return changed;
}

export function selectorsEqual(a: readonly CanonicalSelector[], b: readonly CanonicalSelector[]): boolean {
  // As sets: a duplicated selector matches the same pods.
  return listEqual([...new Set(a.map(selectorKey))], [...new Set(b.map(selectorKey))]);
}

export interface TagChanges {
  /** Tags to add or overwrite. */
  readonly set: Record<string, string>;
  /** Keys to remove: only ones this resource managed before (never tags added by others). */
  readonly remove: string[];
}

/**
 * What TagResource/UntagResource must do to make `observed` carry `desired`. `previouslyManaged`
 * is the key set of the old properties' tags (empty on create).
 */
export function tagChanges(desired: Record<string, string>, observed: Record<string, string>, previouslyManaged: Record<string, string>): TagChanges {
  const set: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(desired)) {
    if (!hasOwn(observed, key) || observed[key] !== value) set[key] = value;
  }
  // The ownership marker is never removed, whatever the old properties said.
  const remove = Object.keys(previouslyManaged).filter(key => key !== OWNER_TAG_KEY && !hasOwn(desired, key) && hasOwn(observed, key)).sort();
  return { set, remove };
}

/** A profile's tags without the ownership marker: the tags a resource asks for. */
export function withoutOwnerMarker(tags: Record<string, string>): Record<string, string> {
  return sortKeys(Object.fromEntries(Object.entries(tags).filter(([key]) => key !== OWNER_TAG_KEY)));
}

/** The tags a profile of this resource carries: the user's, and its ownership marker (which no user tag overrides). */
export function withOwnerMarker(tags: Record<string, string>, owner: string): Record<string, string> {
  return sortKeys({ ...tags, [OWNER_TAG_KEY]: owner });
}

export function hasTagChanges(changes: TagChanges): boolean {
  return Object.keys(changes.set).length > 0 || changes.remove.length > 0;
}

export function tagsEqual(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every(k => hasOwn(b, k) && a[k] === b[k]);
}

function hasOwn(map: Record<string, string>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

function listEqual(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
