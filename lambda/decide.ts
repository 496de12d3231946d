// The pure decision at the heart of the handler: from the job (what the resource wants) and the
// observation (what EKS last said), the next Decision. No I/O here, so every row is table-tested.
//
// A decision either acts (a PRESENT job creates or syncs tags, an ABSENT job deletes) or does not
// (WAIT, DONE, FAIL). After a failed call there is nothing to act on: decideAfterError answers
// only WAIT, DONE or FAIL, and its type says so.
import type { Blocker, ClassifiedError, HealthIssue } from './eks-api';
import type { Job } from './job';

/** The part of a {@link Job} a decision depends on. */
export type JobView = Pick<Job, 'desired' | 'clusterName' | 'profileName'> & { readonly retryFailedDelete?: boolean };

export type Operation = 'DESCRIBE' | 'CREATE' | 'DELETE' | 'TAG';

/** A call to EKS that failed, and what kind of failure it was. */
export interface CallFailure {
  readonly operation: Operation;
  readonly error: ClassifiedError;
}

export interface FoundProfile {
  readonly kind: 'FOUND';
  readonly status: string;
  readonly healthIssues: readonly HealthIssue[];
  /** Role, selectors and subnets (when given) equal the job's spec; tags are not compared. True without a spec. */
  readonly matchesSpec: boolean;
  /** Tags this resource manages equal the desired tags. */
  readonly tagsInSync: boolean;
}

export type Observation =
  | { readonly kind: 'NOT_FOUND' }
  | FoundProfile
  | ({ readonly kind: 'ERROR' } & CallFailure);

export type WaitReason =
  | 'CREATING' | 'DELETING' | 'LEAVING_CREATING'
  | 'CONFLICT' | 'IAM_PROPAGATION' | 'RETRYABLE' | 'NAME_IN_USE';

/** `note`: why done without acting, e.g. a profile under our name that this resource did not create. */
export type Done = { readonly action: 'DONE'; readonly note?: string };
export type Wait = { readonly action: 'WAIT'; readonly reason: WaitReason; readonly blocker?: Blocker; readonly detail?: string };
export type Fail = { readonly action: 'FAIL'; readonly reason: string };

export type DecisionAfterError = Wait | Done | Fail;
export type PresentDecision = { readonly action: 'CREATE' | 'SYNC_TAGS' } | DecisionAfterError;
export type AbsentDecision = { readonly action: 'DELETE' } | DecisionAfterError;
export type Decision = PresentDecision | AbsentDecision;

export function decide(job: JobView & { readonly desired: 'PRESENT' }, observed: Observation): PresentDecision;
export function decide(job: JobView & { readonly desired: 'ABSENT' }, observed: Observation): AbsentDecision;
export function decide(job: JobView, observed: Observation): Decision;
export function decide(job: JobView, observed: Observation): Decision {
  switch (observed.kind) {
    case 'NOT_FOUND':
      return job.desired === 'PRESENT' ? { action: 'CREATE' } : { action: 'DONE' };

    case 'FOUND':
      return job.desired === 'PRESENT'
        ? decidePresent(observed, describeProfile(job))
        : decideAbsent(observed, describeProfile(job), job.retryFailedDelete === true);

    case 'ERROR':
      return decideAfterError(job, observed);
  }
}

function decidePresent(observed: FoundProfile, profile: string): PresentDecision {
  if (observed.status === 'DELETING') {
    // Going away (e.g. a same-named profile from an earlier stack): create ours once it is gone.
    return { action: 'WAIT', reason: 'DELETING' };
  }
  if (!observed.matchesSpec) {
    return {
      action: 'FAIL',
      reason: `${profile} already exists with a different pod execution role, selectors or subnets, so it was not created by this resource ` +
        'and is left untouched. Choose a different FargateProfileName, or omit it to let a unique name be generated.',
    };
  }
  switch (observed.status) {
    case 'CREATING':
      return { action: 'WAIT', reason: 'CREATING' };
    case 'ACTIVE':
      return observed.tagsInSync ? { action: 'DONE' } : { action: 'SYNC_TAGS' };
    case 'CREATE_FAILED':
      return { action: 'FAIL', reason: `${profile} failed to create (status CREATE_FAILED)${formatHealth(observed.healthIssues)}` };
    case 'DELETE_FAILED':
      return { action: 'FAIL', reason: `${profile} is in status DELETE_FAILED and cannot be used${formatHealth(observed.healthIssues)}` };
    default:
      return { action: 'FAIL', reason: `${profile} is in unexpected status ${observed.status}` };
  }
}

