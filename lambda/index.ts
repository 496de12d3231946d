// Entry points of the bundled handler, for the CDK Provider framework:
//   onEvent(event)    -> { PhysicalResourceId, Data: { WaitDeadline } }   (starts the change, never waits)
//   isComplete(event) -> { IsComplete, Data? }                            (polls until the profile is ACTIVE / gone)
//
// How it works, controller style: each invocation is responsible for exactly one profile (the physical
// id, or the name computed for a create) and repeats observe (DescribeFargateProfile) -> decide
// (reconcile.ts, pure) -> act (create / delete / tag). EKS allows one profile per cluster in CREATING
// or DELETING at a time; a create or delete refused for that reason is not a failure: onEvent returns
// normally and isComplete retries it (idempotently, same clientRequestToken) until it goes through or
// the deadline (Data.WaitDeadline, HANDLER_WAIT_TIMEOUT_MS after onEvent, rounded up; see waitDeadline) passes. The same holds for
// the IAM trust-policy propagation error and for throttling/5xx (with backoff). Updates are planned by
// update-plan.ts: no-op, tags in place, replacement under a new name, or rejected (an immutable change
// with a fixed explicit name) before anything is touched.
import { backoffMs, readTiming, Timing, waitDeadline } from './config';
import { Job, newProgress, runStep, timeoutMessage } from './controller';
import { EksApi, EksCallError, ObservedProfile } from './eks-api';
import { HandlerEvent, InvalidEventError, parseEvent, ProfileSpec } from './event';
import { DecisionLog, logRejectedEvent } from './log';
import { clientRequestToken, generateProfileName } from './naming';
import { isRollbackInPlace, planUpdate, profileSatisfiesSpec } from './update-plan';

/** Without a context (no clock), how often onEvent tries the describe an update plan needs. */
const MAX_PLAN_DESCRIBE_ATTEMPTS = 3;

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly WaitDeadline: string };
}

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: { readonly Arn: string };
}

export async function onEvent(rawEvent: unknown, context?: LambdaContext): Promise<OnEventResponse> {
  const timing = readTiming();
  const event = parse('onEvent', rawEvent);
  const data = { WaitDeadline: String(waitDeadline(Date.now(), timing.waitTimeoutMs)) };
  const remaining = remainingTime(context);
  const api = EksApi.create({ callBudgetMs: callBudget(remaining, timing) });

  let job: Job;
  switch (event.requestType) {
    case 'Create':
      job = presentJob(event, createName(event), {});
      break;
    case 'Delete':
      // A new delete request gets another try at a profile an earlier attempt left in DELETE_FAILED.
      job = { ...absentJob(event), retryFailedDelete: true };
      break;
    case 'Update': {
      const currentName = event.physicalResourceId!;
      const log = DecisionLog.forEvent('onEvent', event, currentName);
      // The plan compares old and new properties; the live profile decides only for rollbacks (isRollbackInPlace).
      const existing = await describeForPlan(api, event, currentName, timing, remaining);
      const oldSpec = event.oldSpec ?? oldSpecFromProfile(event, currentName, existing);
      const rollback = isRollbackInPlace(existing, oldSpec, event.spec);
      const plan = planUpdate(oldSpec, event.spec, currentName, generateProfileName(event.logicalResourceId, event.requestId), rollback);
      const matchesNew = existing !== undefined && profileSatisfiesSpec(existing, event.spec);
      log.info({
        action: `PLAN_${plan.kind}`,
        observed: existing ? `${existing.status}${matchesNew ? '' : ' (spec differs)'}` : 'NOT_FOUND',
        reason: 'reason' in plan ? plan.reason : undefined,
      });
      if (plan.kind === 'REJECT') throw new Error(plan.reason);
      if (plan.kind === 'NO_OP') return { PhysicalResourceId: currentName, Data: data };
      // UPDATE_TAGS keeps the name; REPLACE creates the new profile and returns its name, and
      // CloudFormation then deletes the old one with a Delete event.
      const name = plan.kind === 'REPLACE' ? plan.newName : currentName;
      job = presentJob(event, name, plan.kind === 'REPLACE' ? {} : oldSpec.tags);
      break;
    }
  }

  // One step only: start the change. Waiting (and retrying what was deferred) is isComplete's job.
  await runStep(api, job, newProgress(), DecisionLog.forEvent('onEvent', event, job.profileName));
  return { PhysicalResourceId: job.profileName, Data: data };
}

