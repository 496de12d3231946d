import { Decision, decide, decideAfterError, formatHealth, formatWindow, IamContext, JobView, Observation, Operation, Ownership } from '../../lambda/decide';
import type { ClassifiedError } from '../../lambda/eks-api';
import type { Desired } from '../../lambda/job';

const names = { clusterName: 'demo', profileName: 'web' };
// As the handler builds them: a delete's name is always CloudFormation's record (its PhysicalResourceId), a create's never.
const job = (desired: Desired, extra: Partial<JobView> = {}): JobView => ({ desired, ...names, recordedName: desired === 'ABSENT', ...extra });

const SELF: Ownership = { kind: 'SELF' };
const NONE: Ownership = { kind: 'NONE' };
const OTHER_MARKER = 'arn:aws:cloudformation:us-east-1:123456789012:stack/StackA/0b7f3a10-2f8e-11ef-9b8a-0a1b2c3d4e5f/AppsProfile1A2B3C4D';
const OTHER: Ownership = { kind: 'OTHER', marker: OTHER_MARKER };

function found(status: string, extra: Partial<Extract<Observation, { kind: 'FOUND' }>> = {}): Observation {
  return { kind: 'FOUND', status, owner: SELF, healthIssues: [], matchesSpec: true, tagsInSync: true, ...extra };
}

function failed(operation: Operation, kind: ClassifiedError['kind'], extra: Partial<ClassifiedError> = {}): Observation {
  return { kind: 'ERROR', operation, error: { kind, code: `${kind}Code`, message: `${kind} message`, ...extra } };
}

const blocker = { profileName: 'other', status: 'DELETING' };

const HANDLER_ROLE = 'arn:aws:iam::123456789012:role/Stack-HandlerRole-ABC';
const POD_ROLE = 'arn:aws:iam::123456789012:role/pod-execution';
/** Within HANDLER_IAM_RETRY_WINDOW_MS of the request's start: IAM refusals may be propagation. */
const SETTLING: IamContext = { settling: true, windowMs: 120_000, handlerRoleArn: HANDLER_ROLE };
/** After the window: an IAM refusal is a real one. */
const SETTLED: IamContext = { settling: false, windowMs: 120_000, handlerRoleArn: HANDLER_ROLE };