function decideAbsent(observed: FoundProfile, profile: string, retryFailedDelete: boolean): AbsentDecision {
  if (!observed.matchesSpec && observed.status !== 'DELETING') {
    // Never delete what this resource did not create: e.g. a create that failed because someone
    // else's profile took the name. Nothing of ours exists, so the delete is done.
    return {
      action: 'DONE',
      note: `${profile} has a different pod execution role, selectors or subnets than this resource, so it was not created by it; left untouched`,
    };
  }
  switch (observed.status) {
    case 'ACTIVE':
    case 'CREATE_FAILED':
      return { action: 'DELETE' };
    case 'DELETING':
      return { action: 'WAIT', reason: 'DELETING' };
    case 'CREATING':
      // EKS cannot delete a profile that is still being created; delete it once it settles.
      return { action: 'WAIT', reason: 'LEAVING_CREATING' };
    case 'DELETE_FAILED':
      if (retryFailedDelete) return { action: 'DELETE' };
      return { action: 'FAIL', reason: `${profile} failed to delete (status DELETE_FAILED)${formatHealth(observed.healthIssues)}` };
    default:
      return { action: 'FAIL', reason: `${profile} is in unexpected status ${observed.status}` };
  }
}

/** After a failed call (a describe, or an act): wait and look again, done, or fail with the service's words. */
export function decideAfterError(job: JobView, { operation, error }: CallFailure): DecisionAfterError {
  const desired = job.desired;
  const profile = describeProfile(job);
  switch (error.kind) {
    case 'RETRYABLE':
      return { action: 'WAIT', reason: 'RETRYABLE', detail: `${error.code}: ${error.message}` };
    case 'CONFLICT':
      // Another profile of the cluster is CREATING/DELETING: EKS allows one at a time. Not a failure.
      return { action: 'WAIT', reason: 'CONFLICT', blocker: error.blocker, detail: error.message };
    case 'NOT_FOUND':
      if (desired === 'ABSENT') return { action: 'DONE' };
      if (operation === 'CREATE') {
        return {
          action: 'FAIL',
          reason: `Cannot create ${profile}: the cluster was not found (${error.message}). Check ClusterName and that the cluster exists in this account and region.`,
        };
      }
      // The profile vanished between calls (e.g. tagging): look again, the next describe decides.
      return { action: 'WAIT', reason: 'RETRYABLE', detail: `${error.code}: ${error.message}` };
    case 'NAME_IN_USE':
      if (desired === 'PRESENT' && operation === 'CREATE') {
        // Describe it next: it is ours only if it matches the desired spec.
        return { action: 'WAIT', reason: 'NAME_IN_USE', detail: error.message };
      }
      break;
    case 'IAM_PROPAGATION':
      if (desired === 'PRESENT' && operation === 'CREATE') {
        // A freshly created role's trust policy takes a while to propagate; retry until the deadline.
        return { action: 'WAIT', reason: 'IAM_PROPAGATION', detail: error.message };
      }
      break;
  }
  const verb = { DESCRIBE: 'describe', CREATE: 'create', DELETE: 'delete', TAG: 'tag' }[operation];
  return { action: 'FAIL', reason: `Failed to ${verb} ${profile}: ${error.code}: ${error.message}` };
}

function describeProfile(job: JobView): string {
  return `Fargate profile "${job.profileName}" on cluster "${job.clusterName}"`;
}

/** Health issues, verbatim enough to act on: code, message and the affected resource ids. */
export function formatHealth(issues: readonly HealthIssue[]): string {
  if (issues.length === 0) return '';
  const parts = issues.map(i => {
    const ids = i.resourceIds && i.resourceIds.length > 0 ? ` (resources: ${i.resourceIds.join(', ')})` : '';
    return `${i.code ?? 'UnknownIssue'}: ${i.message ?? 'no message'}${ids}`;
  });
  return `: ${parts.join('; ')}`;
}
