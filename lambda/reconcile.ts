// The reconcile loop for one job, Kubernetes-controller style: observe (describe the profile),
// decide (decide.ts, pure), act (create, delete or tag). An act's EKS error goes back through the
// decision (wait, done or fail). onEvent runs one pass to start the change; isComplete runs passes
// until the job is done, the wait deadline passes, or the invocation runs low on time. Each decision
// is told whether IAM may still be settling (RequestIam), which only time changes.
import {
  CallFailure, Decision, DecisionAfterError, decide, decideAfterError, IamContext, JobView, Observation, Operation, Ownership, Wait, WaitReason,
} from './decide';
import { Blocker, classifyError, EksApi, EksCallError, ObservedProfile } from './eks-api';
import type { AbsentJob, Job, PresentJob } from './job';
import { DecisionLog } from './log';
import { hasTagChanges, profileSatisfiesSpec, tagChanges, withOwnerMarker } from './profile-model';
import { backoffMs, canWait, iamMaySettle, InvocationClock, sleep } from './timing';
import { FARGATE_PODS_PRINCIPAL, OWNER_TAG_KEY } from '../src/wire-contract';

/** What the loop knows of the request besides its job: when it started, and the handler's role. */
export interface RequestIam {
  /** Epoch ms; undefined when unknown (see timing.ts, requestStartFromDeadline). */
  readonly startedAt?: number;
  /** HANDLER_IAM_RETRY_WINDOW_MS. */
  readonly windowMs: number;
  /** HANDLER_ROLE_ARN, set by the construct. */
  readonly handlerRoleArn?: string;
}

/** What a decision made now is told about IAM. */
export function iamContext(request: RequestIam, now = Date.now()): IamContext {
  return { settling: iamMaySettle(request.startedAt, request.windowMs, now), windowMs: request.windowMs, handlerRoleArn: request.handlerRoleArn };
}

/** What the loop has seen so far, for the timeout message. */
export interface Progress {
  lastStatus: string;
  createDeferred: boolean;
  waitReason?: WaitReason;
  blocker?: Blocker;
  detail?: string;
  retryAttempts: number;
}

/** What a pass achieved: the job is done, or it waits (for a reason, or because it just acted). */
export type Outcome =
  | { readonly done: true; readonly arn?: string }
  | { readonly done: false; readonly reason: WaitReason | 'ACTED' };

export function newProgress(): Progress {
  return { lastStatus: 'UNKNOWN', createDeferred: false, retryAttempts: 0 };
}

/** One observe-decide-act pass. Throws (with a reason fit for CloudFormation) when the resource must fail. */
export function reconcileOnce(api: EksApi, job: Job, progress: Progress, log: DecisionLog, request: RequestIam): Promise<Outcome> {
  const pass = { api, progress, log, request };
  return job.desired === 'PRESENT' ? reconcilePresent(pass, job) : reconcileAbsent(pass, job);
}

/** What one pass works with. */
interface Pass {
  readonly api: EksApi;
  readonly progress: Progress;
  readonly log: DecisionLog;
  readonly request: RequestIam;
}

/**
 * Passes until the job is done, or until waiting for the next one would eat into the invocation's
 * safety margin (the Provider then calls isComplete again). Without a clock: exactly one pass.
 * Throws when a pass fails the resource, or with {@link timeoutMessage} once `waitDeadline` has passed.
 */
export async function reconcileUntilDone(
  api: EksApi, job: Job, log: DecisionLog, clock: InvocationClock, waitDeadline: number | undefined, request: RequestIam,
): Promise<Outcome> {
  const progress = newProgress();
  for (;;) {
    const outcome = await reconcileOnce(api, job, progress, log, request);
    // Measured from the end of the pass, so the service never sees two describes closer than the interval.
    const checkedAt = Date.now();
    if (outcome.done) {
      log.info({ action: 'COMPLETE', status: progress.lastStatus });
      return outcome;
    }
    if (waitDeadline !== undefined && Date.now() >= waitDeadline) {
      const message = timeoutMessage(job, progress);
      log.error({ action: 'TIMEOUT', reason: message });
      throw new Error(message);
    }
    if (!clock.remaining) return outcome;

    let sleepMs = Math.max(0, checkedAt + clock.timing.pollIntervalMs - Date.now());
    if (outcome.reason === 'RETRYABLE') sleepMs = Math.max(sleepMs, backoffMs(progress.retryAttempts - 1, clock.timing.retryBaseMs));
    if (waitDeadline !== undefined) sleepMs = Math.min(sleepMs, Math.max(0, waitDeadline - Date.now()));
    if (!canWait(clock, sleepMs)) {
      log.info({ action: 'YIELD', status: progress.lastStatus, waitReason: progress.waitReason });
      return outcome;
    }
    await sleep(sleepMs);
  }
}

