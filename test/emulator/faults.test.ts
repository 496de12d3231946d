// Fault injection: IAM propagation, throttling (and how the SDK's retry strategy treats it),
// server errors, CREATE_FAILED / DELETE_FAILED with health issues, out-of-band deletions.
import {
  DescribeFargateProfileCommand,
  EKSClient,
  EKSServiceException,
  InvalidParameterException,
  ListFargateProfilesCommand,
  ResourceNotFoundException,
  ServerException,
  ThrottlingException,
} from '@aws-sdk/client-eks';
import { ROLE, useEksEmulator, withOwnEmulator } from './fixture';
import { IAM_TRUST_POLICY_MESSAGE } from '../support/eks-emulator';

const ISSUE = { code: 'AccessDenied', message: 'The pod execution role cannot be assumed', resourceIds: [ROLE] };

const fx = useEksEmulator();
const { create, remove, describeProfile, advance } = fx;

describe('IAM propagation', () => {
  test('creates fail with the trust-policy message until iamPropagationMs after the role is first seen', async () => {
    fx.emulator.faults.iamPropagationMs = 1_000;
    const first = await create('web').catch((e) => e);
    expect(first).toBeInstanceOf(InvalidParameterException);
    expect(first.message).toBe(IAM_TRUST_POLICY_MESSAGE);
    expect(IAM_TRUST_POLICY_MESSAGE).toBe(
      'Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal');
    advance(999);
    await expect(create('web')).rejects.toThrow(IAM_TRUST_POLICY_MESSAGE);
    advance(1);
    const out = await create('web');
    expect(out.fargateProfile?.status).toBe('CREATING');
  });

  test('each role has its own window, and seeRole starts it early', async () => {
    fx.emulator.faults.iamPropagationMs = 1_000;
    fx.emulator.seeRole(ROLE);
    advance(1_000);
    await expect(create('a')).resolves.toBeDefined();
    advance(300);
    const otherRole = 'arn:aws:iam::123456789012:role/fresh';
    await expect(create('b', { podExecutionRoleArn: otherRole })).rejects.toThrow(IAM_TRUST_POLICY_MESSAGE);
  });
});

