// What an Update means for a Fargate profile. Profiles are immutable except for their tags, so an
// update is a no-op, an in-place tag change, a replacement (new name), or impossible. Pure.
import { selectorKey } from '../src/wire-contract';
import { CanonicalSelector, ProfileSpec } from './event';

export type UpdatePlan =
  | { readonly kind: 'NO_OP' }
  | { readonly kind: 'UPDATE_TAGS' }
  | { readonly kind: 'REPLACE'; readonly newName: string; readonly reason: string }
  | { readonly kind: 'REJECT'; readonly reason: string };

/**
 * @param currentName the existing profile's name (the PhysicalResourceId)
 * @param generatedName the name a replacement gets when the user gives none (unique per request)
 * @param existingSatisfiesNew see {@link isRollbackInPlace}: then no replacement is needed whatever
 *   the old properties say.
 */
export function planUpdate(
  oldSpec: ProfileSpec, newSpec: ProfileSpec, currentName: string, generatedName: string, existingSatisfiesNew = false,
): UpdatePlan {
  const changed = immutableChanges(oldSpec, newSpec);

  // The name the user asks for now: an explicit one, or "whatever it is" when generated before and now.
  const nameChanged = newSpec.explicitName !== undefined
    ? newSpec.explicitName !== currentName
    : oldSpec.explicitName !== undefined;
  if (nameChanged) {
    const newName = newSpec.explicitName ?? generatedName;
    const why = newSpec.explicitName !== undefined
      ? `FargateProfileName changed from "${currentName}" to "${newSpec.explicitName}"`
      : `FargateProfileName "${currentName}" was removed, so a generated name is used`;
    return { kind: 'REPLACE', newName, reason: changed.length > 0 ? `${why}; ${changed.join(', ')} changed` : why };
  }

  if (changed.length > 0 && !existingSatisfiesNew) {
    if (newSpec.explicitName !== undefined) {
      return {
        kind: 'REJECT',
        reason: `Cannot update Fargate profile "${currentName}" on cluster "${oldSpec.clusterName}": ${changed.join(', ')} changed, ` +
          'but Fargate profiles are immutable (only tags can change in place) and a replacement needs a new name while this one is fixed by ' +
          'FargateProfileName. Change FargateProfileName, or remove it to let a unique name be generated, to replace the profile. Nothing was changed.',
      };
    }
    return { kind: 'REPLACE', newName: generatedName, reason: `${changed.join(', ')} changed` };
  }

  return tagsEqual(oldSpec.tags, newSpec.tags) ? { kind: 'NO_OP' } : { kind: 'UPDATE_TAGS' };
}

/** The part of a described profile that decides whether it satisfies a spec. */
export interface ProfileShape {
  readonly podExecutionRoleArn?: string;
  readonly selectors: readonly CanonicalSelector[];
  readonly subnets: readonly string[];
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

/**
 * Whether an update is CloudFormation rolling back to the profile as it exists: the old properties
 * (the refused or failed update's) never took effect, and the live profile, not DELETING, already has
 * the new properties. Such an update completes in place instead of replacing or being rejected a
 * second time. In every other case the old properties decide, so any immutable change replaces.
 */
export function isRollbackInPlace(existing: (ProfileShape & { readonly status?: string }) | undefined,
  oldSpec: ProfileSpec, newSpec: ProfileSpec): boolean {
  return existing !== undefined
    && existing.status !== 'DELETING'
    && !profileSatisfiesSpec(existing, oldSpec)
    && profileSatisfiesSpec(existing, newSpec);
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
  const remove = Object.keys(previouslyManaged).filter(key => !hasOwn(desired, key) && hasOwn(observed, key)).sort();
  return { set, remove };
}

export function hasTagChanges(changes: TagChanges): boolean {
  return Object.keys(changes.set).length > 0 || changes.remove.length > 0;
}

function tagsEqual(a: Record<string, string>, b: Record<string, string>): boolean {
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
