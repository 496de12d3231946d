import { Decision, decide, decideAfterError, formatHealth, JobView, Observation, Operation } from '../../lambda/decide';
import type { ClassifiedError } from '../../lambda/eks-api';
import type { Desired } from '../../lambda/job';

const names = { clusterName: 'demo', profileName: 'web' };
const job = (desired: Desired, extra: Partial<JobView> = {}): JobView => ({ desired, ...names, ...extra });

function found(status: string, extra: Partial<Extract<Observation, { kind: 'FOUND' }>> = {}): Observation {
  return { kind: 'FOUND', status, healthIssues: [], matchesSpec: true, tagsInSync: true, ...extra };
}

function failed(operation: Operation, kind: ClassifiedError['kind'], extra: Partial<ClassifiedError> = {}): Observation {
  return { kind: 'ERROR', operation, error: { kind, code: `${kind}Code`, message: `${kind} message`, ...extra } };
}

const blocker = { profileName: 'other', status: 'DELETING' };

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
  ['absent / ACTIVE, foreign spec -> done, left untouched', 'ABSENT', found('ACTIVE', { matchesSpec: false }), { action: 'DONE' }],
  ['absent / CREATE_FAILED, foreign spec -> done, left untouched', 'ABSENT', found('CREATE_FAILED', { matchesSpec: false }), { action: 'DONE' }],
  ['absent / CREATING, foreign spec -> done, left untouched', 'ABSENT', found('CREATING', { matchesSpec: false }), { action: 'DONE' }],
  ['absent / DELETE_FAILED, foreign spec -> done, left untouched', 'ABSENT', found('DELETE_FAILED', { matchesSpec: false }), { action: 'DONE' }],
  ['absent / DELETING, foreign spec -> wait until gone', 'ABSENT', found('DELETING', { matchesSpec: false }), { action: 'WAIT', reason: 'DELETING' }],
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
  expect(decide(job(desired), observed)).toMatchObject(expected);
});

// After a failed call decide() delegates to decideAfterError(), whose type admits only WAIT, DONE or FAIL.
test.each(rows.filter(([, , observed]) => observed.kind === 'ERROR'))('after an error, %s', (_name, desired, observed, expected) => {
  if (observed.kind !== 'ERROR') throw new Error('filtered to errors');
  expect(decideAfterError(job(desired), observed)).toMatchObject(expected);
});

describe('a new delete request (onEvent) retries DELETE_FAILED once', () => {
  test.each<[string, Desired, Observation, Decision['action']]>([
    ['absent / DELETE_FAILED -> delete again', 'ABSENT', found('DELETE_FAILED'), 'DELETE'],
    ['absent / ACTIVE -> delete', 'ABSENT', found('ACTIVE'), 'DELETE'],
    ['absent / DELETING -> wait', 'ABSENT', found('DELETING'), 'WAIT'],
    ['present / DELETE_FAILED -> still fail (not a delete)', 'PRESENT', found('DELETE_FAILED'), 'FAIL'],
  ])('%s', (_name, desired, observed, action) => {
    expect(decide(job(desired, { retryFailedDelete: true }), observed).action).toBe(action);
  });
});

describe('failure reasons', () => {
  test('CREATE_FAILED names the profile, cluster, status and every health issue', () => {
    const decision = decide(job('PRESENT'), found('CREATE_FAILED', {
      healthIssues: [
        { code: 'PodExecutionRoleAlreadyInUse', message: 'role in use', resourceIds: ['arn:role/a', 'arn:role/b'] },
        { code: 'InternalFailure', message: 'boom' },
      ],
    }));
    expect(decision).toEqual({
      action: 'FAIL',
      reason: 'Fargate profile "web" on cluster "demo" failed to create (status CREATE_FAILED): ' +
        'PodExecutionRoleAlreadyInUse: role in use (resources: arn:role/a, arn:role/b); InternalFailure: boom',
    });
  });

  test('DELETE_FAILED names the health issues', () => {
    const decision = decide(job('ABSENT'), found('DELETE_FAILED', { healthIssues: [{ code: 'AccessDenied', message: 'no' }] }));
    expect(decision).toEqual({ action: 'FAIL', reason: 'Fargate profile "web" on cluster "demo" failed to delete (status DELETE_FAILED): AccessDenied: no' });
  });

  test('a foreign profile under our name is not deleted, and the log says why', () => {
    const decision = decide(job('ABSENT'), found('ACTIVE', { matchesSpec: false }));
    expect(decision).toEqual({
      action: 'DONE',
      note: 'Fargate profile "web" on cluster "demo" has a different pod execution role, selectors or subnets than this resource, ' +
        'so it was not created by it; left untouched',
    });
  });

  test('a foreign profile under our name says it is left untouched and what to do', () => {
    const decision = decide(job('PRESENT'), found('ACTIVE', { matchesSpec: false }));
    expect(decision.action === 'FAIL' && decision.reason).toMatch(/was not created by this resource and is left untouched\. Choose a different FargateProfileName/);
  });

  test('a call error names the operation and the service error', () => {
    const decision = decide(job('PRESENT'), failed('CREATE', 'FATAL', { code: 'InvalidParameterException', message: 'subnet is public' }));
    expect(decision).toEqual({ action: 'FAIL', reason: 'Failed to create Fargate profile "web" on cluster "demo": InvalidParameterException: subnet is public' });
  });

  test('missing cluster on create says to check ClusterName', () => {
    const decision = decide(job('PRESENT'), failed('CREATE', 'NOT_FOUND', { message: 'No cluster found for name: demo.' }));
    expect(decision.action === 'FAIL' && decision.reason).toMatch(/the cluster was not found \(No cluster found for name: demo\.\)\. Check ClusterName/);
  });

  test('health issues without codes or messages still read clearly', () => {
    expect(formatHealth([])).toBe('');
    expect(formatHealth([{}])).toBe(': UnknownIssue: no message');
  });
});
