// Every rule pack a regulated account runs, on the example app as it is (default) and in its regulated
// variant (an explicit FargateProfileProvider in the VPC's private subnets, its log groups encrypted with
// a key of the stack): cdk-nag 3's five packs, and AWS Control Tower's proactive controls through cdklabs'
// cfn-guard validator (it ships the Control Tower rules and the cfn-guard binary in its npm package, so
// this runs offline). Control Tower enforces its controls as CloudFormation hooks, which acknowledgments
// do not reach: there, findings are fixed, never acknowledged.
//
// Needs aws-cdk-lib >= 2.257 (cdk-nag 3's Validations API): skipped on the floor, see .ci/run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { FargateProfileProvider } from '../../src';
import { ACKNOWLEDGED_RULES_METADATA_KEY, CONCURRENCY_RULES, DLQ_RULES, NAG_REASONS } from '../../src/nag-acknowledgments';
import { buildExampleStack } from '../example/example-stack';

type Pack = 'AwsSolutions' | 'HIPAA.Security' | 'NIST.800.53.R5' | 'PCI.DSS.321' | 'Serverless' | 'ControlTower';

/** What `Validations.addPlugins` takes (cdk-nag's packs and the cfn-guard validator implement different versions of it). */
type Plugin = Parameters<ReturnType<typeof Validations.of>['addPlugins']>[0];

const PACKS: Record<Pack, (app: App) => Plugin> = {
  'AwsSolutions': (app) => new AwsSolutionsChecks(app),
  'HIPAA.Security': (app) => new HIPAASecurityChecks(app),
  'NIST.800.53.R5': (app) => new NIST80053R5Checks(app),
  'PCI.DSS.321': (app) => new PCIDSS321Checks(app),
  'Serverless': (app) => new ServerlessChecks(app),
  'ControlTower': () => new CfnGuardValidator(),
};

/**
 * Findings by rule without the user's VPC and key: exactly the rules that need one of them (Lambda
 * functions in a VPC, log groups encrypted with a customer-managed key), once per function (5) or
 * log group (3). Everything else is fixed or acknowledged with a reason.
 */
const DEFAULT_FINDINGS: Record<Pack, Record<string, number>> = {
  'AwsSolutions': {},
  'HIPAA.Security': { 'HIPAA.Security-CloudWatchLogGroupEncrypted': 3, 'HIPAA.Security-LambdaInsideVPC': 5 },
  'NIST.800.53.R5': { 'NIST.800.53.R5-CloudWatchLogGroupEncrypted': 3, 'NIST.800.53.R5-LambdaInsideVPC': 5 },
  'PCI.DSS.321': { 'PCI.DSS.321-CloudWatchLogGroupEncrypted': 3, 'PCI.DSS.321-LambdaInsideVPC': 5 },
  'Serverless': {},
  // CT.CLOUDWATCH.PR.3 and CT.LAMBDA.PR.3.
  'ControlTower': { cloudwatch_log_group_encrypted_check: 3, lambda_inside_vpc_check: 5 },
};

interface Finding {
  readonly rule: string;
  readonly path: string;
}

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function synthExample(pack: Pack, regulated: boolean): { findings: Finding[]; stack: Stack } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'packs-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  const stack = buildExampleStack(app, { regulated });
  Validations.of(app).addPlugins(PACKS[pack](app));
  const reportFile = path.join(outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (e) {
    // Error-level findings fail synthesis after the report is written; anything else is a real error.
    if (!fs.existsSync(reportFile)) throw e;
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8')) as {
    pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath?: string }> }> }>;
  };
  const findings = report.pluginReports.flatMap((r) => r.violations.flatMap((v) =>
    v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath ?? '' }))));
  return { findings, stack };
}

function countByRule(findings: Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.rule] = (counts[f.rule] ?? 0) + 1;
  return counts;
}

/** The provider (explicit or default) and the example's two profiles. */
function isOurs(stack: Stack, findingPath: string): boolean {
  return ['EksFargateProfileProvider', 'FargateProfileProvider', 'SystemProfile', 'BatchProfile']
    .some((id) => findingPath.startsWith(`${stack.stackName}/${id}/`));
}

describe.each(Object.keys(PACKS) as Pack[])('%s', (pack) => {
  test('default example: only the findings that need the user\'s VPC or key, all on the provider', () => {
    const { findings, stack } = synthExample(pack, false);
    expect(countByRule(findings)).toEqual(DEFAULT_FINDINGS[pack]);
    expect(findings.filter((f) => !isOurs(stack, f.path))).toEqual([]);
  });

  test('regulated example (the user\'s VPC and key): no finding at all', () => {
    const { findings } = synthExample(pack, true);
    expect(findings).toEqual([]);
  });
});

/** cdk-nag acknowledgments of `rule` in the tree, by construct path. */
function acknowledgmentsOf(root: IConstruct, rules: string[]): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))))
    .filter((a) => rules.includes(a.id));
}

function functionsOf(stack: Stack): lambda.CfnFunction[] {
  return stack.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
}

describe('acknowledgments, each with its reason', () => {
  const app = new App();
  const stack = buildExampleStack(app);
  app.synth();
  const provider = stack.node.findChild(FargateProfileProvider.ID);
  const entrypoint = provider.node.findChild('Provider').node.findChild('framework-onEvent').node.defaultChild as lambda.CfnFunction;

  test('no dead-letter queue: CloudFormation\'s asynchronous invocation of the framework\'s onEvent, synchronous for the other four', () => {
    const expected = functionsOf(stack).flatMap((fn) => DLQ_RULES.map((id) => ({
      path: fn.node.path,
      id,
      reason: fn === entrypoint ? NAG_REASONS.cloudFormationDlq : NAG_REASONS.synchronousDlq,
    })));
    expect(functionsOf(stack)).toHaveLength(5);
    expect(acknowledgmentsOf(app, DLQ_RULES)).toEqual(expected);
  });

  test('no reserved concurrency by default, on the five functions', () => {
    expect(acknowledgmentsOf(app, CONCURRENCY_RULES)).toEqual(functionsOf(stack).flatMap((fn) =>
      CONCURRENCY_RULES.map((id) => ({ path: fn.node.path, id, reason: NAG_REASONS.concurrency }))));
  });

  test('a reserved concurrency the user chooses reaches all five functions, and nothing is acknowledged', () => {
    const other = new App();
    const regulated = new Stack(other, 'Reserved');
    new FargateProfileProvider(regulated, 'Provider', { reservedConcurrentExecutions: 20 });
    other.synth();
    const fns = functionsOf(regulated);
    expect(fns.map((fn) => regulated.resolve(fn.reservedConcurrentExecutions))).toEqual([20, 20, 20, 20, 20]);
    expect(acknowledgmentsOf(other, CONCURRENCY_RULES)).toEqual([]);
    expect(acknowledgmentsOf(other, DLQ_RULES)).toHaveLength(15);
  });

  test('no acknowledgment of a Control Tower control', () => {
    const ids = app.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => m.type === ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, string>)));
    expect(ids.filter((id) => /cfnguard|_check$|^CT\./i.test(id))).toEqual([]);
  });
});