async function reconcilePresent(pass: Pass, job: PresentJob): Promise<Outcome> {
  const { api, progress, log } = pass;
  const { observed, profile } = await observe(api, job, progress);
  const decision = decide(job, observed, iamContext(pass.request));
  logDecision(log, decision, observed);
  switch (decision.action) {
    case 'CREATE':
      return act(pass, job, 'CREATE', async () => {
        // The marker comes with the create: the profile is never without it, even if this invocation dies.
        const tags = withOwnerMarker(job.spec.tags, job.owner);
        const created = await api.createProfile(job.spec, job.profileName, job.clientRequestToken, tags);
        progress.lastStatus = created.status;
        progress.createDeferred = false;
      });
    case 'SYNC_TAGS':
      // decide() syncs tags only of a profile it was shown, so `profile` is set.
      return syncTags(pass, job, profile!);
    case 'MARK':
      return mark(pass, job, profile!);
    default:
      return settle(decision, progress, profile?.arn || undefined);
  }
}

async function reconcileAbsent(pass: Pass, job: AbsentJob): Promise<Outcome> {
  const { api, progress, log } = pass;
  const { observed, profile } = await observe(api, job, progress);
  const decision = decide(job, observed, iamContext(pass.request));
  logDecision(log, decision, observed);
  if (decision.action === 'MARK') return mark(pass, job, profile!);
  if (decision.action !== 'DELETE') return settle(decision, progress, profile?.arn || undefined);
  return act(pass, job, 'DELETE', async () => {
    await api.deleteProfile(job.clusterName, job.profileName);
    progress.lastStatus = 'DELETING';
  });
}

async function syncTags(pass: Pass, job: PresentJob, profile: ObservedProfile): Promise<Outcome> {
  const { api, log } = pass;
  const outcome = await act(pass, job, 'TAG', async () => {
    const changes = tagChanges(withOwnerMarker(job.spec.tags, job.owner), profile.tags, job.previouslyManagedTags);
    if (changes.remove.length > 0) await api.untagResource(profile.arn, changes.remove);
    if (Object.keys(changes.set).length > 0) await api.tagResource(profile.arn, changes.set);
    log.info({ action: 'TAGGED', tagsSet: Object.keys(changes.set).join(','), tagsRemoved: changes.remove.join(',') });
  });
  // Tagged in place: the profile is ACTIVE with the desired tags, nothing left to wait for.
  return outcome.done === false && outcome.reason === 'ACTED' ? { done: true, arn: profile.arn } : outcome;
}

/**
 * Marks a profile created before markers existed, which is this resource's by CloudFormation's record
 * (decide.ts): the marker alone, so the next pass (and the handler role's IAM conditions) treat it as
 * its own. Never reached for a profile with any marker.
 */
async function mark(pass: Pass, job: Job, profile: ObservedProfile): Promise<Outcome> {
  return act(pass, job, 'TAG', async () => {
    await pass.api.tagResource(profile.arn, { [OWNER_TAG_KEY]: job.owner });
    pass.log.info({ action: 'MARKED', tagsSet: OWNER_TAG_KEY });
  });
}

/** Describes the profile and compares it with the job. */
async function observe(api: EksApi, job: Job, progress: Progress): Promise<{ observed: Observation; profile?: ObservedProfile }> {
  try {
    const profile = await api.describe(job.clusterName, job.profileName);
    progress.lastStatus = profile ? profile.status : 'NOT_FOUND';
    return { observed: profile ? compare(job, profile) : { kind: 'NOT_FOUND' }, profile };
  } catch (e) {
    return { observed: { kind: 'ERROR', ...callFailure('DESCRIBE', e) } };
  }
}

function compare(job: Job, profile: ObservedProfile): Observation {
  const spec = job.desired === 'PRESENT' ? job.spec : job.knownSpec;
  // Without a spec (a delete whose properties no longer validate) there is nothing to compare: assume it is ours.
  const matchesSpec = spec === undefined || profileSatisfiesSpec(profile, spec);
  const managedTags = job.desired === 'PRESENT' ? job.previouslyManagedTags : {};
  const tagsInSync = !hasTagChanges(tagChanges(withOwnerMarker(spec?.tags ?? {}, job.owner), profile.tags, managedTags));
  return { kind: 'FOUND', status: profile.status, owner: ownership(job, profile), healthIssues: profile.healthIssues, matchesSpec, tagsInSync };
}

/** Whose marker the profile carries, compared with this resource's as whole strings. */
function ownership(job: Job, profile: ObservedProfile): Ownership {
  const marker = Object.prototype.hasOwnProperty.call(profile.tags, OWNER_TAG_KEY) ? profile.tags[OWNER_TAG_KEY] : undefined;
  if (marker === undefined) return { kind: 'NONE' };
  return marker === job.owner ? { kind: 'SELF' } : { kind: 'OTHER', marker };
}

