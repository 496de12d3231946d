// Shared per-test setup for the emulator suites: a fresh EksEmulator on a manual clock with a
// 'demo' cluster, an EKSClient that does not retry, teardown after each test, and the profile
// helpers every suite uses. Call useEksEmulator() at the top level of a test file.
import {
  CreateFargateProfileCommand,
  CreateFargateProfileCommandInput,
  DeleteFargateProfileCommand,
  DescribeFargateProfileCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import { EksEmulator, EksEmulatorOptions } from '../support/eks-emulator';

export const ROLE = 'arn:aws:iam::123456789012:role/pod-execution';

/**
 * Runs `body` against an emulator of its own (real clock unless `options` says otherwise) with one
 * cluster and a client that does not retry, then stops both: for tests that compare runs.
 */
export async function withOwnEmulator<T>(
  options: EksEmulatorOptions, cluster: string, body: (emulator: EksEmulator, eks: EKSClient) => Promise<T>,
): Promise<T> {
  const emulator = await EksEmulator.start(options);
  emulator.addCluster(cluster);
  const eks = new EKSClient({ ...emulator.clientConfig(), maxAttempts: 1 });
  try {
    return await body(emulator, eks);
  } finally {
    eks.destroy();
    await emulator.stop();
  }
}

/** The manual clock's value at the start of every test. */
export const START = 1_700_000_000_000;

/**
 * Registers beforeEach/afterEach hooks that start and stop an emulator with
 * `{ createDelayMs: 300, deleteDelayMs: 300, clock, ...options }`, and returns accessors for it.
 */
export function useEksEmulator(options: EksEmulatorOptions = {}) {
  let now = START;
  let emulator: EksEmulator | undefined;
  let eks: EKSClient | undefined;

  async function setUp(extra: EksEmulatorOptions = {}) {
    now = START;
    emulator = await EksEmulator.start({ createDelayMs: 300, deleteDelayMs: 300, clock: () => now, ...options, ...extra });
    emulator.addCluster('demo');
    eks = new EKSClient({ ...emulator.clientConfig(), maxAttempts: 1 });
  }

  async function tearDown() {
    eks?.destroy();
    await emulator?.stop();
    eks = undefined;
    emulator = undefined;
  }

  beforeEach(() => setUp());
  afterEach(() => tearDown());

  function current<T>(value: T | undefined, what: string): T {
    if (value === undefined) {
      throw new Error(`useEksEmulator: no ${what} outside a test`);
    }
    return value;
  }

  function input(name: string, extra: Partial<CreateFargateProfileCommandInput> = {}): CreateFargateProfileCommandInput {
    return { clusterName: 'demo', fargateProfileName: name, podExecutionRoleArn: ROLE, selectors: [{ namespace: 'default' }], ...extra };
  }

  const fixture = {
    /** The current test's emulator. */
    get emulator(): EksEmulator { return current(emulator, 'emulator'); },
    /** A client for the current test's emulator, with maxAttempts: 1. */
    get eks(): EKSClient { return current(eks, 'client'); },
    /** The manual clock the emulator reads (epoch ms); START at the beginning of each test. */
    get now(): number { return now; },
    /** Moves the manual clock forward. */
    advance(ms: number) { now += ms; },
    /** Stops this test's emulator and client and starts fresh ones with these options on top of the file's. */
    async restart(extra: EksEmulatorOptions) {
      await tearDown();
      await setUp(extra);
    },
    input,
    create: (name: string, extra: Partial<CreateFargateProfileCommandInput> = {}) =>
      fixture.eks.send(new CreateFargateProfileCommand(input(name, extra))),
    remove: (name: string) =>
      fixture.eks.send(new DeleteFargateProfileCommand({ clusterName: 'demo', fargateProfileName: name })),
    describeProfile: (name: string, cluster = 'demo') =>
      fixture.eks.send(new DescribeFargateProfileCommand({ clusterName: cluster, fargateProfileName: name })),
  };
  return fixture;
}