describe('throttling', () => {
  test('an injected throttle is the SDK ThrottlingException with HTTP 429', async () => {
    fx.emulator.injectFault({ error: 'ThrottlingException' });
    const err = await describeProfile('x').catch((e) => e);
    expect(err).toBeInstanceOf(ThrottlingException);
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata.httpStatusCode).toBe(429);
    // Only the injected call was throttled: the next one reaches the operation.
    await expect(describeProfile('x')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test("the SDK's default retry strategy retries a throttle (and does not retry a client error)", async () => {
    const retrying = new EKSClient({ ...fx.emulator.clientConfig(), maxAttempts: 2 });
    try {
      await create('web');
      fx.emulator.clearCalls();
      fx.emulator.injectFault({ error: 'ThrottlingException', operation: 'DescribeFargateProfile' });
      const out = await retrying.send(new DescribeFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'web' }));
      expect(out.fargateProfile?.status).toBe('CREATING');
      expect(out.$metadata.attempts).toBe(2);
      expect(fx.emulator.calls.map((c) => c.outcome)).toEqual(['ThrottlingException', 'OK']);

      fx.emulator.clearCalls();
      const err = await retrying.send(new DescribeFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'nope' })).catch((e) => e);
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect(err.$metadata.attempts).toBe(1);
      expect(fx.emulator.callCount()).toBe(1);
    } finally {
      retrying.destroy();
    }
  });

  test('throttleProbability 1 throttles every call, 0 none', async () => {
    fx.emulator.faults.throttleProbability = 1;
    for (let i = 0; i < 3; i++) {
      await expect(describeProfile('x')).rejects.toBeInstanceOf(ThrottlingException);
    }
    fx.emulator.faults.throttleProbability = 0;
    await expect(describeProfile('x')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('probabilistic throttling is reproducible for a seed and differs across seeds', async () => {
    const outcomes = (seed: number) => withOwnEmulator({ seed }, 'c', async (e, client) => {
      e.faults.throttleProbability = 0.3;
      for (let i = 0; i < 40; i++) {
        await client.send(new ListFargateProfilesCommand({ clusterName: 'c' })).catch(() => undefined);
      }
      return e.calls.map((c) => c.outcome);
    });
    const a = await outcomes(7);
    expect(await outcomes(7)).toEqual(a);
    expect(await outcomes(8)).not.toEqual(a);
    const throttled = a.filter((o) => o === 'ThrottlingException').length;
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThan(40);
  });
});

describe('server errors', () => {
  test('an injected ServerException is the SDK ServerException with HTTP 500 and a server fault', async () => {
    fx.emulator.injectFault({ error: 'ServerException', operation: 'CreateFargateProfile' });
    const err = await create('web').catch((e) => e);
    expect(err).toBeInstanceOf(ServerException);
    expect(err.name).toBe('ServerException');
    expect(err.$fault).toBe('server');
    expect(err.$metadata.httpStatusCode).toBe(500);
    expect(fx.emulator.describe('demo', 'web')).toBeUndefined();
  });

  test("the SDK's default retry strategy retries a ServerException", async () => {
    const retrying = new EKSClient({ ...fx.emulator.clientConfig(), maxAttempts: 2 });
    try {
      fx.emulator.injectFault({ error: 'ServerException' });
      await expect(retrying.send(new ListFargateProfilesCommand({ clusterName: 'demo' }))).resolves.toMatchObject({ $metadata: { attempts: 2 } });
      expect(fx.emulator.calls.map((c) => c.outcome)).toEqual(['ServerException', 'OK']);
    } finally {
      retrying.destroy();
    }
  });

  test('serverErrorProbability 1 fails every call', async () => {
    fx.emulator.faults.serverErrorProbability = 1;
    await expect(describeProfile('x')).rejects.toBeInstanceOf(ServerException);
    await expect(create('web')).rejects.toBeInstanceOf(ServerException);
  });

  test('a call-error fault honours its operation, profile and times filters', async () => {
    await create('a');
    advance(300);
    fx.emulator.injectFault({ error: 'ServerException', operation: 'DescribeFargateProfile', profile: 'a', times: 2 });
    await expect(remove('a')).resolves.toBeDefined(); // other operation: untouched
    await expect(describeProfile('b')).rejects.toBeInstanceOf(ResourceNotFoundException); // other profile: untouched
    await expect(describeProfile('a')).rejects.toBeInstanceOf(ServerException);
    await expect(describeProfile('a')).rejects.toBeInstanceOf(ServerException);
    await expect(describeProfile('a')).resolves.toBeDefined();
  });

  test('a call-error fault with a cluster hits only calls about that cluster', async () => {
    fx.emulator.addCluster('other');
    fx.emulator.injectFault({ error: 'ServerException', cluster: 'other' });
    await expect(describeProfile('x')).rejects.toBeInstanceOf(ResourceNotFoundException); // cluster demo: untouched
    await expect(describeProfile('x', 'other')).rejects.toBeInstanceOf(ServerException);
    await expect(describeProfile('x', 'other')).rejects.toBeInstanceOf(ResourceNotFoundException); // used up
  });

  test('an error type the model does not know still surfaces as an EKSServiceException with that name', async () => {
    fx.emulator.injectFault({ error: 'TotallyNewException', message: 'surprise' });
    const err = await describeProfile('x').catch((e) => e);
    expect(err).toBeInstanceOf(EKSServiceException);
    expect(err.name).toBe('TotallyNewException');
    expect(err.message).toBe('surprise');
  });
});

describe('CREATE_FAILED and DELETE_FAILED', () => {
  test('a create health-issue fault for the cluster ends its next create in CREATE_FAILED with the issues', async () => {
    fx.emulator.injectFault({ operation: 'CreateFargateProfile', cluster: 'demo', healthIssues: ISSUE });
    await create('web');
    advance(299);
    expect((await describeProfile('web')).fargateProfile?.status).toBe('CREATING');
    advance(1);
    const out = await describeProfile('web');
    expect(out.fargateProfile?.status).toBe('CREATE_FAILED');
    expect(out.fargateProfile?.health).toEqual({ issues: [ISSUE] });
    expect(fx.emulator.timeline('demo', 'web')).toMatchObject({ createFailedAt: fx.now });
    expect(fx.emulator.timeline('demo', 'web')?.activeAt).toBeUndefined();
    // Consumed: the next create succeeds.
    await create('next');
    advance(300);
    expect((await describeProfile('next')).fargateProfile?.status).toBe('ACTIVE');
  });

  test('a create health-issue fault targets a profile name, for the given number of creates', async () => {
    fx.emulator.injectFault({ operation: 'CreateFargateProfile', profile: 'doomed', healthIssues: ISSUE, times: 2 });
    await create('fine');
    advance(300);
    expect((await describeProfile('fine')).fargateProfile?.status).toBe('ACTIVE');
    for (let i = 0; i < 3; i++) {
      await create('doomed');
      advance(300);
      const status = (await describeProfile('doomed')).fargateProfile?.status;
      expect(status).toBe(i < 2 ? 'CREATE_FAILED' : 'ACTIVE');
      if (i < 2) {
        await remove('doomed');
        advance(300);
      }
    }
  });

  test('delete health-issue faults (by cluster, by profile) end the delete in DELETE_FAILED; a retried delete then succeeds', async () => {
    await create('a');
    advance(300);
    await create('b');
    advance(300);
    fx.emulator.injectFault({ operation: 'DeleteFargateProfile', cluster: 'demo', healthIssues: [ISSUE, { code: 'InternalFailure', message: 'oops' }] });
    fx.emulator.injectFault({ operation: 'DeleteFargateProfile', profile: 'b', healthIssues: ISSUE });
    await remove('a');
    advance(300);
    const a = await describeProfile('a');
    expect(a.fargateProfile?.status).toBe('DELETE_FAILED');
    expect(a.fargateProfile?.health?.issues).toEqual([ISSUE, { code: 'InternalFailure', message: 'oops', resourceIds: [] }]);
    expect(fx.emulator.timeline('demo', 'a')).toMatchObject({ deleteFailedAt: fx.now });
    await remove('b');
    advance(300);
    expect((await describeProfile('b')).fargateProfile?.status).toBe('DELETE_FAILED');
    await remove('a');
    advance(300);
    await expect(describeProfile('a')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('out-of-band deletions', () => {
  test('deleteClusterOutOfBand: every call about the cluster is ResourceNotFoundException', async () => {
    await create('web');
    advance(300);
    advance(50);
    fx.emulator.deleteClusterOutOfBand('demo');
    const err = await describeProfile('web').catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('No cluster found for name: demo.');
    await expect(remove('web')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(fx.emulator.profiles('demo')).toEqual([]);
    expect(fx.emulator.timeline('demo', 'web')).toMatchObject({ goneAt: fx.now, deletedOutOfBand: true, activeAt: fx.now - 50 });
  });

  test('deleteProfileOutOfBand: the profile is gone at once, whatever its status', async () => {
    await create('web');
    fx.emulator.deleteProfileOutOfBand('demo', 'web');
    const err = await describeProfile('web').catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('No Fargate Profile found with name: web.');
    // It no longer blocks the one-at-a-time rule.
    await expect(create('other')).resolves.toBeDefined();
    expect(fx.emulator.timeline('demo', 'web')).toMatchObject({ goneAt: fx.now, deletedOutOfBand: true });
  });
});
