// Fault injection: IAM propagation, throttling (and how the SDK's retry strategy treats it),
// server errors, CREATE_FAILED / DELETE_FAILED with health issues, out-of-band deletions.
import {
  CreateFargateProfileCommand,
  CreateFargateProfileCommandInput,
  DeleteFargateProfileCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  EKSServiceException,
  InvalidParameterException,
  ListFargateProfilesCommand,
  ResourceNotFoundException,
  ServerException,
  ThrottlingException,
} from '@aws-sdk/client-eks';
import { EksEmulator, EksEmulatorOptions, IAM_TRUST_POLICY_MESSAGE } from '../support/eks-emulator';

const ROLE = 'arn:aws:iam::123456789012:role/pod-execution';
const ISSUE = { code: 'AccessDenied', message: 'The pod execution role cannot be assumed', resourceIds: [ROLE] };

let now: number;
let emulator: EksEmulator;
let eks: EKSClient;

async function setUp(options: EksEmulatorOptions = {}) {
  now = 1_700_000_000_000;
  emulator = await EksEmulator.start({ createDelayMs: 300, deleteDelayMs: 300, clock: () => now, ...options });
  emulator.addCluster('demo');
  eks = new EKSClient({ ...emulator.clientConfig(), maxAttempts: 1 });
}

beforeEach(() => setUp());

afterEach(async () => {
  eks.destroy();
  await emulator.stop();
});

function input(name: string, extra: Partial<CreateFargateProfileCommandInput> = {}): CreateFargateProfileCommandInput {
  return { clusterName: 'demo', fargateProfileName: name, podExecutionRoleArn: ROLE, selectors: [{ namespace: 'default' }], ...extra };
}
const create = (name: string, extra: Partial<CreateFargateProfileCommandInput> = {}) =>
  eks.send(new CreateFargateProfileCommand(input(name, extra)));
const describeProfile = (name: string, cluster = 'demo') =>
  eks.send(new DescribeFargateProfileCommand({ clusterName: cluster, fargateProfileName: name }));
const remove = (name: string) => eks.send(new DeleteFargateProfileCommand({ clusterName: 'demo', fargateProfileName: name }));

describe('IAM propagation', () => {
  test('creates fail with the trust-policy message until iamPropagationMs after the role is first seen', async () => {
    emulator.faults.iamPropagationMs = 1_000;
    const first = await create('web').catch((e) => e);
    expect(first).toBeInstanceOf(InvalidParameterException);
    expect(first.message).toBe(IAM_TRUST_POLICY_MESSAGE);
    expect(IAM_TRUST_POLICY_MESSAGE).toBe(
      'Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal');
    now += 999;
    await expect(create('web')).rejects.toThrow(IAM_TRUST_POLICY_MESSAGE);
    now += 1;
    const out = await create('web');
    expect(out.fargateProfile?.status).toBe('CREATING');
  });

  test('each role has its own window, and seeRole starts it early', async () => {
    emulator.faults.iamPropagationMs = 1_000;
    emulator.seeRole(ROLE);
    now += 1_000;
    await expect(create('a')).resolves.toBeDefined();
    now += 300;
    const otherRole = 'arn:aws:iam::123456789012:role/fresh';
    await expect(create('b', { podExecutionRoleArn: otherRole })).rejects.toThrow(IAM_TRUST_POLICY_MESSAGE);
  });
});

