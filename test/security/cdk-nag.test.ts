// cdk-nag, as a user runs it: `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))` and
// synthesize. Our resources must produce zero findings without the user acknowledging anything,
// and our acknowledgments must stay on our own constructs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { App, CrossStackReferences, ReferenceStrength, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
// cdk-nag's own rendering of ARNs in finding ids, to hold ours against.
import { flattenCfnReference as nagFlatten } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';
import { FargateProfile } from '../../src';
import { FargateProfileProvider } from '../../src/fargate-profile-provider';
import { ACKNOWLEDGED_RULES_METADATA_KEY, flattenCfnReference, NAG_REASONS } from '../../src/nag-acknowledgments';
import { buildExampleStack } from '../example/example-stack';

interface Finding {
  readonly rule: string;
  readonly path: string;
}

/** Synthesizes `app` with cdk-nag's AwsSolutions pack and returns every finding of the report. */
function synthWithNag(app: App): Finding[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const reportFile = path.join(app.outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (e) {
    // Error-level findings fail synthesis after the report is written; anything else is a real error.
    if (!fs.existsSync(reportFile)) throw e;
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8')) as {
    pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
  };
  return report.pluginReports.flatMap((r) => r.violations.flatMap((v) =>
    v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath }))));
}

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function newApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
  outdirs.push(outdir);
  return new App({ outdir });
}

/** A stack with a real eks.Cluster (env-agnostic: ARNs carry region/account tokens) and two profiles. */
function clusterStack(app: App): Stack {
  const stack = new Stack(app, 'ClusterStack');
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_32,
    kubectlLayer: new KubectlV32Layer(stack, 'Kubectl'),
    defaultCapacity: 0,
  });
  new FargateProfile(stack, 'Default', { cluster, selectors: [{ namespace: 'default' }] });
  new FargateProfile(stack, 'Named', { cluster, fargateProfileName: 'jobs', selectors: [{ namespace: 'jobs' }] });
  return stack;
}

/**
 * A stack with an aws-eks-v2 FargateCluster (the recommended module) and profiles given the cluster,
 * its CfnCluster and an import: what a v2 user writes, with no acknowledgment of their own.
 */
function v2ClusterStack(app: App): Stack {
  const stack = new Stack(app, 'V2ClusterStack');
  const cluster = new eksv2.FargateCluster(stack, 'Cluster', {
    version: eksv2.KubernetesVersion.V1_32,
    kubectlProviderOptions: { kubectlLayer: new KubectlV32Layer(stack, 'Kubectl') },
  });
  new FargateProfile(stack, 'Default', { cluster, selectors: [{ namespace: 'default-apps' }] });
  new FargateProfile(stack, 'Named', { cluster: cluster.node.defaultChild as eks.CfnCluster, fargateProfileName: 'jobs', selectors: [{ namespace: 'jobs' }] });
  const imported = eksv2.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: cluster.clusterName });
  new FargateProfile(stack, 'Imports', { cluster: imported, selectors: [{ namespace: 'imports' }] });
  return stack;
}

/** Our constructs: the provider singleton (with the default pod execution roles) and the profiles. */
function isOurs(findingPath: string, stackName: string, profileIds: string[]): boolean {
  const ours = [FargateProfileProvider.ID, ...profileIds].map((id) => `${stackName}/${id}/`);
  return ours.some((prefix) => findingPath.startsWith(prefix));
}

/** cdk-nag acknowledgments in the tree (aws-cdk-lib records acknowledgments of its own, e.g. CloudFormation-Validate). */
function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))))
    .filter((a) => a.id.startsWith('AwsSolutions-'));
}

describe('the example app', () => {
  test('has no cdk-nag findings at all, with no acknowledgment in user code', () => {
    const app = newApp();
    buildExampleStack(app);
    expect(synthWithNag(app)).toEqual([]);
  });
});