export async function isComplete(rawEvent: unknown, context?: LambdaContext): Promise<IsCompleteResponse> {
  const timing = readTiming();
  const event = parse('isComplete', rawEvent);
  const remaining = remainingTime(context);
  const api = EksApi.create({ callBudgetMs: callBudget(remaining, timing) });
  const job = event.requestType === 'Delete'
    ? absentJob(event)
    // The Provider passes onEvent's PhysicalResourceId: the profile created or kept by onEvent.
    : presentJob(event, event.physicalResourceId ?? createName(event), event.oldSpec?.tags ?? {});
  const log = DecisionLog.forEvent('isComplete', event, job.profileName);
  const progress = newProgress();

  for (;;) {
    const result = await runStep(api, job, progress, log);
    // Measured from the end of the step, so the service never sees two describes closer than the interval.
    const checkedAt = Date.now();
    if (result.done) {
      log.info({ action: 'COMPLETE', status: progress.lastStatus });
      return result.arn && job.desired === 'PRESENT' ? { IsComplete: true, Data: { Arn: result.arn } } : { IsComplete: true };
    }
    if (event.waitDeadline !== undefined && Date.now() >= event.waitDeadline) {
      const message = timeoutMessage(job, progress);
      log.error({ action: 'TIMEOUT', reason: message });
      throw new Error(message);
    }
    // Without a context there is no clock to poll against: exactly one check.
    if (!remaining) return { IsComplete: false };

    let sleepMs = Math.max(0, checkedAt + timing.pollIntervalMs - Date.now());
    if (result.reason === 'RETRYABLE') sleepMs = Math.max(sleepMs, backoffMs(progress.retryAttempts - 1, timing.retryBaseMs));
    if (event.waitDeadline !== undefined) sleepMs = Math.min(sleepMs, Math.max(0, event.waitDeadline - Date.now()));
    if (remaining() - sleepMs <= timing.safetyMarginMs) {
      log.info({ action: 'YIELD', status: progress.lastStatus, waitReason: progress.waitReason });
      return { IsComplete: false };
    }
    await sleep(sleepMs);
  }
}

function parse(handler: 'onEvent' | 'isComplete', rawEvent: unknown): HandlerEvent {
  try {
    return parseEvent(rawEvent);
  } catch (e) {
    const message = e instanceof InvalidEventError ? e.message : `Invalid event: ${(e as Error).message}`;
    logRejectedEvent(handler, rawEvent, message);
    throw new Error(message);
  }
}

function createName(event: HandlerEvent): string {
  return event.spec.explicitName ?? generateProfileName(event.logicalResourceId, event.requestId);
}

function presentJob(event: HandlerEvent, profileName: string, previouslyManagedTags: Record<string, string>): Job {
  return {
    desired: 'PRESENT',
    clusterName: event.spec.clusterName,
    profileName,
    spec: event.spec,
    clientRequestToken: clientRequestToken(event.requestId, profileName),
    previouslyManagedTags,
  };
}

function absentJob(event: HandlerEvent): Job {
  const profileName = event.physicalResourceId!;
  return {
    desired: 'ABSENT',
    clusterName: event.spec.clusterName,
    profileName,
    spec: event.spec,
    clientRequestToken: clientRequestToken(event.requestId, profileName),
    previouslyManagedTags: {},
  };
}

/**
 * The profile as it is, for planning an update. Throttling and 5xx are retried (with backoff,
 * within the invocation's time) because guessing would be worse: a plan without it could replace
 * or reject where the profile already matches.
 */
async function describeForPlan(
  api: EksApi, event: HandlerEvent, name: string, timing: Timing, remaining: (() => number) | undefined,
): Promise<ObservedProfile | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.describe(event.spec.clusterName, name);
    } catch (e) {
      const error = e instanceof EksCallError ? e.error : undefined;
      const delay = backoffMs(attempt, timing.retryBaseMs);
      const timeLeft = remaining ? remaining() - delay > timing.safetyMarginMs : attempt < MAX_PLAN_DESCRIBE_ATTEMPTS - 1;
      if (error?.kind !== 'RETRYABLE' || !timeLeft) {
        const cause = error ? `${error.code}: ${error.message}` : String(e);
        throw new Error(`Cannot plan the update of Fargate profile "${name}" on cluster "${event.spec.clusterName}": ` +
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
function oldSpecFromProfile(event: HandlerEvent, currentName: string, profile: ObservedProfile | undefined): ProfileSpec {
  // Nothing to compare with: let the reconcile loop create the profile as the new properties describe it.
  if (!profile) return event.spec;
  return {
    clusterName: event.spec.clusterName,
    explicitName: event.spec.explicitName === currentName ? currentName : undefined,
    podExecutionRoleArn: profile.podExecutionRoleArn ?? '',
    selectors: profile.selectors,
    subnets: event.spec.subnets === undefined ? undefined : profile.subnets,
    tags: profile.tags,
  };
}

/**
 * The invocation's remaining time, or undefined without a context. Also bounded by our own clock
 * from the first reading, so a context whose answer never shrinks cannot keep the loop going forever.
 */
function remainingTime(context: LambdaContext | undefined): (() => number) | undefined {
  const read = context?.getRemainingTimeInMillis;
  if (typeof read !== 'function') return undefined;
  const first = Number(read.call(context));
  if (!Number.isFinite(first)) return undefined;
  const end = Date.now() + first;
  return () => {
    const reported = Number(read.call(context));
    return Math.min(Number.isFinite(reported) ? reported : 0, end - Date.now());
  };
}

/** How long one EKS call may take: what is left of the invocation, minus part of the safety margin. */
function callBudget(remaining: (() => number) | undefined, timing: Timing): (() => number) | undefined {
  if (!remaining) return undefined;
  return () => Math.max(250, remaining() - Math.floor(timing.safetyMarginMs / 2));
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
