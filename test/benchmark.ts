// `npx projen benchmark`: how fast each strategy notices that EKS finished, measured
// against the EKS emulator with time scaled 1:100 (a profile transition of T = 120 s takes
// 1.2 s). Side by side, in one run:
// - this library: the bundled handler with its default knobs scaled by the same factor
//   (poll 2 s, safety margin 15 s, isComplete timeout 5 min, Provider queryInterval 10 s);
// - aws-cdk-lib's FargateProfile strategy: isComplete only, one describe per invocation,
//   Provider queryInterval 60 s (scaled the same way).
// Each deploys 10 chained profiles (create, then delete) through the lifecycle runner, with
// transition times spread over 0.8 T .. 1.2 T (sum 10 T), after an unmeasured warm-up.
// Detection lag = when the Provider reports the resource complete - when the emulator's
// profile became ACTIVE (or disappeared). Not a test: timings depend on the machine. The emulator
// authorizes every call with the stack's handler policies; a call refused for a permission fails
// the run.
import { baselineHandler, BASELINE_QUERY_INTERVAL_MS } from './support/baseline-handler';
import { LifecycleRunner, LifecycleRunnerOptions, OperationReport } from './support/lifecycle-runner';
import { Scenario, scaledProviderTiming } from './support/scenario-harness';
import { numberedProfiles, synthProfiles } from './support/scenario-stacks';

const SCALE = 1 / 100;
const REAL_T_MS = 120_000;
const T_MS = REAL_T_MS * SCALE;
const PROFILES = 10;
/** Our median detection lag must stay within this fraction of T. */
const LAG_BUDGET = 0.05;

interface StrategyResult {
  readonly name: string;
  readonly activeLagMs: number[];
  readonly goneLagMs: number[];
  readonly createDescribes: number[];
  readonly deleteDescribes: number[];
  readonly createTotalMs: number;
  readonly deleteTotalMs: number;
}

type StackFactory = (scenario: Scenario, stackName: string, options: Partial<LifecycleRunnerOptions>) => LifecycleRunner;

/**
 * Transition time of the k-th create or delete: spread evenly over 0.8 T .. 1.2 T (mean T), so
 * that a fixed polling period cannot line up with the transitions by accident.
 */
function transitionMs(k: number): number {
  return Math.round(T_MS * (0.8 + (0.4 * (k % PROFILES)) / (PROFILES - 1)));
}

async function measure(name: string, makeStack: StackFactory): Promise<StrategyResult> {
  const scenario = await Scenario.start({ scale: SCALE, emulator: { createDelayMs: T_MS, deleteDelayMs: T_MS } });
  try {
    const emulator = scenario.emulator;
    // Warm-up (SDK loading, first connections), not measured.
    const warmup = makeStack(scenario, 'Warmup', {});
    expectOk(name, await warmup.deploy(synthProfiles(numberedProfiles(1), 'demo', 'Warmup')), 1, scenario);
    if (emulator.callerPolicies().length === 0) throw new Error(`${name}: the emulator does not authorize`);
    expectOk(name, await warmup.destroy(), 1, scenario);

    let creates = 0;
    let deletes = 0;
    const stack = makeStack(scenario, 'Benchmark', {
      beforeRequest: request => {
        if (request.RequestType === 'Create') emulator.createDelayMs = transitionMs(creates++);
        if (request.RequestType === 'Delete') emulator.deleteDelayMs = transitionMs(deletes++);
      },
    });
    const created = expectOk(name, await stack.deploy(synthProfiles(numberedProfiles(PROFILES))), PROFILES, scenario);
    const names = created.calls.map(c => c.response.PhysicalResourceId);
    const activeLagMs = created.calls.map(c =>
      created.startedAt + c.endMs - emulator.timeline('demo', c.response.PhysicalResourceId)!.activeAt!);
    const createDescribes = names.map(n => emulator.callCount({ operation: 'DescribeFargateProfile', profile: n }));

    const deleted = expectOk(name, await stack.destroy(), PROFILES, scenario);
    const goneLagMs = deleted.calls.map(c =>
      deleted.startedAt + c.endMs - emulator.timeline('demo', c.request.PhysicalResourceId!)!.goneAt!);
    const deleteDescribes = names.map((n, i) =>
      emulator.callCount({ operation: 'DescribeFargateProfile', profile: n }) - createDescribes[i]);
    return {
      name,
      activeLagMs,
      goneLagMs,
      createDescribes,
      deleteDescribes,
      createTotalMs: created.durationMs,
      deleteTotalMs: deleted.durationMs,
    };
  } finally {
    await scenario.stop();
  }
}

