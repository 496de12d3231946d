// The pure decision at the heart of the handler: from what the resource wants (desired) and what
// EKS last said (observed), the next step. No I/O here, so every row is table-tested.
import type { Blocker, ClassifiedError, HealthIssue } from './eks-api';

export type Desired = 'PRESENT' | 'ABSENT';

export type Operation = 'DESCRIBE' | 'CREATE' | 'DELETE' | 'TAG';

export type Observation =
  | { readonly kind: 'NOT_FOUND' }
  | {
    readonly kind: 'FOUND';
    readonly status: string;
    readonly healthIssues: readonly HealthIssue[];
    /** Role, selectors and subnets (when given) equal the desired spec; tags are not compared. */
    readonly matchesSpec: boolean;
    /** Tags this resource manages equal the desired tags. */
    readonly tagsInSync: boolean;
  }
  | { readonly kind: 'ERROR'; readonly operation: Operation; readonly error: ClassifiedError };

export type WaitReason =
  | 'CREATING' | 'DELETING' | 'LEAVING_CREATING'
  | 'CONFLICT' | 'IAM_PROPAGATION' | 'RETRYABLE' | 'NAME_IN_USE';

export type Step =
  | { readonly action: 'CREATE' | 'DELETE' | 'SYNC_TAGS' }
  /** `note`: why done without acting, e.g. a profile under our name that this resource did not create. */
  | { readonly action: 'DONE'; readonly note?: string }
  | { readonly action: 'WAIT'; readonly reason: WaitReason; readonly blocker?: Blocker; readonly detail?: string }
  | { readonly action: 'FAIL'; readonly reason: string };

export interface Target {
  readonly clusterName: string;
  readonly profileName: string;
  /**
   * A new Delete request (onEvent) retries a profile left in DELETE_FAILED by an earlier attempt:
   * the user retrying a stack deletion expects another try. Within one request it fails instead.
   */
  readonly retryFailedDelete?: boolean;
}

export function decide(desired: Desired, observed: Observation, target: Target): Step {
  const profile = `Fargate profile "${target.profileName}" on cluster "${target.clusterName}"`;
  switch (observed.kind) {
    case 'NOT_FOUND':
      return desired === 'PRESENT' ? { action: 'CREATE' } : { action: 'DONE' };

    case 'FOUND':
      return desired === 'PRESENT' ? decidePresent(observed, profile) : decideAbsent(observed, profile, target.retryFailedDelete === true);

    case 'ERROR':
      return decideAfterError(desired, observed.operation, observed.error, profile);
  }
}

function decidePresent(observed: Extract<Observation, { kind: 'FOUND' }>, profile: string): Step {
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

function decideAbsent(observed: Extract<Observation, { kind: 'FOUND' }>, profile: string, retryFailedDelete: boolean): Step {
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

function decideAfterError(desired: Desired, operation: Operation, error: ClassifiedError, profile: string): Step {
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

/** Health issues, verbatim enough to act on: code, message and the affected resource ids. */
export function formatHealth(issues: readonly HealthIssue[]): string {
  if (issues.length === 0) return '';
  const parts = issues.map(i => {
    const ids = i.resourceIds && i.resourceIds.length > 0 ? ` (resources: ${i.resourceIds.join(', ')})` : '';
    return `${i.code ?? 'UnknownIssue'}: ${i.message ?? 'no message'}${ids}`;
  });
  return `: ${parts.join('; ')}`;
}