// desired, observed, expected decision (partial match)
const rows: Array<[string, Desired, Observation, Partial<Decision> & { action: Decision['action'] }]> = [
  // --- desired PRESENT
  ['present / not found -> create', 'PRESENT', { kind: 'NOT_FOUND' }, { action: 'CREATE' }],
  ['present / CREATING -> wait', 'PRESENT', found('CREATING'), { action: 'WAIT', reason: 'CREATING' }],
  ['present / ACTIVE -> done', 'PRESENT', found('ACTIVE'), { action: 'DONE' }],
  ['present / ACTIVE, tags differ -> sync tags', 'PRESENT', found('ACTIVE', { tagsInSync: false }), { action: 'SYNC_TAGS' }],
  ['present / CREATING, tags differ -> wait (tags come with the create)', 'PRESENT', found('CREATING', { tagsInSync: false }),
    { action: 'WAIT', reason: 'CREATING' }],
  ['present / DELETING -> wait for it to go', 'PRESENT', found('DELETING'), { action: 'WAIT', reason: 'DELETING' }],
  ['present / DELETING, foreign spec -> still wait (it is going away)', 'PRESENT', found('DELETING', { matchesSpec: false }),
    { action: 'WAIT', reason: 'DELETING' }],
  ['present / ACTIVE, foreign spec -> fail', 'PRESENT', found('ACTIVE', { matchesSpec: false }), { action: 'FAIL' }],
  ['present / CREATING, foreign spec -> fail', 'PRESENT', found('CREATING', { matchesSpec: false }), { action: 'FAIL' }],
  ['present / CREATE_FAILED -> fail', 'PRESENT', found('CREATE_FAILED'), { action: 'FAIL' }],
  ['present / CREATE_FAILED, foreign spec -> fail as not ours', 'PRESENT', found('CREATE_FAILED', { matchesSpec: false }),
    { action: 'FAIL', reason: expect.stringContaining('was not created by this resource') }],
  ['present / DELETE_FAILED -> fail', 'PRESENT', found('DELETE_FAILED'), { action: 'FAIL' }],
  ['present / unknown status -> fail', 'PRESENT', found('MIGRATING'), { action: 'FAIL' }],
  // --- desired ABSENT
  ['absent / not found -> done', 'ABSENT', { kind: 'NOT_FOUND' }, { action: 'DONE' }],
  ['absent / ACTIVE -> delete', 'ABSENT', found('ACTIVE'), { action: 'DELETE' }],
  ['absent / ACTIVE, tags differ -> delete (tags do not matter)', 'ABSENT', found('ACTIVE', { tagsInSync: false }), { action: 'DELETE' }],
  ['absent / ACTIVE, unmarked, foreign spec -> done, left untouched', 'ABSENT', found('ACTIVE', { matchesSpec: false, owner: NONE }), { action: 'DONE' }],
  ['absent / CREATE_FAILED, foreign spec -> done, left untouched', 'ABSENT', found('CREATE_FAILED', { matchesSpec: false, owner: NONE }), { action: 'DONE' }],
  ['absent / CREATING, foreign spec -> done, left untouched', 'ABSENT', found('CREATING', { matchesSpec: false, owner: NONE }), { action: 'DONE' }],
  ['absent / DELETE_FAILED, foreign spec -> done, left untouched', 'ABSENT', found('DELETE_FAILED', { matchesSpec: false, owner: NONE }), { action: 'DONE' }],
  ['absent / DELETING, foreign spec -> wait until gone', 'ABSENT', found('DELETING', { matchesSpec: false, owner: NONE }), { action: 'WAIT', reason: 'DELETING' }],
  ['absent / CREATE_FAILED -> delete', 'ABSENT', found('CREATE_FAILED'), { action: 'DELETE' }],
  ['absent / CREATING -> wait, then delete', 'ABSENT', found('CREATING'), { action: 'WAIT', reason: 'LEAVING_CREATING' }],
  ['absent / DELETING -> wait', 'ABSENT', found('DELETING'), { action: 'WAIT', reason: 'DELETING' }],
  ['absent / DELETE_FAILED -> fail', 'ABSENT', found('DELETE_FAILED'), { action: 'FAIL' }],
  ['absent / unknown status -> fail', 'ABSENT', found('MIGRATING'), { action: 'FAIL' }],
  // --- errors of the last call
  ['describe throttled -> wait', 'PRESENT', failed('DESCRIBE', 'RETRYABLE'), { action: 'WAIT', reason: 'RETRYABLE' }],
  ['describe fatal -> fail', 'PRESENT', failed('DESCRIBE', 'FATAL'), { action: 'FAIL' }],
  ['describe fatal while deleting -> fail', 'ABSENT', failed('DESCRIBE', 'FATAL'), { action: 'FAIL' }],
  ['create conflict -> wait with the blocker', 'PRESENT', failed('CREATE', 'CONFLICT', { blocker }),
    { action: 'WAIT', reason: 'CONFLICT', blocker }],
  ['create conflict without a named blocker -> wait', 'PRESENT', failed('CREATE', 'CONFLICT'), { action: 'WAIT', reason: 'CONFLICT' }],
  ['create IAM propagation -> wait', 'PRESENT', failed('CREATE', 'IAM_PROPAGATION'), { action: 'WAIT', reason: 'IAM_PROPAGATION' }],
  ['create name in use -> wait and look', 'PRESENT', failed('CREATE', 'NAME_IN_USE'), { action: 'WAIT', reason: 'NAME_IN_USE' }],
  ['create throttled -> wait', 'PRESENT', failed('CREATE', 'RETRYABLE'), { action: 'WAIT', reason: 'RETRYABLE' }],
  ['create: cluster not found -> fail', 'PRESENT', failed('CREATE', 'NOT_FOUND'), { action: 'FAIL' }],
  ['create invalid parameter -> fail', 'PRESENT', failed('CREATE', 'FATAL'), { action: 'FAIL' }],
  ['delete conflict -> wait with the blocker', 'ABSENT', failed('DELETE', 'CONFLICT', { blocker }),
    { action: 'WAIT', reason: 'CONFLICT', blocker }],
  ['delete: not found -> done', 'ABSENT', failed('DELETE', 'NOT_FOUND'), { action: 'DONE' }],
  ['delete throttled -> wait', 'ABSENT', failed('DELETE', 'RETRYABLE'), { action: 'WAIT', reason: 'RETRYABLE' }],
  ['delete fatal -> fail', 'ABSENT', failed('DELETE', 'FATAL'), { action: 'FAIL' }],
  ['delete IAM propagation (never expected) -> fail', 'ABSENT', failed('DELETE', 'IAM_PROPAGATION'), { action: 'FAIL' }],
  ['tag: profile vanished -> wait, the next describe decides', 'PRESENT', failed('TAG', 'NOT_FOUND'), { action: 'WAIT', reason: 'RETRYABLE' }],
  ['tag throttled -> wait', 'PRESENT', failed('TAG', 'RETRYABLE'), { action: 'WAIT', reason: 'RETRYABLE' }],
  ['tag bad request -> fail', 'PRESENT', failed('TAG', 'FATAL'), { action: 'FAIL' }],
  ['tag name in use (never expected) -> fail', 'PRESENT', failed('TAG', 'NAME_IN_USE'), { action: 'FAIL' }],
];

