// Narrow classification tests: the real SDK exception classes, delivered through aws-sdk-client-mock.
import {
  AccessDeniedException,
  BadRequestException,
  CreateFargateProfileCommand,
  DeleteFargateProfileCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  InvalidParameterException,
  InvalidRequestException,
  NotFoundException,
  ResourceInUseException,
  ResourceLimitExceededException,
  ResourceNotFoundException,
  ServerException,
  TagResourceCommand,
  ThrottlingException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { classifyError, EksApi, EksCallError } from '../../lambda/eks-api';
import { canonicalSpec } from '../support/handler-events';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

const rows: Array<[string, unknown, string, { profileName: string; status: string }?]> = [
  ['profile not found', new ResourceNotFoundException({ message: 'No Fargate Profile found with name: web.', ...meta(404) }), 'NOT_FOUND'],
  ['cluster not found', new ResourceNotFoundException({ message: 'No cluster found for name: demo.', ...meta(404) }), 'NOT_FOUND'],
  ['tagging: resource not found', new NotFoundException({ message: 'Resource not found: arn', ...meta(404) }), 'NOT_FOUND'],
  ['create blocked by a CREATING profile', new ResourceInUseException({
    message: 'Cannot create Fargate Profile web because cluster demo currently has Fargate profile api in status CREATING', ...meta(409),
  }), 'CONFLICT', { profileName: 'api', status: 'CREATING' }],
  ['create blocked by a DELETING profile', new ResourceInUseException({
    message: 'Cannot create Fargate Profile web because cluster demo currently has Fargate profile old_one in status DELETING', ...meta(409),
  }), 'CONFLICT', { profileName: 'old_one', status: 'DELETING' }],
  ['delete blocked by a DELETING profile', new ResourceInUseException({
    message: 'Cannot Delete Fargate Profile web because cluster demo currently has Fargate profile api-2 in status DELETING', ...meta(409),
  }), 'CONFLICT', { profileName: 'api-2', status: 'DELETING' }],
  ['cluster busy with an update', new ResourceInUseException({
    message: 'Cannot create Fargate Profile web because cluster demo currently has an update in progress', ...meta(409),
  }), 'CONFLICT'],
  ['name in use', new ResourceInUseException({ message: 'A Fargate Profile already exists with this name in this cluster.', ...meta(409) }), 'NAME_IN_USE'],
  ['IAM trust policy not propagated', new InvalidParameterException({
    message: 'Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal', ...meta(400),
  }), 'IAM_PROPAGATION'],
  ['IAM trust policy under another exception type', new InvalidRequestException({
    message: 'Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal', ...meta(400),
  }), 'IAM_PROPAGATION'],
  ['throttled', new ThrottlingException({ message: 'Rate exceeded', ...meta(429) }), 'RETRYABLE'],
  ['server error', new ServerException({ message: 'An internal error occurred.', ...meta(500) }), 'RETRYABLE'],
  ['unknown 503', Object.assign(new Error('Service Unavailable'), { name: 'SomethingNew', ...meta(503) }), 'RETRYABLE'],
  ['unknown 429', Object.assign(new Error('slow down'), { name: 'TooManyRequestsException', ...meta(429) }), 'RETRYABLE'],
  ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'RETRYABLE'],
  ['socket reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'RETRYABLE'],
  ['SDK timeout', Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' }), 'RETRYABLE'],
  ['aborted at the time budget', Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'RETRYABLE'],
  ['invalid parameter', new InvalidParameterException({ message: 'Subnet subnet-1 is not private', ...meta(400) }), 'FATAL'],
  ['quota', new ResourceLimitExceededException({ message: 'Cluster demo already has the maximum of 10 Fargate profiles.', ...meta(400) }), 'FATAL'],
  ['bad request (tags)', new BadRequestException({ message: 'tagKeys must contain at least one key.', ...meta(400) }), 'FATAL'],
  ['not an error at all', 'boom', 'FATAL'],
  ['undefined', undefined, 'FATAL'],
];

// A rest parameter: jest would take a fourth declared parameter for a `done` callback.
test.each(rows)('%s -> %s', (_name, error, kind, ...blocker) => {
  const classified = classifyError(error);
  expect(classified.kind).toBe(kind);
  expect(classified.blocker).toEqual(blocker[0]);
  expect(typeof classified.message).toBe('string');
});

const ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/Stack-HandlerRole-ABC/Stack-OnEventHandler';
const notAuthorized = (action: string, resource: string) =>
  `User: ${ROLE_SESSION} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

// The handler role lacks a permission: the kind, and the action the message names (undefined when it names none).
const denials: Array<[string, unknown, string | undefined]> = [
  ['IAM denies the EKS call', new AccessDeniedException({
    message: notAuthorized('eks:CreateFargateProfile', 'arn:aws:eks:us-east-1:123456789012:cluster/demo'), ...meta(403),
  }), 'eks:CreateFargateProfile'],
  ['IAM denies passing the pod execution role', new AccessDeniedException({
    message: notAuthorized('iam:PassRole', 'arn:aws:iam::123456789012:role/pod'), ...meta(403),
  }), 'iam:PassRole'],
  ['EKS\'s subnet lookup with the caller\'s permissions (aws/aws-cdk#7614)', new InvalidParameterException({
    message: 'Missing permissions for "ec2:DescribeSubnets"', ...meta(400),
  }), 'ec2:DescribeSubnets'],
  ['EKS\'s service-linked role check (aws-controllers-k8s/community#1821)', new InvalidRequestException({
    message: 'Failed to validate if SLR: AWSServiceRoleForAmazonEKSForFargate already exists due to missing permissions for \'iam:GetRole\'', ...meta(400),
  }), 'iam:GetRole'],
  ['a denial in words we do not know', new AccessDeniedException({ message: 'Access denied', ...meta(403) }), undefined],
  ['an unmodelled 403 that says who was refused what', Object.assign(new Error(notAuthorized('eks:TagResource', 'arn')), {
    name: 'SomethingNew', ...meta(403),
  }), 'eks:TagResource'],
];

test.each(denials)('%s -> ACCESS_DENIED naming %s', (_name, error, action) => {
  expect(classifyError(error)).toMatchObject({ kind: 'ACCESS_DENIED', action });
});

test('a 403 that is not a denial (bad credentials) is not taken for IAM propagation', () => {
  const error = Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException', ...meta(403) });
  expect(classifyError(error)).toMatchObject({ kind: 'FATAL', code: 'UnrecognizedClientException' });
});

describe('EksApi over a mocked client', () => {
  const eks = mockClient(EKSClient);
  const api = new EksApi(new EKSClient({ region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } }));
  afterEach(() => eks.reset());
  afterAll(() => eks.restore());

  test('describe turns not-found into undefined and other errors into classified EksCallErrors', async () => {
    eks.on(DescribeFargateProfileCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'No cluster found for name: demo.', ...meta(404) }))
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', ...meta(429) }));
    await expect(api.describe('demo', 'web')).resolves.toBeUndefined();
    const error = await api.describe('demo', 'web').catch(e => e);
    expect(error).toBeInstanceOf(EksCallError);
    expect(error.error).toMatchObject({ kind: 'RETRYABLE', code: 'ThrottlingException' });
  });

  test('describe canonicalizes the profile', async () => {
    eks.on(DescribeFargateProfileCommand).resolves({
      fargateProfile: {
        fargateProfileName: 'web',
        fargateProfileArn: 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/web/1',
        status: 'ACTIVE',
        selectors: [{ namespace: 'b', labels: { z: '1', a: '2' } }, { namespace: 'a' }],
        subnets: ['subnet-2', 'subnet-1'],
        health: { issues: [{ code: 'InternalFailure', message: 'x', resourceIds: ['r'] }] },
      },
    });
    const profile = (await api.describe('demo', 'web'))!;
    expect(profile.selectors.map(s => [s.namespace, Object.entries(s.labels)])).toEqual([['a', []], ['b', [['a', '2'], ['z', '1']]]]);
    expect(profile.subnets).toEqual(['subnet-1', 'subnet-2']);
    expect(profile.tags).toEqual({});
    expect(profile.healthIssues).toEqual([{ code: 'InternalFailure', message: 'x', resourceIds: ['r'] }]);
  });

  test('create sends labels as maps, omits absent subnets, tags and empty labels, and passes the token', async () => {
    eks.on(CreateFargateProfileCommand).resolves({ fargateProfile: { fargateProfileName: 'web', status: 'CREATING' } });
    const spec = canonicalSpec({
      ClusterName: 'demo',
      PodExecutionRoleArn: 'arn:aws:iam::123456789012:role/pod',
      Selectors: [{ Namespace: 'a', Labels: [{ Key: 'k', Value: 'v' }] }, { Namespace: 'b' }],
    });
    await api.createProfile(spec, 'web', 'token-1', {});
    expect(eks.commandCalls(CreateFargateProfileCommand)[0].args[0].input).toEqual({
      clusterName: 'demo',
      fargateProfileName: 'web',
      podExecutionRoleArn: 'arn:aws:iam::123456789012:role/pod',
      selectors: [{ namespace: 'a', labels: { k: 'v' } }, { namespace: 'b' }],
      clientRequestToken: 'token-1',
    });
    // The tags it is given (the spec's and the ownership marker, see reconcile.ts) go as a map.
    await api.createProfile(spec, 'web', 'token-2', { 'team': 'a', 'cdk-eks-fargate-profile:owner': 'stack/Res' });
    expect(eks.commandCalls(CreateFargateProfileCommand)[1].args[0].input.tags).toEqual({ 'team': 'a', 'cdk-eks-fargate-profile:owner': 'stack/Res' });
  });

  test('create, delete and tag errors are classified with the operation named', async () => {
    eks.on(CreateFargateProfileCommand).rejects(new ResourceInUseException({ message: 'A Fargate Profile already exists with this name in this cluster.', ...meta(409) }));
    eks.on(DeleteFargateProfileCommand).rejects(new ServerException({ message: 'oops', ...meta(500) }));
    eks.on(TagResourceCommand).rejects(new BadRequestException({ message: 'bad tag', ...meta(400) }));
    const spec = canonicalSpec({ ClusterName: 'demo', PodExecutionRoleArn: 'arn:aws:iam::1:role/p', Selectors: [{ Namespace: 'a' }] });

    const create = await api.createProfile(spec, 'web', 't', {}).catch(e => e);
    expect(create).toMatchObject({ operation: 'CreateFargateProfile', error: { kind: 'NAME_IN_USE' } });
    const del = await api.deleteProfile('demo', 'web').catch(e => e);
    expect(del).toMatchObject({ operation: 'DeleteFargateProfile', error: { kind: 'RETRYABLE' } });
    const tag = await api.tagResource('arn', { a: 'b' }).catch(e => e);
    expect(tag).toMatchObject({ operation: 'TagResource', error: { kind: 'FATAL', code: 'BadRequestException' } });
    expect(tag.message).toBe('TagResource failed: BadRequestException: bad tag');
  });
});
