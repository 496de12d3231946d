// The pure decision at the heart of the handler: from the job (what the resource wants) and the
// observation (what EKS last said), the next Decision. No I/O here, so every row is table-tested.
//
// A decision either acts (a PRESENT job creates or syncs tags, an ABSENT job deletes, either marks a
// profile as its own) or does not (WAIT, DONE, FAIL).
//
// Ownership: a profile is this resource's only when it carries its ownership marker (a tag set on
// create, naming.ts ownerMarker), or, with no marker at all, when its name is CloudFormation's record
// of this resource's profile (an Update that keeps it, or a Delete): a profile created before markers
// existed, which is marked first (MARK) and then treated as its own. A profile with another resource's
// marker, or an unmarked one under a name CloudFormation has not recorded for this resource (a create),
// is never adopted, tagged or deleted: a create fails naming the owner, a delete is done without it. After a failed call there is nothing to act on: decideAfterError answers
// only WAIT, DONE or FAIL, and its type says so. An IAM refusal is waited on only while IAM may
// still be settling (IamContext): after that it fails with what to fix.
import type { Blocker, ClassifiedError, HealthIssue } from './eks-api';
import type { Job } from './job';
import { describeOwner } from './naming';
import type { ProfileSpec } from './profile-model';
import { FARGATE_PODS_PRINCIPAL, OWNER_TAG_KEY } from '../src/wire-contract';

/** The part of a {@link Job} a decision depends on. */
export type JobView = Pick<Job, 'desired' | 'clusterName' | 'profileName'> & {
  readonly retryFailedDelete?: boolean;
  /** See {@link Job}: an unmarked profile under this name is this resource's, to be marked. */
  readonly recordedName?: boolean;
  /** A PRESENT job's spec: the pod execution role is named when EKS rejects its trust policy. */
  readonly spec?: Pick<ProfileSpec, 'podExecutionRoleArn'>;
};

/** What the loop tells a decision about IAM, which changes with time (see timing.ts, iamMaySettle). */
export interface IamContext {
  /** IAM changes this request depends on may still be propagating: refusals are waited on. */
  readonly settling: boolean;
  /** How long after the request's start refusals are waited on (HANDLER_IAM_RETRY_WINDOW_MS), for messages. */
  readonly windowMs: number;
  /** The handler role's ARN (HANDLER_ROLE_ARN), named when a permission is missing. */
  readonly handlerRoleArn?: string;
}

export type Operation = 'DESCRIBE' | 'CREATE' | 'DELETE' | 'TAG';

/** A call to EKS that failed, and what kind of failure it was. */
export interface CallFailure {
  readonly operation: Operation;
  readonly error: ClassifiedError;
}

/** Whose ownership marker a profile carries: this resource's, none, or another resource's (its value). */
export type Ownership = { readonly kind: 'SELF' } | { readonly kind: 'NONE' } | { readonly kind: 'OTHER'; readonly marker: string };

export interface FoundProfile {
  readonly kind: 'FOUND';
  readonly status: string;
  readonly owner: Ownership;
  readonly healthIssues: readonly HealthIssue[];
  /** Role, selectors and subnets (when given) equal the job's spec; tags are not compared. True without a spec. */
  readonly matchesSpec: boolean;
  /** Tags this resource manages (its marker included) equal the desired tags. */
  readonly tagsInSync: boolean;
}

export type Observation =
  | { readonly kind: 'NOT_FOUND' }
  | FoundProfile
  | ({ readonly kind: 'ERROR' } & CallFailure);

export type WaitReason =
  | 'CREATING' | 'DELETING' | 'LEAVING_CREATING'
  | 'CONFLICT' | 'IAM_PROPAGATION' | 'ACCESS_DENIED' | 'RETRYABLE' | 'NAME_IN_USE';

/** `note`: why done without acting, e.g. a profile under our name that this resource did not create. */
export type Done = { readonly action: 'DONE'; readonly note?: string };
export type Wait = { readonly action: 'WAIT'; readonly reason: WaitReason; readonly blocker?: Blocker; readonly detail?: string };
export type Fail = { readonly action: 'FAIL'; readonly reason: string };

