// Runs the reconcile loop for one profile: observe (describe), decide (pure), act (create, delete,
// tag). onEvent runs a single step; isComplete repeats steps until done or out of time.
import { Blocker, EksApi, EksCallError, ObservedProfile, classifyError } from './eks-api';
import { ProfileSpec } from './event';
import { DecisionLog } from './log';
import { Desired, Observation, Operation, Step, Target, WaitReason, decide } from './reconcile';
import { hasTagChanges, profileSatisfiesSpec, tagChanges } from './update-plan';

/** One profile this invocation is responsible for. Nothing else is ever touched. */
export interface Job {
  readonly desired: Desired;
  readonly clusterName: string;
  readonly profileName: string;
  /** The desired spec (PRESENT only; a delete needs only the names). */
  readonly spec: ProfileSpec;
  /** Idempotency token for CreateFargateProfile, derived from the CloudFormation RequestId. */
  readonly clientRequestToken: string;
  /** Tags the resource managed before this request (old properties); only these are ever removed. */
  readonly previouslyManagedTags: Record<string, string>;
  /** See {@link Target.retryFailedDelete}: true only for onEvent of a Delete. */
  readonly retryFailedDelete?: boolean;
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

export type StepResult =
  | { readonly done: true; readonly arn?: string }
  | { readonly done: false; readonly reason: WaitReason | 'ACTED' };

export function newProgress(): Progress {
  return { lastStatus: 'UNKNOWN', createDeferred: false, retryAttempts: 0 };
}

/** One observe-decide-act pass. Throws (with a reason fit for CloudFormation) when the resource must fail. */
export async function runStep(api: EksApi, job: Job, progress: Progress, log: DecisionLog): Promise<StepResult> {
  let observed: Observation;
  let profile: ObservedProfile | undefined;
  try {
    profile = await api.describe(job.clusterName, job.profileName);
    observed = profile ? observe(job, profile) : { kind: 'NOT_FOUND' };
    progress.lastStatus = profile ? profile.status : 'NOT_FOUND';
  } catch (e) {
    observed = failedCall('DESCRIBE', e);
  }

  const step = decide(job.desired, observed, target(job));
  log.info({ action: step.action, observed: describeObservation(observed), ...stepFields(step) });

  switch (step.action) {
    case 'DONE':
      return { done: true, arn: profile?.arn || undefined };
    case 'FAIL':
      throw new Error(step.reason);
    case 'WAIT':
      return waiting(step, progress);
    case 'CREATE':
      return act(job, progress, log, 'CREATE', async () => {
        const created = await api.createProfile(job.spec, job.profileName, job.clientRequestToken);
        progress.lastStatus = created.status;
        progress.createDeferred = false;
      });
    case 'DELETE':
      return act(job, progress, log, 'DELETE', async () => {
        await api.deleteProfile(job.clusterName, job.profileName);
        progress.lastStatus = 'DELETING';
      });
    case 'SYNC_TAGS': {
      const current = profile!;
      const outcome = await act(job, progress, log, 'TAG', async () => {
        const changes = tagChanges(job.spec.tags, current.tags, job.previouslyManagedTags);
        if (changes.remove.length > 0) await api.untagResource(current.arn, changes.remove);
        if (Object.keys(changes.set).length > 0) await api.tagResource(current.arn, changes.set);
        log.info({ action: 'TAGGED', tagsSet: Object.keys(changes.set).join(','), tagsRemoved: changes.remove.join(',') });
      });
      // Tagged in place: the profile is ACTIVE with the desired tags, nothing left to wait for.
      return outcome.done === false && outcome.reason === 'ACTED' ? { done: true, arn: current.arn } : outcome;
    }
  }
}

/** Runs the action; an EKS error goes back through `decide` (wait, done or fail). */
async function act(job: Job, progress: Progress, log: DecisionLog, operation: Operation, call: () => Promise<void>): Promise<StepResult> {
  try {
    await call();
    progress.waitReason = undefined;
    progress.blocker = undefined;
    progress.detail = undefined;
    progress.retryAttempts = 0;
    return { done: false, reason: 'ACTED' };
  } catch (e) {
    const observed = failedCall(operation, e);
    const step = decide(job.desired, observed, target(job));
    log.info({ action: step.action, after: operation, observed: describeObservation(observed), ...stepFields(step) });
    if (operation === 'CREATE' && step.action === 'WAIT') progress.createDeferred = true;
    switch (step.action) {
      case 'FAIL':
        throw new Error(step.reason);
      case 'WAIT':
        return waiting(step, progress);
      case 'DONE':
        return { done: true };
      default:
        // decide() answers an error only with WAIT, DONE or FAIL.
        throw new Error(`Internal error: unexpected step ${step.action} after a failed ${operation}`);
    }
  }
}

function waiting(step: Extract<Step, { action: 'WAIT' }>, progress: Progress): StepResult {
  progress.waitReason = step.reason;
  progress.detail = step.detail;
  if (step.reason === 'CONFLICT') progress.blocker = step.blocker;
  else if (step.reason !== 'RETRYABLE') progress.blocker = undefined;
  if (step.reason === 'RETRYABLE') progress.retryAttempts++;
  else progress.retryAttempts = 0;
  return { done: false, reason: step.reason };
}

/** The timeout message: which profile, the last status seen, and what blocked it. */
export function timeoutMessage(job: Job, progress: Progress): string {
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
        'Check that the role trusts the eks-fargate-pods.amazonaws.com service principal';
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

function observe(job: Job, profile: ObservedProfile): Observation {
  const spec = job.spec;
  // With partial properties (a delete only) there is nothing to compare against: assume it is ours.
  const matchesSpec = job.spec.partial === true || profileSatisfiesSpec(profile, job.spec);
  const tagsInSync = !hasTagChanges(tagChanges(spec.tags, profile.tags, job.previouslyManagedTags));
  return { kind: 'FOUND', status: profile.status, healthIssues: profile.healthIssues, matchesSpec, tagsInSync };
}

function failedCall(operation: Operation, e: unknown): Observation {
  const error = e instanceof EksCallError ? e.error : classifyError(e);
  return { kind: 'ERROR', operation, error };
}

function target(job: Job): Target {
  return { clusterName: job.clusterName, profileName: job.profileName, retryFailedDelete: job.retryFailedDelete };
}

function describeObservation(o: Observation): string {
  switch (o.kind) {
    case 'NOT_FOUND': return 'NOT_FOUND';
    case 'FOUND': return `${o.status}${o.matchesSpec ? '' : ' (spec differs)'}${o.tagsInSync ? '' : ' (tags differ)'}`;
    case 'ERROR': return `${o.operation} ${o.error.kind} ${o.error.code}`;
  }
}

function stepFields(step: Step): Record<string, string | undefined> {
  if (step.action === 'WAIT') {
    return {
      waitReason: step.reason,
      blocker: step.blocker ? `${step.blocker.profileName} in ${step.blocker.status}` : undefined,
      detail: step.detail,
    };
  }
  if (step.action === 'FAIL') return { reason: step.reason };
  if (step.action === 'DONE') return { reason: step.note };
  return {};
}