test.each(rows)('%s', (_name, desired, observed, expected) => {
  expect(decide(job(desired), observed, SETTLING)).toMatchObject(expected);
});

// Only IAM refusals depend on the window; every other row decides the same after it.
test.each(rows.filter(([, , o]) => !(o.kind === 'ERROR' && (o.error.kind === 'IAM_PROPAGATION' || o.error.kind === 'ACCESS_DENIED'))))(
  'the IAM window does not change: %s', (_name, desired, observed) => {
    expect(decide(job(desired), observed, SETTLED)).toEqual(decide(job(desired), observed, SETTLING));
  });

// After a failed call decide() delegates to decideAfterError(), whose type admits only WAIT, DONE or FAIL.
test.each(rows.filter(([, , observed]) => observed.kind === 'ERROR'))('after an error, %s', (_name, desired, observed, expected) => {
  if (observed.kind !== 'ERROR') throw new Error('filtered to errors');
  expect(decideAfterError(job(desired), observed, SETTLING)).toMatchObject(expected);
});

describe('a new delete request (onEvent) retries DELETE_FAILED once', () => {
  test.each<[string, Desired, Observation, Decision['action']]>([
    ['absent / DELETE_FAILED -> delete again', 'ABSENT', found('DELETE_FAILED'), 'DELETE'],
    ['absent / ACTIVE -> delete', 'ABSENT', found('ACTIVE'), 'DELETE'],
    ['absent / DELETING -> wait', 'ABSENT', found('DELETING'), 'WAIT'],
    ['present / DELETE_FAILED -> still fail (not a delete)', 'PRESENT', found('DELETE_FAILED'), 'FAIL'],
  ])('%s', (_name, desired, observed, action) => {
    expect(decide(job(desired, { retryFailedDelete: true }), observed, SETTLING).action).toBe(action);
  });
});

