// `npx projen measure-synth`: how long `app.synth()` takes, and how much memory it peaks at, for
// 10, 50, 200 and 500 profiles on one cluster, each with 5 wildcard selectors, against the native
// way (one CfnFargateProfile and one IAM role per profile, chained, with the same selectors).
// Stacks of at most 200 profiles (CloudFormation's 500 resources per stack): 500 are 3 stacks.
//
// Paired runs: each repetition runs ours and native back to back, alternating which goes first,
// each in a child process of its own, so that the peak RSS is that run's alone and neither run
// warms the other's JIT. A child times construction plus `app.synth()` (the modules are loaded,
// both ours and aws-cdk-lib's, before the clock starts) and reports `process.resourceUsage().maxRSS`.
// The report gives the medians and the ratio ours / native; the goal is at most 1.1x.
// This is a measurement, never a test: no threshold fails it.
//
// Usage: measure-synth [sizes, comma-separated] [repetitions]; MEASURE_SYNTH_CPU_PROF=<dir> writes
// a V8 CPU profile of each child's timed part (what `node --cpu-prof` records), for Chrome DevTools.
//
// The selectors of profile i, a mix of what platform teams write, overlapping where teams share:
//   1. `team-<i>-*`              a team's namespaces by prefix: disjoint from every other profile's
//   2. `svc-*-<i>`               prefix and suffix: disjoint (`svc-*-1` and `svc-*-11` differ in the
//                                character before the suffix), and from 1 by the prefix
//   3. `batch-<i>-??`            `?` wildcards, job namespaces of one team
//   4. `apps-*` with the labels `team: t<i>` and `app.kubernetes.io/*: *`: namespaces every team
//                                uses, told apart by a literal label value, plus a wildcard key
//   5. `shared-*` with the label `pair: p<i/2>`: profiles 2k and 2k+1 share these namespaces, so a
//                                cluster of n profiles gets n/2 overlap warnings (a pair of profiles
//                                of one team, say on-demand and spot)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import { FargateProfile, FargateProfileSelector } from '../src';
import { nativeProfiles } from './support/native-profiles';

const ENV = { account: '123456789012', region: 'us-east-1' };
const DEFAULT_SIZES = [10, 50, 200, 500];
const DEFAULT_REPETITIONS = 5;
const PROFILES_PER_STACK = 200;

type Variant = 'ours' | 'native';

/** What one child process measured. */
interface Run {
  readonly variant: Variant;
  readonly profiles: number;
  readonly wallMs: number;
  readonly maxRssMb: number;
  readonly resources: number;
}

/** The 5 wildcard selectors of profile i (see the header). */
export function benchmarkSelectors(i: number): FargateProfileSelector[] {
  return [
    { namespace: `team-${i}-*` },
    { namespace: `svc-*-${i}` },
    { namespace: `batch-${i}-??` },
    { namespace: 'apps-*', labels: { 'team': `t${i}`, 'app.kubernetes.io/*': '*' } },
    { namespace: 'shared-*', labels: { pair: `p${Math.floor(i / 2)}` } },
  ];
}

/** This library: default-role profiles with explicit names on an imported cluster. */
function ours(stack: Stack, [first, end]: [number, number]): void {
  const cluster = eksv2.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'demo' });
  for (let i = first; i < end; i++) {
    new FargateProfile(stack, `Profile${i}`, {
      cluster,
      fargateProfileName: `profile-${i}`,
      selectors: benchmarkSelectors(i),
    });
  }
}

/** Native: CfnFargateProfile plus its own pod execution role, chained (EKS creates one at a time). */
function native(stack: Stack, profiles: [number, number]): void {
  nativeProfiles(stack, profiles, benchmarkSelectors, (i) => `profile-${i}`);
}

/** In the child: build and synthesize once, and print what it took as one JSON line. */
function child(variant: Variant, profiles: number): void {
  // The same warm-up in every child, before the clock: aws-cdk-lib loads its modules lazily, on
  // first use, and that one-off cost (seconds) would otherwise swamp the small sizes.
  synthesize(ours, 1);
  synthesize(native, 1);
  const cpuProfile = process.env.MEASURE_SYNTH_CPU_PROF ? startCpuProfile() : undefined;
  const start = process.hrtime.bigint();
  const { resources } = synthesize(variant === 'ours' ? ours : native, profiles);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  cpuProfile?.(path.join(process.env.MEASURE_SYNTH_CPU_PROF!, `${variant}-${profiles}-${process.pid}.cpuprofile`));
  const run: Run = {
    variant,
    profiles,
    wallMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024, // kilobytes
    resources,
  };
  console.log(JSON.stringify(run));
}

