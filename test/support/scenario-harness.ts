// Wiring for the lifecycle scenarios, the local deploy and the benchmark: an EKS
// emulator, and lifecycle runners that drive the BUNDLED handler against it with the
// construct's Provider timing and the handler's knobs scaled down by one factor. The emulator
// authorizes by default: each stack installs its handler role's policy on it as it deploys
// (handler-identity.ts), in the emulator's account and region.
import { EksEmulator, EksEmulatorOptions } from './eks-emulator';
import { LifecycleRunner, LifecycleRunnerOptions } from './lifecycle-runner';
import { ProviderTiming } from './provider-framework';
import { DEFAULT_TIMING } from '../../lambda/timing';
import { IS_COMPLETE_TIMEOUT, ON_EVENT_TIMEOUT, QUERY_INTERVAL, TOTAL_TIMEOUT } from '../../src/fargate-profile-provider';

/** The handler's default knobs (lambda/timing.ts), by the environment variable that sets each, before scaling. */
export const HANDLER_DEFAULTS_MS = {
  HANDLER_POLL_INTERVAL_MS: DEFAULT_TIMING.pollIntervalMs,
  HANDLER_SAFETY_MARGIN_MS: DEFAULT_TIMING.safetyMarginMs,
  HANDLER_WAIT_TIMEOUT_MS: DEFAULT_TIMING.waitTimeoutMs,
  HANDLER_RETRY_BASE_MS: DEFAULT_TIMING.retryBaseMs,
  HANDLER_IAM_RETRY_WINDOW_MS: DEFAULT_TIMING.iamRetryWindowMs,
} as const;

/** Handler knob overrides, in ms, by environment variable. */
export type HandlerKnobs = Partial<Record<keyof typeof HANDLER_DEFAULTS_MS, number>>;

/** Scenario time scale: 1 real second = 10 ms (queryInterval 100 ms, isComplete timeout 3 s). */
export const SCENARIO_SCALE = 1 / 100;
/** Emulated CREATING -> ACTIVE and DELETING -> gone time in scenarios (a 30 s profile at scale). */
export const SCENARIO_T_MS = 300;

/**
 * The first SDK call of the bundle in a fresh process loads and initializes the SDK (~1 s under
 * jest): time that Lambda spends too but that does not shrink with the scale. onEvent's timeout
 * never goes below this, so a cold start does not look like a handler that hangs.
 */
export const COLD_START_ALLOWANCE_MS = 5_000;

/** The construct's Provider timing (onEvent/isComplete Lambda timeouts, queryInterval, totalTimeout), scaled. */
export function scaledProviderTiming(scale: number): ProviderTiming {
  return {
    queryIntervalMs: Math.round(QUERY_INTERVAL.toMilliseconds() * scale),
    totalTimeoutMs: Math.round(TOTAL_TIMEOUT.toMilliseconds() * scale),
    onEventTimeoutMs: Math.max(COLD_START_ALLOWANCE_MS, Math.round(ON_EVENT_TIMEOUT.toMilliseconds() * scale)),
    isCompleteTimeoutMs: Math.round(IS_COMPLETE_TIMEOUT.toMilliseconds() * scale),
  };
}

/** The handler's knobs at their defaults, scaled (as environment variables). */
export function scaledHandlerEnv(scale: number, overrides: HandlerKnobs = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(HANDLER_DEFAULTS_MS)) {
    const ms = overrides[key as keyof typeof HANDLER_DEFAULTS_MS] ?? Math.max(1, Math.round(value * scale));
    env[key] = String(ms);
  }
  return env;
}

export interface ScenarioOptions {
  readonly scale?: number;
  readonly emulator?: EksEmulatorOptions;
  /** Handler knob overrides, in ms. */
  readonly handlerEnv?: HandlerKnobs;
  /** Clusters to create in the emulator. @default ['demo'] */
  readonly clusters?: string[];
  /** Whether the emulator authorizes the handler's calls with the stacks' handler policies. @default true */
  readonly authorization?: boolean;
}

/** An emulator plus a factory of runners (stacks) deploying against it. */
export class Scenario {
  public static async start(options: ScenarioOptions = {}): Promise<Scenario> {
    const emulator = await EksEmulator.start({ createDelayMs: SCENARIO_T_MS, deleteDelayMs: SCENARIO_T_MS, seed: 7, ...options.emulator });
    for (const cluster of options.clusters ?? ['demo']) emulator.addCluster(cluster);
    return new Scenario(emulator, options);
  }

  public readonly scale: number;
  private readonly restoreEnv: () => void;

  private constructor(public readonly emulator: EksEmulator, private readonly options: ScenarioOptions) {
    this.scale = options.scale ?? SCENARIO_SCALE;
    // Fake credentials, region and endpoint for the SDK inside the bundle.
    this.restoreEnv = emulator.useInProcessEnv();
  }

  /** A stack deployed through the bundled handler against this scenario's emulator. */
  public stack(stackName = 'ScenarioStack', options: Partial<LifecycleRunnerOptions> = {}): LifecycleRunner {
    return new LifecycleRunner({
      stackName,
      accountId: this.emulator.accountId,
      region: this.emulator.region,
      timing: scaledProviderTiming(this.scale),
      callerPolicies: this.options.authorization === false ? undefined : this.emulator,
      ...options,
      env: { ...this.emulator.environment(), ...scaledHandlerEnv(this.scale, this.options.handlerEnv), ...options.env },
    });
  }

  public async stop(): Promise<void> {
    this.restoreEnv();
    await this.emulator.stop();
  }
}

/** The current test's scenario (call it), and a way to replace it with one started with other options. */
export interface CurrentScenario {
  (): Scenario;
  /** Stops the current test's scenario and starts another with `options`; that one is stopped after the test. */
  restart(options?: ScenarioOptions): Promise<Scenario>;
}

/**
 * Registers jest hooks in the calling file that start a scenario with `options` before each test,
 * with console.log and console.error silenced, and stop it after the test.
 */
export function useScenario(options: ScenarioOptions = {}): CurrentScenario {
  let scenario: Scenario;
  beforeEach(async () => {
    // The handler logs a JSON line per step; keep the test output readable.
    jest.spyOn(console, 'log').mockImplementation(() => {});
    jest.spyOn(console, 'error').mockImplementation(() => {});
    scenario = await Scenario.start(options);
  });
  afterEach(async () => { await scenario.stop(); });

  const restart = async (restartOptions: ScenarioOptions = {}): Promise<Scenario> => {
    await scenario.stop();
    scenario = await Scenario.start(restartOptions);
    return scenario;
  };
  return Object.assign(() => scenario, { restart });
}