// Ownership: the marker, or (unmarked) CloudFormation's record of the name; everything else is someone else's.
describe('ownership', () => {
  const create = job('PRESENT');
  const inPlaceUpdate = job('PRESENT', { recordedName: true });
  const del = job('ABSENT');
  const retriedDelete = job('ABSENT', { retryFailedDelete: true });
  test.each<[string, JobView, Observation, Partial<Decision> & { action: Decision['action'] }]>([
    // A create (its name is not CloudFormation's record): only its own marker proves the profile is its own.
    ['create / own marker, ACTIVE (a retried create) -> done', create, found('ACTIVE'), { action: 'DONE' }],
    ['create / own marker, CREATING (a retried create) -> wait', create, found('CREATING'), { action: 'WAIT', reason: 'CREATING' }],
    ['create / own marker, tags differ -> sync tags', create, found('ACTIVE', { tagsInSync: false }), { action: 'SYNC_TAGS' }],
    ['create / other marker, same spec -> fail naming the owner', create, found('ACTIVE', { owner: OTHER }),
      { action: 'FAIL', reason: expect.stringContaining('belongs to another resource: resource AppsProfile1A2B3C4D of stack StackA') }],
    ['create / other marker, CREATING -> fail', create, found('CREATING', { owner: OTHER }), { action: 'FAIL' }],
    ['create / other marker, CREATE_FAILED -> fail as not ours', create, found('CREATE_FAILED', { owner: OTHER }),
      { action: 'FAIL', reason: expect.stringContaining('belongs to another resource') }],
    ['create / other marker, DELETING -> wait, it is going away', create, found('DELETING', { owner: OTHER }), { action: 'WAIT', reason: 'DELETING' }],
    ['create / no marker (hand-made), same spec -> fail', create, found('ACTIVE', { owner: NONE }),
      { action: 'FAIL', reason: expect.stringContaining('has no ownership marker') }],
    ['create / no marker, foreign spec -> fail as not ours', create, found('ACTIVE', { owner: NONE, matchesSpec: false }),
      { action: 'FAIL', reason: expect.stringContaining('has no ownership marker') }],
    ['create / no marker, DELETING -> wait, it is going away', create, found('DELETING', { owner: NONE }), { action: 'WAIT', reason: 'DELETING' }],
    // An in-place update: the name is CloudFormation's record, so an unmarked profile is a pre-marker one of this resource.
    ['update / no marker, ACTIVE -> mark it first', inPlaceUpdate, found('ACTIVE', { owner: NONE, tagsInSync: false }), { action: 'MARK' }],
    ['update / no marker, CREATING -> wait', inPlaceUpdate, found('CREATING', { owner: NONE }), { action: 'WAIT', reason: 'CREATING' }],
    ['update / no marker, foreign spec -> fail', inPlaceUpdate, found('ACTIVE', { owner: NONE, matchesSpec: false }),
      { action: 'FAIL', reason: expect.stringContaining('different pod execution role') }],
    ['update / own marker, tags differ -> sync tags', inPlaceUpdate, found('ACTIVE', { tagsInSync: false }), { action: 'SYNC_TAGS' }],
    ['update / other marker -> fail naming the owner', inPlaceUpdate, found('ACTIVE', { owner: OTHER }),
      { action: 'FAIL', reason: expect.stringContaining('belongs to another resource') }],
    // A delete of CloudFormation's record of the resource (a name as its physical id).
    ['delete / own marker -> delete', del, found('ACTIVE'), { action: 'DELETE' }],
    ['delete / own marker, spec differs -> delete (the marker is the proof)', del, found('ACTIVE', { matchesSpec: false }), { action: 'DELETE' }],
    ['delete / other marker -> done, left untouched', del, found('ACTIVE', { owner: OTHER }),
      { action: 'DONE', note: expect.stringContaining('belongs to another resource') }],
    ['delete / other marker, DELETING -> done (not ours to wait for)', del, found('DELETING', { owner: OTHER }), { action: 'DONE' }],
    ['delete / other marker, DELETE_FAILED, new request -> done', retriedDelete, found('DELETE_FAILED', { owner: OTHER }), { action: 'DONE' }],
    ['delete / no marker, matching spec -> mark it first', del, found('ACTIVE', { owner: NONE }), { action: 'MARK' }],
    ['delete / no marker, CREATE_FAILED -> mark it first', del, found('CREATE_FAILED', { owner: NONE }), { action: 'MARK' }],
    ['delete / no marker, DELETE_FAILED, new request -> mark it first', retriedDelete, found('DELETE_FAILED', { owner: NONE }), { action: 'MARK' }],
    ['delete / no marker, CREATING -> wait, then mark', del, found('CREATING', { owner: NONE }), { action: 'WAIT', reason: 'LEAVING_CREATING' }],
    ['delete / no marker, DELETING -> wait', del, found('DELETING', { owner: NONE }), { action: 'WAIT', reason: 'DELETING' }],
    ['delete / no marker, foreign spec (hand-made) -> done, left untouched', del, found('ACTIVE', { owner: NONE, matchesSpec: false }),
      { action: 'DONE', note: expect.stringContaining('left untouched') }],
    // The delete of a create or replacement that never completed (a pending id): only its own marker proves the profile is its own.
    ['delete of a name not recorded / no marker, same spec (made meanwhile) -> done, left untouched', job('ABSENT', { recordedName: false }),
      found('ACTIVE', { owner: NONE }), { action: 'DONE', note: expect.stringContaining('has no ownership marker') }],
    ['delete of a name not recorded / own marker (its own failed create) -> delete', job('ABSENT', { recordedName: false }), found('ACTIVE'),
      { action: 'DELETE' }],
    ['delete of a name not recorded / own marker, CREATING -> wait, then delete', job('ABSENT', { recordedName: false }), found('CREATING'),
      { action: 'WAIT', reason: 'LEAVING_CREATING' }],
    ['delete of a name not recorded / other marker -> done, left untouched', job('ABSENT', { recordedName: false }), found('ACTIVE', { owner: OTHER }),
      { action: 'DONE', note: expect.stringContaining('belongs to another resource') }],
  ])('%s', (_name, view, observed, expected) => {
    expect(decide(view, observed, SETTLING)).toMatchObject(expected);
  });
});