describe('throttling', () => {
  test('an injected throttle is the SDK ThrottlingException with HTTP 429', async () => {
    emulator.failNextCalls('ThrottlingException');
    const err = await describeProfile('x').catch((e) => e);
    expect(err).toBeInstanceOf(ThrottlingException);
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata.httpStatusCode).toBe(429);
    // Only the injected call was throttled: the next one reaches the operation.
    await expect(describeProfile('x')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test("the SDK's default retry strategy retries a throttle (and does not retry a client error)", async () => {
    const retrying = new EKSClient({ ...emulator.clientConfig(), maxAttempts: 2 });
    try {
      await create('web');
      emulator.clearCalls();
      emulator.failNextCalls('ThrottlingException', { operation: 'DescribeFargateProfile' });
      const out = await retrying.send(new DescribeFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'web' }));
      expect(out.fargateProfile?.status).toBe('CREATING');
      expect(out.$metadata.attempts).toBe(2);
      expect(emulator.calls.map((c) => c.outcome)).toEqual(['ThrottlingException', 'OK']);

      emulator.clearCalls();
      const err = await retrying.send(new DescribeFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'nope' })).catch((e) => e);
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect(err.$metadata.attempts).toBe(1);
      expect(emulator.callCount()).toBe(1);
    } finally {
      retrying.destroy();
    }
  });

  test('throttleProbability 1 throttles every call, 0 none', async () => {
    emulator.faults.throttleProbability = 1;
    for (let i = 0; i < 3; i++) {
      await expect(describeProfile('x')).rejects.toBeInstanceOf(ThrottlingException);
    }
    emulator.faults.throttleProbability = 0;
    await expect(describeProfile('x')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('probabilistic throttling is reproducible for a seed and differs across seeds', async () => {
    async function outcomes(seed: number): Promise<string[]> {
      const e = await EksEmulator.start({ seed });
      e.addCluster('c');
      e.faults.throttleProbability = 0.3;
      const client = new EKSClient({ ...e.clientConfig(), maxAttempts: 1 });
      try {
        for (let i = 0; i < 40; i++) {
          await client.send(new ListFargateProfilesCommand({ clusterName: 'c' })).catch(() => undefined);
        }
        return e.calls.map((c) => c.outcome);
      } finally {
        client.destroy();
        await e.stop();
      }
    }
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
    emulator.failNextCalls('ServerException', { operation: 'CreateFargateProfile' });
    const err = await create('web').catch((e) => e);
    expect(err).toBeInstanceOf(ServerException);
    expect(err.name).toBe('ServerException');
    expect(err.$fault).toBe('server');
    expect(err.$metadata.httpStatusCode).toBe(500);
    expect(emulator.describe('demo', 'web')).toBeUndefined();
  });

  test("the SDK's default retry strategy retries a ServerException", async () => {
    const retrying = new EKSClient({ ...emulator.clientConfig(), maxAttempts: 2 });
    try {
      emulator.failNextCalls('ServerException');
      await expect(retrying.send(new ListFargateProfilesCommand({ clusterName: 'demo' }))).resolves.toMatchObject({ $metadata: { attempts: 2 } });
      expect(emulator.calls.map((c) => c.outcome)).toEqual(['ServerException', 'OK']);
    } finally {
      retrying.destroy();
    }
  });

  test('serverErrorProbability 1 fails every call', async () => {
    emulator.faults.serverErrorProbability = 1;
    await expect(describeProfile('x')).rejects.toBeInstanceOf(ServerException);
    await expect(create('web')).rejects.toBeInstanceOf(ServerException);
  });

  test('failNextCalls honours operation, profile and count filters', async () => {
    await create('a');
    now += 300;
    emulator.failNextCalls('ServerException', { operation: 'DescribeFargateProfile', profile: 'a', count: 2 });
    await expect(remove('a')).resolves.toBeDefined(); // other operation: untouched
    await expect(describeProfile('b')).rejects.toBeInstanceOf(ResourceNotFoundException); // other profile: untouched
    await expect(describeProfile('a')).rejects.toBeInstanceOf(ServerException);
    await expect(describeProfile('a')).rejects.toBeInstanceOf(ServerException);
    await expect(describeProfile('a')).resolves.toBeDefined();
  });

  test('an error type the model does not know still surfaces as an EKSServiceException with that name', async () => {
    emulator.failNextCalls('TotallyNewException', { message: 'surprise' });
    const err = await describeProfile('x').catch((e) => e);
    expect(err).toBeInstanceOf(EKSServiceException);
    expect(err.name).toBe('TotallyNewException');
    expect(err.message).toBe('surprise');
  });
});

describe('CREATE_FAILED and DELETE_FAILED', () => {
  test('failNextCreate ends the next create in CREATE_FAILED with the health issues', async () => {
    emulator.failNextCreate('demo', ISSUE);
    await create('web');
    now += 299;
    expect((await describeProfile('web')).fargateProfile?.status).toBe('CREATING');
    now += 1;
    const out = await describeProfile('web');
    expect(out.fargateProfile?.status).toBe('CREATE_FAILED');
    expect(out.fargateProfile?.health).toEqual({ issues: [ISSUE] });
    expect(emulator.timeline('demo', 'web')).toMatchObject({ createFailedAt: now });
    expect(emulator.timeline('demo', 'web')?.activeAt).toBeUndefined();
    // Consumed: the next create succeeds.
    await create('next');
    now += 300;
    expect((await describeProfile('next')).fargateProfile?.status).toBe('ACTIVE');
  });

  test('failCreate targets a profile name, for the given number of creates', async () => {
    emulator.failCreate('doomed', ISSUE, 2);
    await create('fine');
    now += 300;
    expect((await describeProfile('fine')).fargateProfile?.status).toBe('ACTIVE');
    for (let i = 0; i < 3; i++) {
      await create('doomed');
      now += 300;
      const status = (await describeProfile('doomed')).fargateProfile?.status;
      expect(status).toBe(i < 2 ? 'CREATE_FAILED' : 'ACTIVE');
      if (i < 2) {
        await remove('doomed');
        now += 300;
      }
    }
  });

  test('failNextDelete and failDelete end the delete in DELETE_FAILED; a retried delete then succeeds', async () => {
    await create('a');
    now += 300;
    await create('b');
    now += 300;
    emulator.failNextDelete('demo', [ISSUE, { code: 'InternalFailure', message: 'oops' }]);
    emulator.failDelete('b', ISSUE);
    await remove('a');
    now += 300;
    const a = await describeProfile('a');
    expect(a.fargateProfile?.status).toBe('DELETE_FAILED');
    expect(a.fargateProfile?.health?.issues).toEqual([ISSUE, { code: 'InternalFailure', message: 'oops', resourceIds: [] }]);
    expect(emulator.timeline('demo', 'a')).toMatchObject({ deleteFailedAt: now });
    await remove('b');
    now += 300;
    expect((await describeProfile('b')).fargateProfile?.status).toBe('DELETE_FAILED');
    await remove('a');
    now += 300;
    await expect(describeProfile('a')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('out-of-band deletions', () => {
  test('deleteClusterOutOfBand: every call about the cluster is ResourceNotFoundException', async () => {
    await create('web');
    now += 300;
    now += 50;
    emulator.deleteClusterOutOfBand('demo');
    const err = await describeProfile('web').catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('No cluster found for name: demo.');
    await expect(remove('web')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(emulator.profiles('demo')).toEqual([]);
    expect(emulator.timeline('demo', 'web')).toMatchObject({ goneAt: now, deletedOutOfBand: true, activeAt: now - 50 });
  });

  test('deleteProfileOutOfBand: the profile is gone at once, whatever its status', async () => {
    await create('web');
    emulator.deleteProfileOutOfBand('demo', 'web');
    const err = await describeProfile('web').catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('No Fargate Profile found with name: web.');
    // It no longer blocks the one-at-a-time rule.
    await expect(create('other')).resolves.toBeDefined();
    expect(emulator.timeline('demo', 'web')).toMatchObject({ goneAt: now, deletedOutOfBand: true });
  });
});