function expectOk(name: string, report: OperationReport, requests = PROFILES, scenario?: Scenario): OperationReport {
  if (report.failureReason || report.calls.length !== requests) {
    throw new Error(`${name}: ${report.operation} ended ${report.stackStatus}: ${report.failureReason ?? `${report.calls.length} requests`}`);
  }
  const refused = scenario?.emulator.calls.filter(c => ['AccessDeniedException', 'InvalidRequestException'].includes(c.outcome)) ?? [];
  if (refused.length > 0) throw new Error(`${name}: ${refused.length} calls refused for a permission, e.g. ${refused[0].message}`);
  return report;
}

async function main(): Promise<void> {
  // The handler's JSON log lines go to stderr.
  console.log = (...args: unknown[]) => process.stderr.write(`${args.join(' ')}\n`);
  const ours = await measure('this library', (scenario, stackName, options) => scenario.stack(stackName, options));
  const baseline = await measure('aws-cdk-lib strategy', (scenario, stackName, options) => scenario.stack(stackName, {
    ...options,
    handler: baselineHandler,
    timing: { ...scaledProviderTiming(SCALE), queryIntervalMs: BASELINE_QUERY_INTERVAL_MS * SCALE },
  }));

  const rows: Array<[string, (r: StrategyResult) => string]> = [
    ['detection lag after ACTIVE, median', r => lag(median(r.activeLagMs))],
    ['detection lag after ACTIVE, max', r => lag(Math.max(...r.activeLagMs))],
    ['detection lag after gone, median', r => lag(median(r.goneLagMs))],
    ['detection lag after gone, max', r => lag(Math.max(...r.goneLagMs))],
    ['describe calls per profile, create (mean)', r => mean(r.createDescribes).toFixed(1)],
    ['describe calls per profile, delete (mean)', r => mean(r.deleteDescribes).toFixed(1)],
    [`create ${PROFILES} chained profiles (10 x T = ${seconds(PROFILES * T_MS)})`, r => total(r.createTotalMs)],
    [`delete ${PROFILES} chained profiles (10 x T = ${seconds(PROFILES * T_MS)})`, r => total(r.deleteTotalMs)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const col = 34;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\nT = ${seconds(T_MS)} scaled (${REAL_T_MS / 1000} s real), scale 1:${1 / SCALE}; `
    + 'real-time equivalents in brackets; every call authorized with the handler policies\n');
  out(`| ${'metric'.padEnd(width)} | ${ours.name.padEnd(col)} | ${baseline.name.padEnd(col)} |`);
  out(`|${'-'.repeat(width + 2)}|${'-'.repeat(col + 2)}|${'-'.repeat(col + 2)}|`);
  for (const [label, value] of rows) {
    out(`| ${label.padEnd(width)} | ${value(ours).padEnd(col)} | ${value(baseline).padEnd(col)} |`);
  }
  const ok = median(ours.activeLagMs) <= LAG_BUDGET * T_MS && median(ours.goneLagMs) <= LAG_BUDGET * T_MS;
  out(`\nour median detection lag <= ${LAG_BUDGET * 100} % of T (${T_MS * LAG_BUDGET} ms): ${ok ? 'yes' : 'NO'}`);
  if (!ok) process.exitCode = 1;
}

function lag(ms: number): string {
  return `${Math.round(ms)} ms = ${(100 * ms / T_MS).toFixed(1)} % of T [${(ms / SCALE / 1000).toFixed(1)} s]`;
}

function total(ms: number): string {
  return `${seconds(ms)} = ${(ms / (PROFILES * T_MS)).toFixed(2)} x 10T [${(ms / SCALE / 60_000).toFixed(1)} min]`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