export type DecisionAfterError = Wait | Done | Fail;
/** MARK: tag an unmarked profile of this resource (by CloudFormation's record) with its marker. */
export type Mark = { readonly action: 'MARK' };
export type PresentDecision = { readonly action: 'CREATE' | 'SYNC_TAGS' } | Mark | DecisionAfterError;
export type AbsentDecision = { readonly action: 'DELETE' } | Mark | DecisionAfterError;
export type Decision = PresentDecision | AbsentDecision;

export function decide(job: JobView & { readonly desired: 'PRESENT' }, observed: Observation, iam: IamContext): PresentDecision;
export function decide(job: JobView & { readonly desired: 'ABSENT' }, observed: Observation, iam: IamContext): AbsentDecision;
export function decide(job: JobView, observed: Observation, iam: IamContext): Decision;
export function decide(job: JobView, observed: Observation, iam: IamContext): Decision {
  switch (observed.kind) {
    case 'NOT_FOUND':
      return job.desired === 'PRESENT' ? { action: 'CREATE' } : { action: 'DONE' };

    case 'FOUND':
      return job.desired === 'PRESENT' ? decidePresent(job, observed) : decideAbsent(job, observed);

    case 'ERROR':
      return decideAfterError(job, observed, iam);
  }
}

function decidePresent(job: JobView, observed: FoundProfile): PresentDecision {
  const profile = describeProfile(job);
  if (observed.status === 'DELETING') {
    // Going away (e.g. a same-named profile from an earlier stack): create ours once it is gone.
    return { action: 'WAIT', reason: 'DELETING' };
  }
  const why = notOurs(job, observed);
  if (why) return { action: 'FAIL', reason: notOursFailure(job, observed, why) };
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
      if (observed.owner.kind === 'NONE') return { action: 'MARK' };
      return observed.tagsInSync ? { action: 'DONE' } : { action: 'SYNC_TAGS' };
    case 'CREATE_FAILED':
      return { action: 'FAIL', reason: `${profile} failed to create (status CREATE_FAILED)${formatHealth(observed.healthIssues)}` };
    case 'DELETE_FAILED':
      return { action: 'FAIL', reason: `${profile} is in status DELETE_FAILED and cannot be used${formatHealth(observed.healthIssues)}` };
    default:
      return { action: 'FAIL', reason: `${profile} is in unexpected status ${observed.status}` };
  }
}

function decideAbsent(job: JobView, observed: FoundProfile): AbsentDecision {
  const profile = describeProfile(job);
  // Never delete what this resource did not create: e.g. the rollback of a create that failed because
  // someone else's profile took the name. Nothing of ours exists, so the delete is done.
  const why = notOurs(job, observed);
  if (why) return { action: 'DONE', note: `${profile} ${why}; left untouched` };
  // An unmarked profile is this resource's by CloudFormation's record only if it is also what the
  // resource asked for: the rule before markers existed, kept for the profiles created then.
  const unmarked = observed.owner.kind === 'NONE';
  if (unmarked && !observed.matchesSpec && observed.status !== 'DELETING') {
    return {
      action: 'DONE',
      note: `${profile} has no ownership marker and a different pod execution role, selectors or subnets than this resource, ` +
        'so it was not created by it; left untouched',
    };
  }
  const deleteIt: AbsentDecision = unmarked ? { action: 'MARK' } : { action: 'DELETE' };
  switch (observed.status) {
    case 'ACTIVE':
    case 'CREATE_FAILED':
      return deleteIt;
    case 'DELETING':
      return { action: 'WAIT', reason: 'DELETING' };
    case 'CREATING':
      // EKS cannot delete a profile that is still being created; delete it once it settles.
      return { action: 'WAIT', reason: 'LEAVING_CREATING' };
    case 'DELETE_FAILED':
      if (job.retryFailedDelete === true) return deleteIt;
      return { action: 'FAIL', reason: `${profile} failed to delete (status DELETE_FAILED)${formatHealth(observed.healthIssues)}` };
    default:
      return { action: 'FAIL', reason: `${profile} is in unexpected status ${observed.status}` };
  }
}

/**
 * Why a found profile is not this resource's to adopt, tag or delete ("belongs to ..."); undefined
 * when it is (its marker, or no marker under CloudFormation's record of this resource).
 */