/**
 * Builds the profiles in stacks of at most PROFILES_PER_STACK (CloudFormation allows 500 resources
 * per stack; native takes two per profile) and synthesizes the app; the profiles share one cluster
 * (same name, account and region), so the scheduling checks see them all together.
 */
function synthesize(build: (stack: Stack, profiles: [number, number]) => void, profiles: number): { resources: number } {
  const app = new App();
  const stacks: Stack[] = [];
  for (let first = 0; first < profiles; first += PROFILES_PER_STACK) {
    const stack = new Stack(app, `Measure${stacks.length}`, { env: ENV });
    build(stack, [first, Math.min(first + PROFILES_PER_STACK, profiles)]);
    stacks.push(stack);
  }
  const assembly = app.synth();
  const resources = stacks.map((stack) => Object.keys(assembly.getStackByName(stack.stackName).template.Resources ?? {}).length);
  return { resources: resources.reduce((a, b) => a + b, 0) };
}

/**
 * Starts V8's CPU profiler (what `node --cpu-prof` uses) for the timed part only; the function
 * returned stops it and writes the profile, to open in Chrome DevTools.
 */
function startCpuProfile(): (file: string) => void {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  return (file) => session.post('Profiler.stop', (error, result) => {
    if (error) throw error;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result.profile));
  });
}

function runChild(variant: Variant, profiles: number): Run {
  const args = [
    '--max-old-space-size=4096',
    '-r', 'ts-node/register/transpile-only',
    __filename, '--child', variant, String(profiles),
  ];
  const result = spawnSync(process.execPath, args, {
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') },
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`child ${variant} ${profiles} failed (${result.status ?? result.signal}): ${result.stderr}`);
  }
  const line = result.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Run;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(argv: readonly string[]): void {
  const sizes = argv[0] ? argv[0].split(',').map(Number) : DEFAULT_SIZES;
  const repetitions = argv[1] ? Number(argv[1]) : DEFAULT_REPETITIONS;
  console.log(`Synth of n profiles on one cluster, 5 wildcard selectors each (test/measure-synth.ts), ${repetitions} paired runs per size,`);
  console.log('each run in its own process; medians. Wall: construction + app.synth(). Peak: the child\'s max RSS (modules included).');
  const pad = (value: string | number, width: number) => String(value).padStart(width);
  console.log(`${pad('profiles', 8)} ${pad('ours ms', 9)} ${pad('native ms', 9)} ${pad('ratio', 6)} ${pad('ours MB', 8)} `
    + `${pad('native MB', 9)} ${pad('ratio', 6)} ${pad('res ours', 8)} ${pad('res native', 10)}`);
  for (const profiles of sizes) {
    const runs: Record<Variant, Run[]> = { ours: [], native: [] };
    for (let r = 0; r < repetitions; r++) {
      const order: Variant[] = r % 2 === 0 ? ['ours', 'native'] : ['native', 'ours'];
      for (const variant of order) runs[variant].push(runChild(variant, profiles));
    }
    const wall = (v: Variant) => median(runs[v].map((run) => run.wallMs));
    const rss = (v: Variant) => median(runs[v].map((run) => run.maxRssMb));
    console.log(`${pad(profiles, 8)} ${pad(wall('ours').toFixed(0), 9)} ${pad(wall('native').toFixed(0), 9)} `
      + `${pad((wall('ours') / wall('native')).toFixed(2), 6)} ${pad(rss('ours').toFixed(0), 8)} ${pad(rss('native').toFixed(0), 9)} `
      + `${pad((rss('ours') / rss('native')).toFixed(2), 6)} ${pad(runs.ours[0].resources, 8)} ${pad(runs.native[0].resources, 10)}`);
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3] as Variant, Number(process.argv[4]));
} else if (require.main === module) {
  main(process.argv.slice(2));
}