const TRUST_MESSAGE = 'Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal';
const trustRejected = (operation: Operation) =>
  failed(operation, 'IAM_PROPAGATION', { code: 'InvalidParameterException', message: TRUST_MESSAGE });
const denied = (operation: Operation, action = 'eks:CreateFargateProfile') => failed(operation, 'ACCESS_DENIED', {
  code: 'AccessDeniedException',
  message: `User: ${HANDLER_ROLE}/fn is not authorized to perform: ${action} on resource: arn:aws:eks:us-east-1:123456789012:cluster/demo`,
  action,
});

describe('IAM refusals: waited on while IAM may settle, then failed with what to fix', () => {
  test.each<[string, Desired, Observation, IamContext, Partial<Decision> & { action: Decision['action'] }]>([
    ['create: trust rejected, IAM settling -> wait', 'PRESENT', trustRejected('CREATE'), SETTLING, { action: 'WAIT', reason: 'IAM_PROPAGATION' }],
    ['create: trust rejected after the window -> fail', 'PRESENT', trustRejected('CREATE'), SETTLED, { action: 'FAIL' }],
    ['delete: trust rejected (never expected) -> fail even while settling', 'ABSENT', trustRejected('DELETE'), SETTLING, { action: 'FAIL' }],
    ['tag: trust rejected (never expected) -> fail even while settling', 'PRESENT', trustRejected('TAG'), SETTLING, { action: 'FAIL' }],
    ['create: permission denied, IAM settling -> wait', 'PRESENT', denied('CREATE'), SETTLING, { action: 'WAIT', reason: 'ACCESS_DENIED' }],
    ['create: permission denied after the window -> fail', 'PRESENT', denied('CREATE'), SETTLED, { action: 'FAIL' }],
    ['create: an EC2 lookup denied, IAM settling -> wait', 'PRESENT', denied('CREATE', 'ec2:DescribeSubnets'), SETTLING, { action: 'WAIT', reason: 'ACCESS_DENIED' }],
    ['describe (creating): denied, settling -> wait', 'PRESENT', denied('DESCRIBE', 'eks:DescribeFargateProfile'), SETTLING, { action: 'WAIT', reason: 'ACCESS_DENIED' }],
    ['describe (creating): denied after the window -> fail', 'PRESENT', denied('DESCRIBE', 'eks:DescribeFargateProfile'), SETTLED, { action: 'FAIL' }],
    ['describe (deleting): denied, settling -> wait', 'ABSENT', denied('DESCRIBE', 'eks:DescribeFargateProfile'), SETTLING, { action: 'WAIT', reason: 'ACCESS_DENIED' }],
    ['delete: denied, settling -> wait', 'ABSENT', denied('DELETE', 'eks:DeleteFargateProfile'), SETTLING, { action: 'WAIT', reason: 'ACCESS_DENIED' }],
    ['delete: denied after the window -> fail, not done', 'ABSENT', denied('DELETE', 'eks:DeleteFargateProfile'), SETTLED, { action: 'FAIL' }],
    ['tag: denied, settling -> wait', 'PRESENT', denied('TAG', 'eks:TagResource'), SETTLING, { action: 'WAIT', reason: 'ACCESS_DENIED' }],
    ['tag: denied after the window -> fail', 'PRESENT', denied('TAG', 'eks:TagResource'), SETTLED, { action: 'FAIL' }],
  ])('%s', (_name, desired, observed, iam, expected) => {
    expect(decide(job(desired), observed, iam)).toMatchObject(expected);
  });

  test('a permission still denied after the window names the action, the handler role, how long, and what to check', () => {
    const decision = decide(job('PRESENT'), denied('CREATE', 'ec2:DescribeSubnets'), SETTLED);
    expect(decision.action === 'FAIL' && decision.reason).toBe(
      `Failed to create Fargate profile "web" on cluster "demo": the handler role ${HANDLER_ROLE} is not allowed ec2:DescribeSubnets ` +
      `(AccessDeniedException: User: ${HANDLER_ROLE}/fn is not authorized to perform: ec2:DescribeSubnets on resource: ` +
      'arn:aws:eks:us-east-1:123456789012:cluster/demo), still 2 minutes after the request started, longer than IAM takes to propagate ' +
      `the handler's policies. Grant ec2:DescribeSubnets to ${HANDLER_ROLE} (this library grants every permission the handler needs, ` +
      'see README "Security"). If you changed the handler role\'s policies, or the account applies an explicit deny, a service control ' +
      'policy or a permissions boundary, check that it allows this.');
  });

  test('without the action in the message or the role in the environment, the failure still says what to do', () => {
    const observed = failed('DELETE', 'ACCESS_DENIED', { code: 'AccessDeniedException', message: 'Access denied' });
    const decision = decide(job('ABSENT'), observed, { settling: false, windowMs: 300 });
    expect(decision.action === 'FAIL' && decision.reason).toMatch(
      /^Failed to delete Fargate profile "web" on cluster "demo": the handler role \(the execution role of this function\) is not allowed a permission it needs \(see the message\) \(AccessDeniedException: Access denied\), still 0.3 s after the request started.* Grant it to the handler role /);
  });

  test('a trust policy still rejected after the window names the role, quotes the service, and says which principal to add', () => {
    const decision = decide(job('PRESENT', { spec: { podExecutionRoleArn: POD_ROLE } }), trustRejected('CREATE'), SETTLED);
    expect(decision.action === 'FAIL' && decision.reason).toBe(
      `Cannot create Fargate profile "web" on cluster "demo": EKS rejects its pod execution role ${POD_ROLE} ` +
      `(InvalidParameterException: ${TRUST_MESSAGE}), still 2 minutes after the request started, longer than IAM takes to propagate ` +
      'a new role. The role\'s trust policy must allow sts:AssumeRole to the service principal eks-fargate-pods.amazonaws.com ' +
      '(the EKS user guide adds the condition ArnLike aws:SourceArn arn:<partition>:eks:<region>:<account>:fargateprofile/demo/*). ' +
      'A role defined in this app is checked for it at synth time; for an imported role, fix its trust policy, then deploy again.');
  });

  test.each([[120_000, '2 minutes'], [60_000, '1 minute'], [90_000, '90 s'], [1_200, '1.2 s'], [300, '0.3 s']])('window %d ms reads "%s"', (ms, text) => {
    expect(formatWindow(ms)).toBe(text);
  });
});

