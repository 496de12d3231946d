// What the emulator authorizes once a caller policy is installed: every EKS call's own action and
// resource, and what EKS checks with the caller's permissions on a create (tag-on-create, PassRole,
// the EC2 lookups, the Fargate service-linked role); the refusals in the service's terms; IAM
// propagation; statement sets added and removed one by one.
import {
  DeleteFargateProfileCommand, DescribeFargateProfileCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-eks';
import { ROLE, START, useEksEmulator } from './fixture';
import { PolicyStatement, UNKNOWN_PROFILE_UUID } from '../support/eks-emulator';

const fx = useEksEmulator();
const { create, remove, describeProfile } = fx;

const CALLER = 'arn:aws:sts::123456789012:assumed-role/HandlerRole/OnEventHandler';
const CLUSTER_ARN = 'arn:aws:eks:us-east-1:123456789012:cluster/demo';
const PROFILES = 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/*';
const SLR = 'arn:aws:iam::123456789012:role/aws-service-role/eks-fargate.amazonaws.com/AWSServiceRoleForAmazonEKSForFargate';

/** What a handler that creates, tags and deletes the profiles of cluster demo needs. */
const HANDLER_POLICY: PolicyStatement[] = [
  { Effect: 'Allow', Action: 'eks:CreateFargateProfile', Resource: CLUSTER_ARN },
  { Effect: 'Allow', Action: ['eks:DescribeFargateProfile', 'eks:DeleteFargateProfile', 'eks:TagResource', 'eks:UntagResource'], Resource: PROFILES },
  { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE },
  { Effect: 'Allow', Action: ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables'], Resource: '*' },
  { Effect: 'Allow', Action: 'iam:GetRole', Resource: SLR },
  { Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: SLR, Condition: { StringEquals: { 'iam:AWSServiceName': 'eks-fargate.amazonaws.com' } } },
];

/** HANDLER_POLICY without one action. */
function without(action: string): PolicyStatement[] {
  return HANDLER_POLICY.flatMap((s) => {
    const actions = ([] as string[]).concat(s.Action as string | string[]).filter((a) => a !== action);
    return actions.length === 0 ? [] : [{ ...s, Action: actions }];
  });
}

const authorizeWith = (statements: PolicyStatement[]) => fx.emulator.setCallerPolicy({ callerArn: CALLER, statements });
const denied = (action: string, resource: string) =>
  `User: ${CALLER} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

test('with no caller policy every call is allowed, as before', async () => {
  expect(fx.emulator.callerPolicies()).toEqual([]);
  await create('web');
  expect(fx.emulator.describe('demo', 'web')?.status).toBe('CREATING');
});

test('the handler policy allows the whole life of a tagged profile; an action it lacks is refused in IAM\'s format', async () => {
  authorizeWith(HANDLER_POLICY);
  const { fargateProfile } = await create('web', { tags: { team: 'a' } });
  const arn = fargateProfile!.fargateProfileArn!;
  fx.advance(300);
  await describeProfile('web');
  await fx.eks.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: 'b' } }));
  await fx.eks.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));

  const err = await fx.eks.send(new ListTagsForResourceCommand({ resourceArn: arn })).catch((e) => e);
  expect(err.name).toBe('AccessDeniedException');
  expect(err.$metadata.httpStatusCode).toBe(403);
  expect(err.message).toBe(denied('eks:ListTagsForResource', arn));

  await remove('web');
  expect(fx.emulator.describe('demo', 'web')?.status).toBe('DELETING');
  expect(fx.emulator.calls.map((c) => c.outcome)).toEqual(['OK', 'OK', 'OK', 'OK', 'AccessDeniedException', 'OK']);
});

describe('a create refused for each permission the handler policy lacks: nothing is created, the call log says why', () => {
  const newProfile = `arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/web/${UNKNOWN_PROFILE_UUID}`;
  test.each<[string, string, number, string]>([
    ['eks:CreateFargateProfile', 'AccessDeniedException', 403, denied('eks:CreateFargateProfile', CLUSTER_ARN)],
    ['eks:TagResource', 'AccessDeniedException', 403, denied('eks:TagResource', newProfile)],
    ['iam:PassRole', 'AccessDeniedException', 403, denied('iam:PassRole', ROLE)],
    ['ec2:DescribeSubnets', 'InvalidRequestException', 400, 'Missing permissions for "ec2:DescribeSubnets"'],
    ['ec2:DescribeRouteTables', 'InvalidRequestException', 400, 'Missing permissions for "ec2:DescribeRouteTables"'],
    ['iam:GetRole', 'InvalidRequestException', 400,
      "Failed to validate if SLR: AWSServiceRoleForAmazonEKSForFargate already exists due to missing permissions for 'iam:GetRole'"],
    ['iam:CreateServiceLinkedRole', 'InvalidRequestException', 400,
      "Failed to create SLR: AWSServiceRoleForAmazonEKSForFargate due to missing permissions for 'iam:CreateServiceLinkedRole'"],
  ])('without %s', async (action, error, status, message) => {
    authorizeWith(without(action));
    const err = await create('web', { tags: { team: 'a' } }).catch((e) => e);
    expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual([error, status, message]);
    expect(fx.emulator.profiles('demo')).toEqual([]);
    expect(fx.emulator.calls).toEqual([expect.objectContaining({ operation: 'CreateFargateProfile', profile: 'web', httpStatus: status, outcome: error, message })]);
    expect(fx.emulator.fargateServiceLinkedRoleExists).toBe(false);
  });

  test('eks:TagResource is needed only when the create carries tags', async () => {
    authorizeWith(without('eks:TagResource'));
    await create('web');
    expect(fx.emulator.describe('demo', 'web')?.status).toBe('CREATING');
  });
});

test('the service-linked role: created by the first create, then only iam:GetRole is checked; an option starts with it', async () => {
  authorizeWith(HANDLER_POLICY);
  expect(fx.emulator.fargateServiceLinkedRoleExists).toBe(false);
  await create('first');
  expect(fx.emulator.fargateServiceLinkedRoleExists).toBe(true);
  fx.advance(300);
  authorizeWith(without('iam:CreateServiceLinkedRole'));
  await create('second');
  expect(fx.emulator.describe('demo', 'second')?.status).toBe('CREATING');

  await fx.restart({ fargateServiceLinkedRoleExists: true });
  authorizeWith(without('iam:CreateServiceLinkedRole'));
  await create('web');
  expect(fx.emulator.describe('demo', 'web')?.status).toBe('CREATING');
});

test('iam:PassRole: only the roles the policy names, passed to eks.amazonaws.com', async () => {
  const other = 'arn:aws:iam::123456789012:role/other';
  authorizeWith(HANDLER_POLICY);
  await expect(create('web', { podExecutionRoleArn: other })).rejects.toThrow(denied('iam:PassRole', other));

  const passRoleTo = (service: string): PolicyStatement[] => [
    ...without('iam:PassRole'),
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': service } } },
  ];
  authorizeWith(passRoleTo('ec2.amazonaws.com'));
  await expect(create('web')).rejects.toThrow(denied('iam:PassRole', ROLE));
  authorizeWith(passRoleTo('eks.amazonaws.com'));
  await create('web');
  expect(fx.emulator.describe('demo', 'web')?.podExecutionRoleArn).toBe(ROLE);
});

test('an explicit Deny wins over the Allow: the delete is refused and the profile stays', async () => {
  authorizeWith(HANDLER_POLICY);
  await create('web');
  fx.advance(300);
  authorizeWith([...HANDLER_POLICY, { Effect: 'Deny', Action: 'eks:Delete*', Resource: '*' }]);
  const arn = fx.emulator.describe('demo', 'web')!.fargateProfileArn;

  const err = await remove('web').catch((e) => e);

  expect(err.name).toBe('AccessDeniedException');
  expect(err.message).toBe(`User: ${CALLER} is not authorized to perform: eks:DeleteFargateProfile on resource: ${arn} with an explicit deny in an identity-based policy`);
  expect(fx.emulator.describe('demo', 'web')?.status).toBe('ACTIVE');
});

test('a profile that does not exist is authorized against its name and a stand-in uuid, before the lookup', async () => {
  authorizeWith([{ Effect: 'Allow', Action: 'eks:*', Resource: 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/web/*' }]);
  await expect(describeProfile('web')).rejects.toThrow('No Fargate Profile found with name: web.');
  const err = await fx.eks.send(new DescribeFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'api' })).catch((e) => e);
  expect(err.message).toBe(denied('eks:DescribeFargateProfile', `arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/api/${UNKNOWN_PROFILE_UUID}`));
  const gone = await fx.eks.send(new DeleteFargateProfileCommand({ clusterName: 'nope', fargateProfileName: 'web' })).catch((e) => e);
  expect(gone.name).toBe('AccessDeniedException');
});

test('propagation: a policy installed at t takes effect at t + policyPropagationMs, or its own effectiveAfterMs', async () => {
  fx.emulator.policyPropagationMs = 2_000;
  authorizeWith(HANDLER_POLICY);
  expect(fx.emulator.callerPolicies()).toEqual([expect.objectContaining({ callerArn: CALLER, installedAt: START, effectiveAt: START + 2_000 })]);
  fx.advance(1_999);
  await expect(create('web')).rejects.toThrow(denied('eks:CreateFargateProfile', CLUSTER_ARN));
  fx.advance(1);
  await create('web');

  fx.emulator.setCallerPolicy({ callerArn: CALLER, statements: HANDLER_POLICY, effectiveAfterMs: 500 });
  fx.advance(499);
  await expect(describeProfile('web')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  fx.advance(1);
  await describeProfile('web');
});

test('statement sets are added and removed one by one; removal applies at once; clearing turns authorization off', async () => {
  const eksPart = HANDLER_POLICY.filter((s) => String(s.Action).startsWith('eks:'));
  const rest = HANDLER_POLICY.filter((s) => !eksPart.includes(s));
  fx.emulator.addCallerPolicy('Stack/ClusterPolicy', { callerArn: CALLER, statements: eksPart });
  await expect(create('web')).rejects.toThrow(denied('iam:PassRole', ROLE));
  fx.emulator.addCallerPolicy('Stack/DefaultPolicy', { callerArn: CALLER, statements: rest });
  await create('web');
  fx.advance(300);

  fx.emulator.removeCallerPolicy('Stack/ClusterPolicy');
  expect(fx.emulator.callerPolicies().map((p) => p.id)).toEqual(['Stack/DefaultPolicy']);
  await expect(remove('web')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  fx.emulator.removeCallerPolicy('Stack/DefaultPolicy');
  await expect(describeProfile('web')).rejects.toMatchObject({ name: 'AccessDeniedException' });

  fx.emulator.clearCallerPolicies();
  await remove('web');
  expect(fx.emulator.describe('demo', 'web')?.status).toBe('DELETING');
});

test('the test\'s own authorizer is asked first; IAM after it', async () => {
  authorizeWith([]);
  fx.emulator.authorizer = () => ({ error: 'ThrottlingException', message: 'mine' });
  await expect(describeProfile('web')).rejects.toMatchObject({ name: 'ThrottlingException' });
  fx.emulator.authorizer = undefined;
  await expect(describeProfile('web')).rejects.toMatchObject({ name: 'AccessDeniedException' });
});

test('a policy the emulator cannot evaluate, or a caller that is no principal, is refused when installed', () => {
  expect(() => fx.emulator.addCallerPolicy('p', {
    callerArn: CALLER, statements: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } } }],
  })).toThrow("caller policy 'p'.Statement[0].Condition: operator DateGreaterThan is not modelled");
  expect(() => fx.emulator.setCallerPolicy({ callerArn: 'handler', statements: [] })).toThrow('callerArn must be an IAM or STS principal ARN');
  expect(fx.emulator.callerPolicies()).toEqual([]);
});

// The tag condition keys each call carries (Service Authorization Reference for Amazon EKS): a policy that
// lets a caller act only on profiles tagged `owner=me`, create or tag only with that tag, and never untag it.
describe('tag condition keys in the request context', () => {
  const OWNED: PolicyStatement[] = [
    { Effect: 'Allow', Action: 'eks:CreateFargateProfile', Resource: CLUSTER_ARN, Condition: { StringEquals: { 'aws:RequestTag/owner': 'me' } } },
    { Effect: 'Allow', Action: 'eks:DescribeFargateProfile', Resource: PROFILES },
    {
      Effect: 'Allow',
      Action: ['eks:DeleteFargateProfile', 'eks:TagResource', 'eks:UntagResource'],
      Resource: PROFILES,
      Condition: { 'StringEquals': { 'aws:ResourceTag/owner': 'me' }, 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'owner' } },
    },
    { Effect: 'Allow', Action: 'eks:TagResource', Resource: PROFILES, Condition: { Null: { 'aws:ResourceTag/owner': 'true' }, StringEquals: { 'aws:RequestTag/owner': 'me' } } },
    ...HANDLER_POLICY.slice(2),
  ];
  const outcome = (work: Promise<unknown>) => work.then(() => 'OK', (e: Error) => e.name);

  test('aws:RequestTag of a create, and the tag-on-create check (no aws:ResourceTag: the profile is new)', async () => {
    authorizeWith(OWNED);
    expect(await outcome(create('mine', { tags: { owner: 'me' } }))).toBe('OK');
    expect(await outcome(create('theirs', { tags: { owner: 'you' } }))).toBe('AccessDeniedException');
    expect(await outcome(create('untagged'))).toBe('AccessDeniedException');
  });

  test('aws:ResourceTag from the profile\'s current tags; aws:RequestTag and aws:TagKeys of TagResource; aws:TagKeys of UntagResource', async () => {
    const mine = (await create('mine', { tags: { owner: 'me', team: 'a' } })).fargateProfile!.fargateProfileArn!;
    fx.advance(300);
    const theirs = (await create('theirs', { tags: { owner: 'you' } })).fargateProfile!.fargateProfileArn!;
    fx.advance(300);
    const bare = (await create('bare')).fargateProfile!.fargateProfileArn!;
    fx.advance(300);
    authorizeWith(OWNED);
    expect(await outcome(fx.eks.send(new TagResourceCommand({ resourceArn: mine, tags: { team: 'b' } })))).toBe('OK');
    expect(await outcome(fx.eks.send(new UntagResourceCommand({ resourceArn: mine, tagKeys: ['team'] })))).toBe('OK');
    expect(await outcome(fx.eks.send(new UntagResourceCommand({ resourceArn: mine, tagKeys: ['team', 'owner'] })))).toBe('AccessDeniedException');
    expect(await outcome(fx.eks.send(new TagResourceCommand({ resourceArn: theirs, tags: { team: 'b' } })))).toBe('AccessDeniedException');
    expect(await outcome(fx.eks.send(new TagResourceCommand({ resourceArn: bare, tags: { owner: 'you' } })))).toBe('AccessDeniedException');
    expect(await outcome(fx.eks.send(new TagResourceCommand({ resourceArn: bare, tags: { owner: 'me' } })))).toBe('OK');
    expect(await outcome(fx.eks.send(new DeleteFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'theirs' })))).toBe('AccessDeniedException');
    expect(await outcome(fx.eks.send(new DeleteFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'mine' })))).toBe('OK');
    expect(fx.emulator.describe('demo', 'theirs')?.status).toBe('ACTIVE');
  });
});