function notOurs(job: JobView, observed: FoundProfile): string | undefined {
  switch (observed.owner.kind) {
    case 'SELF':
      return undefined;
    case 'OTHER':
      return `belongs to another resource: ${describeOwner(observed.owner.marker)}`;
    case 'NONE':
      if (job.recordedName === true) return undefined;
      return `has no ownership marker (tag "${OWNER_TAG_KEY}"), so this resource did not create it ` +
        '(it was made by hand, by another tool, or by a version of this library that set no marker)';
  }
}

/** A create's failure for a profile that is not its own: what happened, and what to do. */
function notOursFailure(job: JobView, observed: FoundProfile, why: string): string {
  const remedy = observed.owner.kind === 'OTHER'
    ? 'or delete it with its owner (that stack or resource) first'
    : 'or, if that profile is no longer needed, delete it';
  return `${describeProfile(job)} already exists and ${why}. It is left untouched: a profile is adopted or deleted only by the resource ` +
    `that created it. Choose a different FargateProfileName, or omit it to let a unique name be generated; ${remedy}; then deploy again.`;
}

/** After a failed call (a describe, or an act): wait and look again, done, or fail with the service's words. */
export function decideAfterError(job: JobView, { operation, error }: CallFailure, iam: IamContext): DecisionAfterError {
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
        // A freshly created role's trust policy takes a while to propagate: retried while IAM may settle.
        if (iam.settling) return { action: 'WAIT', reason: 'IAM_PROPAGATION', detail: error.message };
        return { action: 'FAIL', reason: trustPolicyReason(job, error, iam) };
      }
      break;
    case 'ACCESS_DENIED':
      // The handler's own policies are created just before the first profile; IAM is eventually consistent.
      if (iam.settling) return { action: 'WAIT', reason: 'ACCESS_DENIED', detail: `${error.code}: ${error.message}` };
      return { action: 'FAIL', reason: accessDeniedReason(job, operation, error, iam) };
  }
  return { action: 'FAIL', reason: `Failed to ${VERBS[operation]} ${profile}: ${error.code}: ${error.message}` };
}

const VERBS: Record<Operation, string> = { DESCRIBE: 'describe', CREATE: 'create', DELETE: 'delete', TAG: 'tag' };

/** EKS still rejects the pod execution role's trust policy after the window: the role is wrong, not new. */
function trustPolicyReason(job: JobView, error: ClassifiedError, iam: IamContext): string {
  const role = job.spec ? `its pod execution role ${job.spec.podExecutionRoleArn}` : 'its pod execution role';
  return `Cannot create ${describeProfile(job)}: EKS rejects ${role} (${error.code}: ${error.message}), ` +
    `still ${formatWindow(iam.windowMs)} after the request started, longer than IAM takes to propagate a new role. ` +
    `The role's trust policy must allow sts:AssumeRole to the service principal ${FARGATE_PODS_PRINCIPAL} ` +
    `(the EKS user guide adds the condition ArnLike aws:SourceArn arn:<partition>:eks:<region>:<account>:fargateprofile/${job.clusterName}/*). ` +
    'A role defined in this app is checked for it at synth time; for an imported role, fix its trust policy, then deploy again.';
}

/** The handler role still lacks a permission after the window: name the action, the role and what to do. */
export function accessDeniedReason(job: JobView, operation: Operation, error: ClassifiedError, iam: IamContext): string {
  const role = iam.handlerRoleArn ? `the handler role ${iam.handlerRoleArn}` : 'the handler role (the execution role of this function)';
  const action = error.action ?? 'a permission it needs (see the message)';
  return `Failed to ${VERBS[operation]} ${describeProfile(job)}: ${role} is not allowed ${action} ` +
    `(${error.code}: ${error.message}), still ${formatWindow(iam.windowMs)} after the request started, longer than IAM takes ` +
    `to propagate the handler's policies. Grant ${error.action ?? 'it'} to ${iam.handlerRoleArn ?? 'the handler role'} ` +
    '(this library grants every permission the handler needs, see README "Security"). If you changed the handler role\'s ' +
    'policies, or the account applies an explicit deny, a service control policy or a permissions boundary, check that it allows this.';
}

/** "2 minutes", "90 s", "1.2 s": the IAM retry window as a message says it. */
export function formatWindow(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1))} s`;
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
