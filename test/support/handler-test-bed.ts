// The shared setup of the handler's end-to-end tests (test/handler/): one EKS emulator for the whole
// file, its fake credentials, region and endpoint in the environment (so the handler's SDK client
// reaches it), and for each test the handler's knobs, a fresh cluster and console.log/error captured.
import { EksEmulator } from './eks-emulator';

export interface HandlerTestBedOptions {
  /** Environment variables (the handler's knobs) set before each test and deleted after it. */
  readonly knobs: Readonly<Record<string, string>>;
  /** Each test gets its own cluster, `<clusterPrefix>-<n>`. */
  readonly clusterPrefix: string;
}

/** What the tests of a file read; each getter gives the current value. */
export interface HandlerTestBed {
  /** The file's emulator (created and deleted profiles take 60 ms), started before its first test. */
  readonly emulator: EksEmulator;
  /** This test's cluster, added to the emulator before the test. */
  readonly cluster: string;
  /** What this test logged with console.log and console.error, one entry per call; assignable, to start over. */
  logs: string[];
}

/**
 * Registers the jest hooks of the handler tests' setup in the calling file. Anything else a file needs
 * around each test goes in its own beforeEach/afterEach, which run after these.
 */
export function useHandlerTestBed(options: HandlerTestBedOptions): HandlerTestBed {
  let emulator: EksEmulator;
  let restoreEnv: () => void;
  let logs: string[];
  let clusterCounter = 0;
  let cluster: string;

  beforeAll(async () => {
    emulator = await EksEmulator.start({ createDelayMs: 60, deleteDelayMs: 60 });
    restoreEnv = emulator.useInProcessEnv();
  });

  afterAll(async () => {
    restoreEnv();
    await emulator.stop();
  });

  beforeEach(() => {
    Object.assign(process.env, options.knobs);
    cluster = `${options.clusterPrefix}-${++clusterCounter}`;
    emulator.addCluster(cluster);
    logs = [];
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logs.push(args.join(' ')); });
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { logs.push(args.join(' ')); });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    for (const key of Object.keys(options.knobs)) delete process.env[key];
  });

  return {
    get emulator() { return emulator; },
    get cluster() { return cluster; },
    get logs() { return logs; },
    set logs(value: string[]) { logs = value; },
  };
}