describe.each([
  ['an aws-eks-v2 FargateCluster', v2ClusterStack, ['Default', 'Named', 'Imports']],
  ['an eks.Cluster', clusterStack, ['Default', 'Named']],
] as const)('a stack with %s', (_kind, build, profileIds) => {
  const app = newApp();
  const stack = build(app);
  const findings = synthWithNag(app);

  test('cdk-nag ran and reports the cluster\'s own findings (not ours to fix)', () => {
    expect(findings.some((f) => f.path.startsWith(`${stack.stackName}/Cluster/`))).toBe(true);
  });

  test('has zero findings on our constructs', () => {
    expect(findings.filter((f) => isOurs(f.path, stack.stackName, [...profileIds]))).toEqual([]);
  });

  test('acknowledgments sit only on the provider, the default pod execution role among its constructs', () => {
    const acks = acknowledgments(app).filter((a) => a.path.startsWith(`${stack.stackName}/`));
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.filter((a) => !a.path.startsWith(`${stack.stackName}/${FargateProfileProvider.ID}/`))).toEqual([]);
    expect(acks.filter((a) => a.path.endsWith('/PodExecutionRole')).map((a) => a.id))
      .toEqual(['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy]']);
  });

  test('every acknowledgment names one exact finding and gives a real reason', () => {
    for (const { id, reason } of acknowledgments(app)) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[[A-Za-z]+::.+\])?$/);
      expect(reason.length).toBeGreaterThan(150);
      expect(reason).not.toMatch(/\b(todo|tbd|fixme|placeholder|n\/a)\b/i);
    }
  });

  test('Resource "*" (actions without resource-level permissions) is acknowledged on each role\'s policy, with the reasons of exactly its actions', () => {
    const provider = `${stack.stackName}/${FargateProfileProvider.ID}`;
    expect(acknowledgments(app).filter((a) => a.path.startsWith(`${stack.stackName}/`) && a.id === 'AwsSolutions-IAM5[Resource::*]')).toEqual([
      // X-Ray (active tracing), then the EC2 lookups EKS makes with the handler's permissions.
      { path: `${provider}/HandlerRole/Policy/Resource`, id: 'AwsSolutions-IAM5[Resource::*]', reason: `${NAG_REASONS.tracing} ${NAG_REASONS.subnetLookups}` },
      { path: `${provider}/FrameworkOnEventRole/Policy/Resource`, id: 'AwsSolutions-IAM5[Resource::*]', reason: NAG_REASONS.tracing },
      { path: `${provider}/FrameworkCompleteRole/Policy/Resource`, id: 'AwsSolutions-IAM5[Resource::*]', reason: NAG_REASONS.tracing },
      {
        path: `${provider}/Provider/waiter-state-machine/Role/Policy/Resource`,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${NAG_REASONS.logDelivery} ${NAG_REASONS.tracing}`,
      },
    ]);
  });

  test('no Lambda runtime finding: the handlers run on the latest Node.js runtime', () => {
    expect(acknowledgments(app).filter((a) => a.id === 'AwsSolutions-L1')).toEqual([]);
    expect(findings.filter((f) => f.rule === 'AwsSolutions-L1' && isOurs(f.path, stack.stackName, [...profileIds]))).toEqual([]);
  });
});

// The cluster in one stack, the profiles in another: the handler's permissions name the cluster through
// the reference, which aws-cdk-lib renders only after aspects (Fn::ImportValue for a strong reference,
// Fn::GetStackOutput for a weak one), and cdk-nag names the IAM5 finding by that form.
describe.each([
  ['strong (Fn::ImportValue)', undefined, 'Fn::ImportValue'],
  ['weak (Fn::GetStackOutput)', ReferenceStrength.WEAK, 'Fn::GetStackOutput'],
] as const)('profiles in another stack than their cluster, %s references', (_kind, strength, intrinsic) => {
  const app = newApp();
  const env = { account: '123456789012', region: 'us-east-1' };
  const clusterStackOfApp = new Stack(app, 'ClusterStack', { env });
  const profileStack = new Stack(app, 'ProfileStack', { env });
  if (strength) CrossStackReferences.of(profileStack).consume(strength);
  const v2 = new eksv2.Cluster(clusterStackOfApp, 'V2Cluster', { version: eksv2.KubernetesVersion.V1_32 });
  const v1 = new eks.Cluster(clusterStackOfApp, 'V1Cluster', {
    version: eks.KubernetesVersion.V1_32, kubectlLayer: new KubectlV32Layer(clusterStackOfApp, 'Kubectl'), defaultCapacity: 0,
  });
  const v1Role = new iam.Role(clusterStackOfApp, 'V1PodRole', { assumedBy: new iam.ServicePrincipal('eks-fargate-pods.amazonaws.com') });
  new FargateProfile(profileStack, 'OnV2', { cluster: v2, selectors: [{ namespace: 'apps' }] });
  new FargateProfile(profileStack, 'OnV2Cfn', { cluster: v2.node.defaultChild as eks.CfnCluster, selectors: [{ namespace: 'jobs' }] });
  new FargateProfile(profileStack, 'OnV1', { cluster: v1, selectors: [{ namespace: 'apps' }], podExecutionRole: v1Role });
  const findings = synthWithNag(app);

  test('the handler\'s permissions name the clusters through that kind of reference', () => {
    const template = JSON.parse(fs.readFileSync(path.join(app.outdir, `${profileStack.artifactId}.template.json`), 'utf-8'));
    const policies = Object.values<any>(template.Resources).filter((r) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type));
    const profileResources = policies.flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().includes('eks:DescribeFargateProfile'))
      .map((st: any) => JSON.stringify(st.Resource));
    expect(profileResources).toHaveLength(2);
    for (const resource of profileResources) expect(resource).toContain(intrinsic);
  });

  test('zero findings on our constructs, and each of the clusters\' IAM5 acknowledged with the design\'s reason', () => {
    expect(findings.filter((f) => isOurs(f.path, profileStack.stackName, ['OnV2', 'OnV2Cfn', 'OnV1']))).toEqual([]);
    const wildcards = acknowledgments(app).filter((a) => a.id.includes(':fargateprofile/'));
    expect(wildcards).toHaveLength(2);
    for (const a of wildcards) {
      expect(a.id).toContain(intrinsic === 'Fn::ImportValue' ? 'ClusterStack:ExportsOutput' : '"Fn::GetStackOutput"');
      expect(a.reason).toBe(NAG_REASONS.fargateProfileArnWildcard);
    }
  });
});

describe('the regulated example (the provider in a VPC)', () => {
  const app = newApp();
  const stack = buildExampleStack(app, { regulated: true });
  const findings = synthWithNag(app);
  const provider = `${stack.stackName}/${FargateProfileProvider.ID}`;
  const roles = ['HandlerRole', 'FrameworkOnEventRole', 'FrameworkCompleteRole'];

  test('has no cdk-nag findings', () => {
    expect(findings).toEqual([]);
  });

  test('Lambda\'s network interfaces (every EC2 resource of the account and region, the Lambda guide\'s form) are acknowledged on each function role\'s policy', () => {
    const id = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:us-east-1:123456789012:*/*]';
    expect(acknowledgments(app).filter((a) => a.id === id)).toEqual(roles.map((role) => ({
      path: `${provider}/${role}/Policy/Resource`, id, reason: NAG_REASONS.networkInterfaces,
    })));
  });

  test('Resource "*" adds the network interface lookups to each function role\'s reasons', () => {
    const reasons = acknowledgments(app).filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]' && roles.some((r) => a.path === `${provider}/${r}/Policy/Resource`))
      .map((a) => a.reason);
    expect(reasons).toEqual([
      `${NAG_REASONS.tracing} ${NAG_REASONS.networkInterfaceLookups} ${NAG_REASONS.subnetLookups}`,
      `${NAG_REASONS.tracing} ${NAG_REASONS.networkInterfaceLookups}`,
      `${NAG_REASONS.tracing} ${NAG_REASONS.networkInterfaceLookups}`,
    ]);
  });
});

describe('acknowledgments are narrow', () => {
  test('a pod execution role the user passes in is not acknowledged: its findings stay visible', () => {
    const app = newApp();
    const stack = buildExampleStack(app);
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Other', { clusterName: 'other' });
    const role = new iam.Role(stack, 'UserPodRole', {
      assumedBy: new iam.ServicePrincipal('eks-fargate-pods.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSFargatePodExecutionRolePolicy')],
    });
    new FargateProfile(stack, 'UserRoleProfile', { cluster, selectors: [{ namespace: 'x' }], podExecutionRole: role });
    expect(synthWithNag(app)).toEqual([{
      rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy]',
      path: `${stack.stackName}/UserPodRole/Resource`,
    }]);
  });

  // The handler role's policy already has Resource "*" (the acknowledged EC2 lookups): cdk-nag names the
  // finding by the resource alone, so another action on "*" in the same policy must undo the acknowledgment.
  test('a wildcard outside the design on the provider\'s own role is still reported', () => {
    const app = newApp();
    const stack = buildExampleStack(app);
    const provider = stack.node.findChild(FargateProfileProvider.ID) as FargateProfileProvider;
    provider.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['eks:DescribeFargateProfile'], resources: ['*'] }));
    expect(synthWithNag(app)).toEqual([{
      rule: 'AwsSolutions-IAM5[Resource::*]',
      path: `${stack.stackName}/${FargateProfileProvider.ID}/HandlerRole/Policy/Resource`,
    }]);
  });
});

test('the reasons quoted in README.md are the ones in the code', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');
  for (const reason of Object.values(NAG_REASONS)) {
    expect(readme).toContain(reason);
  }
});

test('finding ids are computed exactly as cdk-nag renders them', () => {
  const references: unknown[] = [
    'arn:aws:eks:us-east-1:123456789012:cluster/x',
    { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':fargateprofile/', { Ref: 'Cluster9EE0221C' }, '/*']] },
    { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Fn1', 'Arn'] }, ':*']] },
    { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x' },
    { 'Fn::ImportValue': 'ClusterName' },
    { 'Fn::GetStackOutput': { StackName: 'ClusterStack', Region: 'us-east-1', OutputName: 'PublishOutputRefCluster' } },
    { 'Fn::If': ['Cond', 'a', 'b'] },
  ];
  for (const reference of references) {
    expect(flattenCfnReference(reference)).toBe(nagFlatten(reference));
  }
});
