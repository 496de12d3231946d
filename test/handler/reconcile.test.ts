import type { JobView } from '../../lambda/decide';
import type { Desired } from '../../lambda/job';
import { Progress, timeoutMessage } from '../../lambda/reconcile';

const job = (desired: Desired): JobView => ({ desired, clusterName: 'demo', profileName: 'web' });

const progress = (p: Partial<Progress>): Progress => ({ lastStatus: 'UNKNOWN', createDeferred: false, retryAttempts: 0, ...p });

test.each<[string, Desired, Partial<Progress>, string]>([
  ['create deferred by a conflict', 'PRESENT',
    { lastStatus: 'NOT_FOUND', createDeferred: true, waitReason: 'CONFLICT', blocker: { profileName: 'x', status: 'DELETING' } },
    'to become ACTIVE: last status NOT_FOUND (create deferred), blocked by profile "x" in DELETING.'],
  ['conflict without a named blocker', 'PRESENT',
    { lastStatus: 'NOT_FOUND', createDeferred: true, waitReason: 'CONFLICT', detail: 'cluster demo currently has an update in progress' },
    'last status NOT_FOUND (create deferred), blocked by another profile of the cluster (cluster demo currently has an update in progress).'],
  ['still creating', 'PRESENT', { lastStatus: 'CREATING', waitReason: 'CREATING' }, 'to become ACTIVE: last status CREATING.'],
  ['throttled until the end', 'PRESENT', { lastStatus: 'CREATING', waitReason: 'RETRYABLE', detail: 'ThrottlingException: Rate exceeded' },
    'last status CREATING, last error: ThrottlingException: Rate exceeded.'],
  ['name in use', 'PRESENT', { lastStatus: 'NOT_FOUND', createDeferred: true, waitReason: 'NAME_IN_USE', detail: 'A Fargate Profile already exists' },
    'the name was in use (A Fargate Profile already exists).'],
  ['delete waiting for CREATING to end', 'ABSENT', { lastStatus: 'CREATING', waitReason: 'LEAVING_CREATING' },
    'to be deleted: last status CREATING, waiting for it to finish CREATING before deleting it.'],
  ['delete blocked', 'ABSENT', { lastStatus: 'ACTIVE', waitReason: 'CONFLICT', blocker: { profileName: 'y', status: 'DELETING' } },
    'to be deleted: last status ACTIVE, blocked by profile "y" in DELETING.'],
  ['IAM window longer than the deadline: trust policy', 'PRESENT',
    { lastStatus: 'NOT_FOUND', createDeferred: true, waitReason: 'IAM_PROPAGATION', detail: 'Misconfigured PodExecutionRole Trust Policy' },
    'the pod execution role\'s trust policy was still rejected (Misconfigured PodExecutionRole Trust Policy). Check that the role trusts the eks-fargate-pods.amazonaws.com service principal.'],
  ['IAM window longer than the deadline: a permission', 'ABSENT',
    { lastStatus: 'ACTIVE', waitReason: 'ACCESS_DENIED', detail: 'AccessDeniedException: User: x is not authorized to perform: eks:DeleteFargateProfile' },
    'to be deleted: last status ACTIVE, the handler role was still refused a permission (AccessDeniedException: User: x is not authorized to perform: ' +
    'eks:DeleteFargateProfile). Check that the handler role has it, and that no explicit deny, service control policy or permissions boundary blocks it.'],
])('%s', (_name, desired, p, expected) => {
  const message = timeoutMessage(job(desired), progress(p));
  expect(message.startsWith('Timed out waiting for Fargate profile "web" on cluster "demo" to ')).toBe(true);
  expect(message).toContain(expected);
});
