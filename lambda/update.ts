// The Update path. Fargate profiles are immutable except for their tags, so an update is a no-op,
// an in-place tag change, a replacement (a new profile under a new name; CloudFormation then
// deletes the old one with a Delete event), or impossible (rejected before anything is touched).
// planUpdate and isRollbackInPlace are pure; jobForUpdate adds the one describe they need and
// turns the plan into the job onEvent starts.
import { accessDeniedReason } from './decide';
import { EksApi, EksCallError, ObservedProfile } from './eks-api';
import type { UpdateRequest } from './event';
import { PresentJob, presentJob } from './job';
import { DecisionLog } from './log';
import { generateProfileName } from './naming';
import { immutableChanges, ProfileShape, ProfileSpec, profileSatisfiesSpec, tagsEqual, withoutOwnerMarker } from './profile-model';
import { iamContext, RequestIam } from './reconcile';
import { backoffMs, canWait, InvocationClock, sleep } from './timing';

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

/** Without a clock (no Lambda context), how often the describe an update plan needs is tried. */
const ATTEMPTS_WITHOUT_CLOCK = 3;

/**
 * The job an Update starts: tags in place on the existing profile, or a replacement under its new
 * name; 'NO_OP' when nothing changes. Throws when the update is rejected or cannot be planned.
 */
export async function jobForUpdate(api: EksApi, event: UpdateRequest, clock: InvocationClock, request: RequestIam): Promise<PresentJob | 'NO_OP'> {
  const currentName = event.physicalResourceId;
  // The plan compares old and new properties; the live profile decides only for rollbacks (isRollbackInPlace).
  const existing = await describeForPlan(api, event, clock, request);
  const oldSpec = event.oldSpec ?? oldSpecFromProfile(event, existing);
  const rollback = isRollbackInPlace(existing, oldSpec, event.spec);
  const plan = planUpdate(oldSpec, event.spec, currentName, generateProfileName(event.logicalResourceId, event.requestId), rollback);
  const matchesNew = existing !== undefined && profileSatisfiesSpec(existing, event.spec);
  DecisionLog.forEvent('onEvent', event, currentName).info({
    action: `PLAN_${plan.kind}`,
    observed: existing ? `${existing.status}${matchesNew ? '' : ' (spec differs)'}` : 'NOT_FOUND',
    reason: 'reason' in plan ? plan.reason : undefined,
  });
  switch (plan.kind) {
    case 'REJECT':
      throw new Error(plan.reason);
    case 'NO_OP':
      return 'NO_OP';
    case 'UPDATE_TAGS':
      return presentJob(event, currentName, oldSpec.tags, true);
    case 'REPLACE':
      // A new profile: none of its tags were managed before.
      return presentJob(event, plan.newName, {}, false);
  }
}

/**
 * The profile as it is, for planning. Throttling and 5xx are retried with the reconcile loop's
 * backoff, while the invocation has time, because guessing would be worse: a plan without the
 * profile could replace or reject where it already matches. So is a refused permission while IAM
 * may settle; after that, the failure says which permission to grant.
 */
async function describeForPlan(api: EksApi, event: UpdateRequest, clock: InvocationClock, request: RequestIam): Promise<ObservedProfile | undefined> {
  const name = event.physicalResourceId;
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.describe(event.clusterName, name);
    } catch (e) {
      const error = e instanceof EksCallError ? e.error : undefined;
      const iam = iamContext(request);
      if (error?.kind === 'ACCESS_DENIED' && !iam.settling) {
        throw new Error(`${accessDeniedReason({ desired: 'PRESENT', clusterName: event.clusterName, profileName: name }, 'DESCRIBE', error, iam)} ` +
          'Nothing was changed; retry the update.');
      }
      const delay = backoffMs(attempt, clock.timing.retryBaseMs);
      const timeLeft = clock.remaining ? canWait(clock, delay) : attempt < ATTEMPTS_WITHOUT_CLOCK - 1;
      if ((error?.kind !== 'RETRYABLE' && error?.kind !== 'ACCESS_DENIED') || !timeLeft) {
        const cause = error ? `${error.code}: ${error.message}` : String(e);
        throw new Error(`Cannot plan the update of Fargate profile "${name}" on cluster "${event.clusterName}": ` +
          `describing it failed (${cause}). Nothing was changed; retry the update.`);
      }
      await sleep(delay);
    }
  }
}

/**
 * The old properties could not be parsed (typically the rollback of an update that was rejected
 * for them). The existing profile is then the truth about the old state.
 */
function oldSpecFromProfile(event: UpdateRequest, profile: ObservedProfile | undefined): ProfileSpec {
  // Nothing to compare with: let the reconcile loop create the profile as the new properties describe it.
  if (!profile) return event.spec;
  return {
    clusterName: event.spec.clusterName,
    explicitName: event.spec.explicitName === event.physicalResourceId ? event.physicalResourceId : undefined,
    podExecutionRoleArn: profile.podExecutionRoleArn ?? '',
    selectors: profile.selectors,
    subnets: event.spec.subnets === undefined ? undefined : profile.subnets,
    // The marker is the handler's, never one of the resource's tags (profile-model.ts, withOwnerMarker).
    tags: withoutOwnerMarker(profile.tags),
  };
}
