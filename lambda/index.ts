// Entry points of the bundled handler, for the CDK Provider framework:
//   onEvent(event)    -> { PhysicalResourceId, Data: { WaitDeadline, InPlace? } }   (starts the change, never waits)
//   isComplete(event) -> { IsComplete, PhysicalResourceId?, Data? }      (polls until the profile is ACTIVE / gone)
//
// A Create's (or a replacing Update's) physical id is a pending one (naming.ts, pendingCreateId) until
// isComplete reports the profile's name with the completed change: CloudFormation records the name only
// for a profile that was made, and the delete of a failed one removes only a profile this resource marked.
//
// How it works, Kubernetes-controller style. Each invocation has one job (job.ts): one profile (the
// physical id, or the name computed for a create) that should be PRESENT or ABSENT. It runs the
// reconcile loop (reconcile.ts) on it: observe (DescribeFargateProfile) -> decide (decide.ts, pure)
// -> act (create / delete / tag, through eks-api.ts, the only module that talks to EKS).
//
// EKS allows one profile per cluster in CREATING or DELETING at a time; a create or delete refused
// for that reason is not a failure: onEvent returns normally and isComplete retries it
// (idempotently, same clientRequestToken) until it goes through or the deadline passes
// (Data.WaitDeadline, HANDLER_WAIT_TIMEOUT_MS after onEvent, rounded up; see timing.ts). The same
// holds for throttling/5xx (with backoff), and, for HANDLER_IAM_RETRY_WINDOW_MS after the request
// started, for IAM refusals: the pod execution role's trust policy rejected, or the handler role
// denied a permission (both can be IAM propagation). After that window they fail with what to fix.
//
// The other modules: event.ts parses the event; profile-model.ts holds the canonical spec and its
// comparisons; update.ts plans an Update (no-op, tags in place, replacement under a new name, or
// rejected before anything is touched); naming.ts derives names and tokens; log.ts writes one JSON
// line per decision. src/wire-contract.ts is what the construct writes and this handler reads.
import { EksApi } from './eks-api';
import { HandlerEvent, InvalidEventError, parseEvent } from './event';
import { absentJob, createName, Job, jobToComplete, presentJob } from './job';
import { DecisionLog, logRejectedEvent } from './log';
import { pendingCreateId } from './naming';
import { newProgress, reconcileOnce, reconcileUntilDone, RequestIam } from './reconcile';
import { callBudget, invocationClock, LambdaContext, requestStartFromDeadline, Timing, waitDeadline } from './timing';
import { jobForUpdate } from './update';

export type { LambdaContext } from './timing';

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  /** InPlace: an Update kept its profile (tells isComplete the name is still CloudFormation's record). */
  readonly Data: { readonly WaitDeadline: string; readonly InPlace?: 'true' };
}

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  /** A completed Create: the profile's name, in place of onEvent's pending id (the framework merges it). */
  readonly PhysicalResourceId?: string;
  readonly Data?: { readonly Arn: string };
}

export async function onEvent(rawEvent: unknown, context?: LambdaContext): Promise<OnEventResponse> {
  const clock = invocationClock(context);
  const event = parse('onEvent', rawEvent);
  const startedAt = Date.now();
  let data: OnEventResponse['Data'] = { WaitDeadline: String(waitDeadline(startedAt, clock.timing.waitTimeoutMs)) };
  const api = EksApi.create({ callBudgetMs: callBudget(clock) });
  const request = requestIam(startedAt, clock.timing);

  let job: Job;
  switch (event.requestType) {
    case 'Create':
      job = presentJob(event, createName(event), {}, false);
      break;
    case 'Delete':
      // A new delete request gets another try at a profile an earlier attempt left in DELETE_FAILED.
      job = absentJob(event, true);
      break;
    case 'Update': {
      const update = await jobForUpdate(api, event, clock, request);
      if (update === 'NO_OP') return { PhysicalResourceId: event.physicalResourceId, Data: data };
      job = update;
      if (job.recordedName) data = { ...data, InPlace: 'true' };
      break;
    }
  }

  // One pass only: start the change. Waiting (and retrying what was deferred) is isComplete's job.
  await reconcileOnce(api, job, newProgress(), DecisionLog.forEvent('onEvent', event, job.profileName), request);
  // A create or a replacement becomes CloudFormation's record only once done; a delete reports the id it was given.
  const pending = event.requestType === 'Create' || (event.requestType === 'Update' && !job.recordedName) ||
    (event.requestType === 'Delete' && !event.recordedName);
  return { PhysicalResourceId: pending ? pendingCreateId(job.profileName) : job.profileName, Data: data };
}

export async function isComplete(rawEvent: unknown, context?: LambdaContext): Promise<IsCompleteResponse> {
  const clock = invocationClock(context);
  const event = parse('isComplete', rawEvent);
  const api = EksApi.create({ callBudgetMs: callBudget(clock) });
  // The Provider passes onEvent's PhysicalResourceId: the profile created or kept by onEvent.
  const job = jobToComplete(event);
  const log = DecisionLog.forEvent('isComplete', event, job.profileName);

  const startedAt = requestStartFromDeadline(event.waitDeadline, clock.timing.waitTimeoutMs, Date.now());
  const outcome = await reconcileUntilDone(api, job, log, clock, event.waitDeadline, requestIam(startedAt, clock.timing));
  if (!outcome.done) return { IsComplete: false };
  // The completed create or replacement: its name takes the place of onEvent's pending id (the framework merges it).
  const named = event.requestType !== 'Delete' && event.pendingId ? { PhysicalResourceId: job.profileName } : {};
  return outcome.arn && job.desired === 'PRESENT' ? { IsComplete: true, ...named, Data: { Arn: outcome.arn } } : { IsComplete: true, ...named };
}

/** The request's IAM context; the handler role's ARN comes from the construct (HANDLER_ROLE_ARN). */
function requestIam(startedAt: number | undefined, timing: Timing): RequestIam {
  const handlerRoleArn = process.env.HANDLER_ROLE_ARN || undefined;
  return { startedAt, windowMs: timing.iamRetryWindowMs, handlerRoleArn };
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
