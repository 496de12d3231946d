// Least privilege, read from every IAM policy our constructs synthesize: the provider's roles
// (handler, Provider framework functions, waiter state machine) and the default pod execution
// roles -- identity policies (AWS::IAM::Policy), inline role policies, managed policies.
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { FargateProfile } from '../../src';
import { FargateProfileProvider } from '../../src/fargate-profile-provider';
import { flattenCfnReference } from '../../src/nag-acknowledgments';
import { buildExampleStack } from '../example/example-stack';

/**
 * Actions allowed on `Resource: "*"`: only those AWS documents as supporting no resource-level
 * permissions (Service Authorization Reference, "Resource types" column empty). Our policies
 * currently need none; an addition here must cite the documentation.
 */
const UNSCOPED_ACTIONS: Record<string, string> = {};

/** AWS managed policies our roles may carry, and why. */
const AWS_MANAGED_POLICIES: Record<string, string> = {
  AmazonEKSFargatePodExecutionRolePolicy:
    'The policy EKS documents for Fargate pod execution roles (ECR image pulls); default pod execution role only.',
};

const FARGATE_SERVICE = 'eks-fargate.amazonaws.com';
const FARGATE_SLR_PATH = `role/aws-service-role/${FARGATE_SERVICE}/AWSServiceRoleForAmazonEKSForFargate`;
/** One ARN segment (region, account, name) as cdk-nag-style flattening renders it: literal or `<Token>`. */
const SEG = '(?:<[^>]+>|[^:<>/*]+)';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly NotAction?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Principal?: unknown;
}

interface OwnedPolicy {
  readonly path: string;
  readonly statements: Statement[];
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Constructs that are ours: the provider singleton and the given profiles. */
function ownedConstructs(stack: Stack, profiles: FargateProfile[]): IConstruct[] {
  const provider = stack.node.tryFindChild(FargateProfileProvider.ID);
  return [provider, ...profiles].filter((c): c is IConstruct => c !== undefined).flatMap((c) => c.node.findAll());
}

/** Every identity policy document our constructs synthesize, resolved. */
function ownedPolicies(stack: Stack, profiles: FargateProfile[]): OwnedPolicy[] {
  const policies: OwnedPolicy[] = [];
  for (const c of ownedConstructs(stack, profiles)) {
    if (c instanceof iam.CfnPolicy || c instanceof iam.CfnManagedPolicy) {
      policies.push({ path: c.node.path, statements: stack.resolve(c.policyDocument).Statement });
    } else if (c instanceof iam.CfnRole) {
      for (const inline of asArray(stack.resolve(c.policies)) as Array<{ policyDocument: { Statement: Statement[] } }>) {
        policies.push({ path: c.node.path, statements: inline.policyDocument.Statement });
      }
    }
  }
  return policies;
}

function allStatements(stack: Stack, profiles: FargateProfile[]): Array<Statement & { path: string }> {
  return ownedPolicies(stack, profiles).flatMap((p) => p.statements.map((s) => ({ ...s, path: p.path })));
}

const grants = (s: Statement, action: string) => asArray(s.Action).includes(action);

// Fixtures: the example app (imported cluster, two profiles), a real eks.Cluster with a default-role
// profile and a user-role profile, and a stack with two clusters.
function exampleFixture() {
  const app = new App();
  const stack = buildExampleStack(app);
  const profiles = stack.node.findAll().filter((c): c is FargateProfile => c instanceof FargateProfile);
  return { stack, profiles };
}

function clusterFixture() {
  const app = new App();
  const stack = new Stack(app, 'ClusterStack');
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_32,
    kubectlLayer: new KubectlV32Layer(stack, 'Kubectl'),
    defaultCapacity: 0,
  });
  const userRole = new iam.Role(stack, 'UserPodRole', { assumedBy: new iam.ServicePrincipal('eks-fargate-pods.amazonaws.com') });
  const profiles = [
    new FargateProfile(stack, 'Default', { cluster, selectors: [{ namespace: 'default' }] }),
    new FargateProfile(stack, 'UserRole', { cluster, selectors: [{ namespace: 'apps' }], podExecutionRole: userRole }),
  ];
  return { stack, profiles };
}