describe('failure reasons', () => {
  test('CREATE_FAILED names the profile, cluster, status and every health issue', () => {
    const decision = decide(job('PRESENT'), found('CREATE_FAILED', {
      healthIssues: [
        { code: 'PodExecutionRoleAlreadyInUse', message: 'role in use', resourceIds: ['arn:role/a', 'arn:role/b'] },
        { code: 'InternalFailure', message: 'boom' },
      ],
    }), SETTLED);
    expect(decision).toEqual({
      action: 'FAIL',
      reason: 'Fargate profile "web" on cluster "demo" failed to create (status CREATE_FAILED): ' +
        'PodExecutionRoleAlreadyInUse: role in use (resources: arn:role/a, arn:role/b); InternalFailure: boom',
    });
  });

  test('DELETE_FAILED names the health issues', () => {
    const decision = decide(job('ABSENT'), found('DELETE_FAILED', { healthIssues: [{ code: 'AccessDenied', message: 'no' }] }), SETTLED);
    expect(decision).toEqual({ action: 'FAIL', reason: 'Fargate profile "web" on cluster "demo" failed to delete (status DELETE_FAILED): AccessDenied: no' });
  });

  test('an unmarked foreign profile under our name is not deleted, and the log says why', () => {
    const decision = decide(job('ABSENT'), found('ACTIVE', { matchesSpec: false, owner: NONE }), SETTLED);
    expect(decision).toEqual({
      action: 'DONE',
      note: 'Fargate profile "web" on cluster "demo" has no ownership marker and a different pod execution role, selectors or subnets ' +
        'than this resource, so it was not created by it; left untouched',
    });
  });

  test('a create that finds another resource\'s profile fails naming the owner and what to do', () => {
    const decision = decide(job('PRESENT'), found('ACTIVE', { owner: OTHER }), SETTLED);
    expect(decision).toEqual({
      action: 'FAIL',
      reason: 'Fargate profile "web" on cluster "demo" already exists and belongs to another resource: resource AppsProfile1A2B3C4D of ' +
        `stack StackA (marker "${OTHER_MARKER}"). It is left untouched: a profile is adopted or deleted only by the resource that ` +
        'created it. Choose a different FargateProfileName, or omit it to let a unique name be generated; or delete it with its owner ' +
        '(that stack or resource) first; then deploy again.',
    });
  });

  test('a create that finds an unmarked profile fails saying it has no owner marker and what to do', () => {
    const decision = decide(job('PRESENT'), found('ACTIVE', { owner: NONE }), SETTLED);
    expect(decision).toEqual({
      action: 'FAIL',
      reason: 'Fargate profile "web" on cluster "demo" already exists and has no ownership marker (tag "cdk-eks-fargate-profile:owner"), ' +
        'so this resource did not create it (it was made by hand, by another tool, or by a version of this library that set no marker). ' +
        'It is left untouched: a profile is adopted or deleted only by the resource that created it. Choose a different ' +
        'FargateProfileName, or omit it to let a unique name be generated; or, if that profile is no longer needed, delete it; then deploy again.',
    });
  });

  test('a delete that finds another resource\'s profile is done without it, and the log names the owner', () => {
    const decision = decide(job('ABSENT'), found('ACTIVE', { owner: OTHER }), SETTLED);
    expect(decision).toEqual({
      action: 'DONE',
      note: 'Fargate profile "web" on cluster "demo" belongs to another resource: resource AppsProfile1A2B3C4D of stack StackA ' +
        `(marker "${OTHER_MARKER}"); left untouched`,
    });
  });

  test('a foreign profile under our name says it is left untouched and what to do', () => {
    const decision = decide(job('PRESENT'), found('ACTIVE', { matchesSpec: false }), SETTLED);
    expect(decision.action === 'FAIL' && decision.reason).toMatch(/was not created by this resource and is left untouched\. Choose a different FargateProfileName/);
  });

  test('a call error names the operation and the service error', () => {
    const decision = decide(job('PRESENT'), failed('CREATE', 'FATAL', { code: 'InvalidParameterException', message: 'subnet is public' }), SETTLED);
    expect(decision).toEqual({ action: 'FAIL', reason: 'Failed to create Fargate profile "web" on cluster "demo": InvalidParameterException: subnet is public' });
  });

  test('missing cluster on create says to check ClusterName', () => {
    const decision = decide(job('PRESENT'), failed('CREATE', 'NOT_FOUND', { message: 'No cluster found for name: demo.' }), SETTLED);
    expect(decision.action === 'FAIL' && decision.reason).toMatch(/the cluster was not found \(No cluster found for name: demo\.\)\. Check ClusterName/);
  });

  test('health issues without codes or messages still read clearly', () => {
    expect(formatHealth([])).toBe('');
    expect(formatHealth([{}])).toBe(': UnknownIssue: no message');
  });
});
