// `npx projen local-deploy`: what `cdk deploy` of the example app would do, without an AWS
// account. The example stack (test/example) is synthesized with the real construct and
// deployed by the lifecycle runner (CloudFormation + Provider framework semantics) through
// the bundled handler against the in-process EKS emulator: create, a tag change, a
// replacement, then delete. Time is scaled down 100x; each line also shows the
// corresponding unscaled time. The emulator authorizes every call with the handler role's
// policies from the template, installed as the stack creates them: a call refused for a
// permission fails the run.
import { App, CfnResource, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleStack } from './example/example-stack';
import { CfnTemplate } from './support/cfn-template';
import { OperationReport } from './support/lifecycle-runner';
import { formatReport } from './support/report-format';
import { Scenario } from './support/scenario-harness';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../src/wire-contract';

const SCALE = 1 / 100;
/** A Fargate profile takes about 2 minutes to become ACTIVE or to go away. */
const PROFILE_TRANSITION_MS = 120_000;
const CLUSTER_NAME = 'demo-cluster';

/** How the emulator refuses a call for a permission (IAM's own refusal, and the service's checks on the caller's behalf). */
const PERMISSION_REFUSALS = ['AccessDeniedException', 'InvalidRequestException'];

type Customize = (stack: Stack) => void;

function synthExample(customize: Customize = () => {}): CfnTemplate {
  const stack = buildExampleStack(new App());
  customize(stack);
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

/** A selector change on SystemProfile, as if its `selectors` had been edited: needs a new profile. */
const changeSystemSelectors: Customize = stack => {
  const resource = stack.node.findChild('SystemProfile').node.findChild('Resource').node.defaultChild as CfnResource;
  resource.addPropertyOverride('Selectors.1.Namespace', 'default-v2');
};
const addReleaseTag: Customize = stack => Tags.of(stack).add('release', '2');

async function main(): Promise<void> {
  const scenario = await Scenario.start({
    scale: SCALE,
    clusters: [CLUSTER_NAME],
    emulator: { createDelayMs: PROFILE_TRANSITION_MS * SCALE, deleteDelayMs: PROFILE_TRANSITION_MS * SCALE },
  });
  // The handler's JSON log lines go to stderr so the tables stay readable: `2>/dev/null` hides them.
  console.log = (...args: unknown[]) => process.stderr.write(`${args.join(' ')}\n`);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const failures: string[] = [];
  try {
    const stack = scenario.stack('FargateProfileExample');
    const steps: Array<[string, () => Promise<OperationReport>]> = [
      ['1. create the example stack', () => stack.deploy(synthExample())],
      ['2. tag change (Tags.of(stack).add("release", "2")): updated in place', () => stack.deploy(synthExample(addReleaseTag))],
      ['3. selector change on SystemProfile: a new profile replaces the old one', () =>
        stack.deploy(synthExample(s => { addReleaseTag(s); changeSystemSelectors(s); }))],
      ['4. delete the stack', () => stack.destroy()],
    ];
    out(`EKS emulator at ${scenario.emulator.endpoint}, cluster "${CLUSTER_NAME}"; `
      + `time scaled 1:${1 / SCALE} (a profile takes ${PROFILE_TRANSITION_MS / 1000}s to become ACTIVE or go away); `
      + 'IAM authorization on (the handler role\'s policies from the template)\n');
    for (const [title, run] of steps) {
      const report = await run();
      out(formatReport(title, report, { realTimeFactor: 1 / SCALE, types: [FARGATE_PROFILE_RESOURCE_TYPE] }));
      out(`   profiles in the cluster now: ${describeCluster(scenario)}`);
      out(`   handler policies in effect: ${scenario.emulator.callerPolicies().length}\n`);
      if (report.failureReason) failures.push(`${title}: ${report.failureReason}`);
      const refused = scenario.emulator.calls.filter(c => PERMISSION_REFUSALS.includes(c.outcome));
      if (refused.length > 0) failures.push(`${title}: refused for a permission: ${refused.map(c => `${c.operation}: ${c.message}`).join('; ')}`);
      scenario.emulator.clearCalls();
    }
  } finally {
    await scenario.stop();
  }
  if (failures.length > 0) {
    out(`FAILED:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

function describeCluster(scenario: Scenario): string {
  const profiles = scenario.emulator.profiles(CLUSTER_NAME);
  if (profiles.length === 0) return '(none)';
  return profiles.map(p => `${p.fargateProfileName} [${p.status}] selectors=${JSON.stringify(p.selectors)} tags=${JSON.stringify(p.tags)}`)
    .join('\n     ');
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