function twoClusterFixture() {
  const app = new App();
  const stack = new Stack(app, 'TwoClusters', { env: { account: '123456789012', region: 'eu-west-1' } });
  const blue = eks.Cluster.fromClusterAttributes(stack, 'Blue', { clusterName: 'blue' });
  const green = eks.Cluster.fromClusterAttributes(stack, 'Green', { clusterName: 'green' });
  const profiles = [
    new FargateProfile(stack, 'BlueProfile', { cluster: blue, selectors: [{ namespace: 'a' }] }),
    new FargateProfile(stack, 'GreenProfile', { cluster: green, selectors: [{ namespace: 'a' }] }),
    new FargateProfile(stack, 'GreenProfile2', { cluster: green, selectors: [{ namespace: 'b' }] }),
  ];
  return { stack, profiles, clusters: [blue, green] };
}

const fixtures = { example: exampleFixture(), eksCluster: clusterFixture(), twoClusters: twoClusterFixture() };

describe.each(Object.entries(fixtures))('%s', (_name, { stack, profiles }) => {
  const statements = allStatements(stack, profiles);

  test('reads the policies of the handler, the Provider framework and the waiter', () => {
    const paths = new Set(statements.map((s) => s.path.split('/').slice(1, 3).join('/')));
    expect([...paths].sort()).toEqual(expect.arrayContaining([
      `${FargateProfileProvider.ID}/HandlerRole`,
      `${FargateProfileProvider.ID}/FrameworkOnEventRole`,
      `${FargateProfileProvider.ID}/FrameworkCompleteRole`,
      `${FargateProfileProvider.ID}/Provider`, // waiter-state-machine/Role
    ]));
  });

  test('no Allow statement uses Resource "*" (except actions without resource-level permissions)', () => {
    const offending = statements
      .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).includes('*'))
      .flatMap((s) => asArray(s.Action).filter((a) => !(a in UNSCOPED_ACTIONS)).map((a) => `${s.path}: ${a}`));
    expect(offending).toEqual([]);
  });

  test('no wildcard actions, NotAction or NotResource', () => {
    const offending = statements.filter((s) =>
      asArray(s.Action).some((a) => a.includes('*')) || s.NotAction !== undefined || s.NotResource !== undefined);
    expect(offending).toEqual([]);
  });

  test('every wildcard in a resource is one of the two the design needs', () => {
    const ownFunctions = ownedConstructs(stack, profiles)
      .filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)
      .map((fn) => `<${stack.resolve(fn.logicalId)}.Arn>:*`);
    const offending = statements.flatMap((s) => asArray(s.Resource).map(flattenCfnReference)
      .filter((r) => r.includes('*'))
      .filter((r) => {
        // A function's versions/aliases, for lambda:InvokeFunction on a function of ours.
        if (ownFunctions.includes(r)) return !asArray(s.Action).every((a) => a === 'lambda:InvokeFunction');
        // Profiles of one cluster: profile ARNs end in an ID EKS assigns.
        return !new RegExp(`^arn:<AWS::Partition>:eks:${SEG}:${SEG}:fargateprofile/${SEG}/\\*$`).test(r);
      })
      .map((r) => `${s.path}: ${asArray(s.Action).join(',')} on ${r}`));
    expect(offending).toEqual([]);
  });

  test('iam:PassRole names exactly the pod execution roles of the profiles', () => {
    const passRole = statements.filter((s) => grants(s, 'iam:PassRole'));
    expect(passRole.every((s) => asArray(s.Action).length === 1)).toBe(true);
    const passed = passRole.flatMap((s) => asArray(s.Resource)).map((r) => JSON.stringify(r)).sort();
    const podRoles = [...new Set(profiles.map((p) => JSON.stringify(stack.resolve(p.podExecutionRole.roleArn))))].sort();
    expect(passed).toEqual(podRoles);
  });

  test('iam:CreateServiceLinkedRole: the Fargate service-linked role only, with iam:AWSServiceName', () => {
    const slr = statements.filter((s) => grants(s, 'iam:CreateServiceLinkedRole'));
    expect(slr).toHaveLength(1);
    expect(asArray(slr[0].Action)).toEqual(['iam:CreateServiceLinkedRole']);
    const resources = asArray(slr[0].Resource).map(flattenCfnReference);
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatch(new RegExp(`^arn:<AWS::Partition>:iam::${SEG}:${FARGATE_SLR_PATH.replace(/\./g, '\\.')}$`));
    expect(slr[0].Condition).toEqual({ StringEquals: { 'iam:AWSServiceName': FARGATE_SERVICE } });
  });

  test('our constructs create no managed policies, and attach only the documented AWS managed one', () => {
    const owned = ownedConstructs(stack, profiles);
    expect(owned.filter((c) => c instanceof iam.CfnManagedPolicy)).toEqual([]);
    const attached = owned.filter((c): c is iam.CfnRole => c instanceof iam.CfnRole)
      .flatMap((role) => asArray(stack.resolve(role.managedPolicyArns)).map((arn) => ({
        role: role.node.path,
        policy: flattenCfnReference(arn).replace(/^arn:<AWS::Partition>:iam::aws:policy\//, ''),
      })));
    for (const { role, policy } of attached) {
      expect(Object.keys(AWS_MANAGED_POLICIES)).toContain(policy);
      expect(role).toMatch(/\/PodExecutionRole\/Resource$/);
    }
  });

  test('the default pod execution role trusts only Fargate, only for this cluster\'s profiles', () => {
    const defaultRoles = ownedConstructs(stack, profiles)
      .filter((c): c is iam.CfnRole => c instanceof iam.CfnRole && c.node.path.endsWith('/PodExecutionRole/Resource'));
    expect(defaultRoles.length).toBeGreaterThan(0);
    for (const role of defaultRoles) {
      const trust = stack.resolve(role.assumeRolePolicyDocument).Statement as Statement[];
      expect(trust).toHaveLength(1);
      expect(trust[0].Principal).toEqual({ Service: 'eks-fargate-pods.amazonaws.com' });
      const sourceArn = flattenCfnReference(trust[0].Condition?.ArnLike?.['aws:SourceArn']);
      expect(sourceArn).toMatch(/:fargateprofile\/[^/*]+\/\*$/);
    }
  });
});

describe('with two clusters in one stack', () => {
  const { stack, profiles, clusters } = fixtures.twoClusters;
  const statements = allStatements(stack, profiles);
  const eksStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('eks:')));

  test('every EKS statement names one cluster, or the profiles of one cluster', () => {
    const resources = eksStatements.flatMap((s) => asArray(s.Resource).map(flattenCfnReference)).sort();
    expect(resources).toEqual([
      'arn:<AWS::Partition>:eks:eu-west-1:123456789012:cluster/blue',
      'arn:<AWS::Partition>:eks:eu-west-1:123456789012:cluster/green',
      'arn:<AWS::Partition>:eks:eu-west-1:123456789012:fargateprofile/blue/*',
      'arn:<AWS::Partition>:eks:eu-west-1:123456789012:fargateprofile/green/*',
    ]);
    expect(clusters.map((c) => c.clusterName)).toEqual(['blue', 'green']);
  });

  test('creating a profile is granted on the cluster only; deleting and tagging on its profiles only', () => {
    for (const s of eksStatements) {
      const resources = asArray(s.Resource).map(flattenCfnReference);
      if (grants(s, 'eks:CreateFargateProfile')) expect(resources.every((r) => /:cluster\/[a-z]+$/.test(r))).toBe(true);
      if (grants(s, 'eks:DeleteFargateProfile') || grants(s, 'eks:TagResource')) {
        expect(resources.every((r) => /:fargateprofile\/[a-z]+\/\*$/.test(r))).toBe(true);
      }
    }
  });
});