/** Runs the action; an EKS error goes back through the decision (wait, done or fail). */
async function act({ progress, log, request }: Pass, job: JobView, operation: Operation, call: () => Promise<void>): Promise<Outcome> {
  try {
    await call();
    progress.waitReason = undefined;
    progress.blocker = undefined;
    progress.detail = undefined;
    progress.retryAttempts = 0;
    return { done: false, reason: 'ACTED' };
  } catch (e) {
    const failure = callFailure(operation, e);
    const decision = decideAfterError(job, failure, iamContext(request));
    logDecision(log, decision, { kind: 'ERROR', ...failure }, operation);
    if (operation === 'CREATE' && decision.action === 'WAIT') progress.createDeferred = true;
    return settle(decision, progress);
  }
}

/** The outcome of a decision that does not act. */
function settle(decision: DecisionAfterError, progress: Progress, arn?: string): Outcome {
  switch (decision.action) {
    case 'DONE':
      return { done: true, arn };
    case 'FAIL':
      throw new Error(decision.reason);
    case 'WAIT':
      return waiting(decision, progress);
  }
}

function waiting(decision: Wait, progress: Progress): Outcome {
  progress.waitReason = decision.reason;
  progress.detail = decision.detail;
  if (decision.reason === 'CONFLICT') progress.blocker = decision.blocker;
  else if (decision.reason !== 'RETRYABLE') progress.blocker = undefined;
  if (decision.reason === 'RETRYABLE') progress.retryAttempts++;
  else progress.retryAttempts = 0;
  return { done: false, reason: decision.reason };
}

function callFailure(operation: Operation, e: unknown): CallFailure {
  const error = e instanceof EksCallError ? e.error : classifyError(e);
  return { operation, error };
}

/** The timeout message: which profile, the last status seen, and what blocked it. */
export function timeoutMessage(job: JobView, progress: Progress): string {
  const goal = job.desired === 'PRESENT' ? 'become ACTIVE' : 'be deleted';
  const status = progress.lastStatus === 'NOT_FOUND' && progress.createDeferred ? 'NOT_FOUND (create deferred)' : progress.lastStatus;
  let why = '';
  switch (progress.waitReason) {
    case 'CONFLICT':
      why = progress.blocker
        ? `, blocked by profile "${progress.blocker.profileName}" in ${progress.blocker.status}`
        : `, blocked by another profile of the cluster (${progress.detail ?? 'ResourceInUseException'})`;
      break;
    case 'IAM_PROPAGATION':
      why = `, the pod execution role's trust policy was still rejected (${progress.detail}). ` +
        `Check that the role trusts the ${FARGATE_PODS_PRINCIPAL} service principal`;
      break;
    case 'ACCESS_DENIED':
      why = `, the handler role was still refused a permission (${progress.detail}). ` +
        'Check that the handler role has it, and that no explicit deny, service control policy or permissions boundary blocks it';
      break;
    case 'RETRYABLE':
      why = `, last error: ${progress.detail}`;
      break;
    case 'NAME_IN_USE':
      why = `, the name was in use (${progress.detail})`;
      break;
    case 'LEAVING_CREATING':
      why = ', waiting for it to finish CREATING before deleting it';
      break;
  }
  return `Timed out waiting for Fargate profile "${job.profileName}" on cluster "${job.clusterName}" to ${goal}: last status ${status}${why}.`;
}

/** One log line a decision; `after` names the action whose error it answers. */
function logDecision(log: DecisionLog, decision: Decision, observed: Observation, after?: Operation): void {
  log.info({ action: decision.action, ...(after ? { after } : {}), observed: describeObservation(observed), ...decisionFields(decision) });
}

function describeObservation(o: Observation): string {
  switch (o.kind) {
    case 'NOT_FOUND': return 'NOT_FOUND';
    case 'FOUND': return `${o.status}${o.owner.kind === 'SELF' ? '' : o.owner.kind === 'NONE' ? ' (no marker)' : ' (other owner)'}` +
      `${o.matchesSpec ? '' : ' (spec differs)'}${o.tagsInSync ? '' : ' (tags differ)'}`;
    case 'ERROR': return `${o.operation} ${o.error.kind} ${o.error.code}`;
  }
}

function decisionFields(decision: Decision): Record<string, string | undefined> {
  switch (decision.action) {
    case 'WAIT':
      return {
        waitReason: decision.reason,
        blocker: decision.blocker ? `${decision.blocker.profileName} in ${decision.blocker.status}` : undefined,
        detail: decision.detail,
      };
    case 'FAIL': return { reason: decision.reason };
    case 'DONE': return { reason: decision.note };
    default: return {};
  }
}
