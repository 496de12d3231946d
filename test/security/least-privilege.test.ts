// Least privilege, read from every IAM policy our constructs synthesize: the provider's roles
// (handler, Provider framework functions, waiter state machine) and the default pod execution
// roles -- identity policies (AWS::IAM::Policy), inline role policies, managed policies.
//
// This file is the home of the construct's IAM rules: each is asserted once, on every fixture
// below (test/fargate-profile.test.ts covers everything else the construct synthesizes).
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { aws_eks as eksRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { FargateProfile } from '../../src';
import {
  EC2_LOOKUP_SID, ENI_ACTIONS, ENI_LOOKUP_ACTIONS, FargateProfileProvider, HANDLER_ROLE_ARN_ENV, LAMBDA_XRAY_ACTIONS,
  LOG_DELIVERY_ACTIONS, STATE_MACHINE_XRAY_ACTIONS,
} from '../../src/fargate-profile-provider';
import { flattenCfnReference } from '../../src/nag-acknowledgments';
import { FARGATE_PROFILE_RESOURCE_TYPE, OWNER_TAG_KEY } from '../../src/wire-contract';
import { buildExampleStack } from '../example/example-stack';
import { handlerStatements, importedCluster, logicalIdOf, newStack, providerOf } from '../support/template-helpers';

/**
 * Actions allowed on `Resource: "*"`: only those AWS documents as supporting no resource-level
 * permissions (Service Authorization Reference, "Resource types" column empty), each with why the
 * handler needs it. An addition here must cite the documentation.
 */
const UNSCOPED_ACTIONS: Record<string, string> = {
  'ec2:DescribeSubnets':
    'CreateFargateProfile looks up the subnets with the caller\'s permissions: \'Missing permissions for "ec2:DescribeSubnets"\' '
    + '(aws/aws-cdk#6074, #7614). Service Authorization Reference, Amazon EC2: DescribeSubnets (List) has no resource type and no condition key.',
  'ec2:DescribeRouteTables':
    'CreateFargateProfile checks that the subnets are private through their route tables, with the caller\'s permissions '
    + '(aws/aws-cdk#7706, which fixed #7614 by granting it next to ec2:DescribeSubnets). Service Authorization Reference, '
    + 'Amazon EC2: DescribeRouteTables (List) has no resource type and no condition key.',
  'ec2:DescribeNetworkInterfaces':
    'Lambda creates a VPC function\'s network interfaces with its execution role; the Lambda developer guide ("Giving Lambda '
    + 'functions access to resources in an Amazon VPC") says this action works only on "Resource": "*". Service Authorization '
    + 'Reference, Amazon EC2: DescribeNetworkInterfaces (List) has no resource type. Only with a VPC.',
  'xray:PutTraceSegments':
    'Lambda active tracing and Step Functions tracing (Lambda and Step Functions developer guides). Service Authorization '
    + 'Reference, AWS X-Ray: PutTraceSegments has no resource type.',
  'xray:PutTelemetryRecords':
    'Lambda active tracing and Step Functions tracing. Service Authorization Reference, AWS X-Ray: PutTelemetryRecords has no resource type.',
  'xray:GetSamplingRules':
    'Step Functions X-Ray tracing ("IAM policies for using AWS X-Ray in Step Functions"). Service Authorization Reference, '
    + 'AWS X-Ray: GetSamplingRules has no resource type.',
  'xray:GetSamplingTargets':
    'Step Functions X-Ray tracing. Service Authorization Reference, AWS X-Ray: GetSamplingTargets has no resource type.',
  ...Object.fromEntries(LOG_DELIVERY_ACTIONS.map((action) => [action,
    'The waiter state machine\'s logging: Step Functions refuses a state machine with logging unless its role may use the '
    + 'CloudWatch Logs vended-log delivery actions on "*" (Step Functions developer guide, "Using CloudWatch Logs to log '
    + 'execution history"); the Service Authorization Reference for CloudWatch Logs lists them without a resource type.'])),
};

/** Which role may hold which Resource "*" actions (roles by path under the provider). */
const UNSCOPED_BY_ROLE: Record<string, string[]> = {
  HandlerRole: ['ec2:DescribeRouteTables', 'ec2:DescribeSubnets', ...LAMBDA_XRAY_ACTIONS],
  FrameworkOnEventRole: LAMBDA_XRAY_ACTIONS,
  FrameworkCompleteRole: LAMBDA_XRAY_ACTIONS,
  Provider: [...LOG_DELIVERY_ACTIONS, ...STATE_MACHINE_XRAY_ACTIONS], // waiter-state-machine/Role
};

/** AWS managed policies our roles may carry, and why. */
const AWS_MANAGED_POLICIES: Record<string, string> = {
  AmazonEKSFargatePodExecutionRolePolicy:
    'The policy EKS documents for Fargate pod execution roles (ECR image pulls); default pod execution role only.',
};

const FARGATE_SERVICE = 'eks-fargate.amazonaws.com';
const FARGATE_PODS_SERVICE = 'eks-fargate-pods.amazonaws.com';
/** Every call the handler makes on a profile (besides creating it, which acts on the cluster), sorted. */
const PROFILE_ACTIONS = ['eks:DeleteFargateProfile', 'eks:DescribeFargateProfile', 'eks:TagResource', 'eks:UntagResource'];
const FARGATE_SLR_PATH = `role/aws-service-role/${FARGATE_SERVICE}/AWSServiceRoleForAmazonEKSForFargate`;
/** One ARN segment (region, account, name) as cdk-nag-style flattening renders it: literal or `<Token>`. */
const SEG = '(?:<[^>]+>|[^:<>/*]+)';

interface Statement {
  readonly Sid?: string;
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
const grantsEks = (s: Statement) => asArray(s.Action).some((a) => a.startsWith('eks:'));

/** A value resolved in `stack`, as one string with references in angle brackets: `arn:<AWS::Partition>:...`. */
const flat = (stack: Stack, value: unknown) => flattenCfnReference(stack.resolve(value));

/** The clusters of the profiles, in the order the profiles first use them. */
const clustersOf = (profiles: FargateProfile[]) => [...new Set(profiles.map((p) => p.cluster))];

/** `arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/*`, flattened. */
const profilesOf = (stack: Stack, cluster: eksRefs.IClusterRef) =>
  `arn:<AWS::Partition>:eks:${flat(stack, stack.region)}:${flat(stack, stack.account)}:fargateprofile/${flat(stack, cluster.clusterRef.clusterName)}/*`;

// Fixtures: the example app (imported cluster, two profiles on its default role); a real eks.Cluster
// with a default-role profile and a user-role profile; a stack with two clusters (profiles of one
// cluster in a row and another cluster coming back, a role shared by profiles of both clusters, a
// role that no profile uses); and a cluster whose name is a token.
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
  const shared = iam.Role.fromRoleArn(stack, 'Shared', 'arn:aws:iam::123456789012:role/shared-pod-role');
  const profiles = [
    new FargateProfile(stack, 'BlueProfile', { cluster: blue, selectors: [{ namespace: 'a' }] }),
    new FargateProfile(stack, 'GreenProfile', { cluster: green, selectors: [{ namespace: 'a' }], podExecutionRole: shared }),
    new FargateProfile(stack, 'GreenProfile2', { cluster: green, selectors: [{ namespace: 'b' }], podExecutionRole: shared }),
    new FargateProfile(stack, 'BlueProfile2', { cluster: blue, selectors: [{ namespace: 'b' }], podExecutionRole: shared }),
  ];
  // A role of the stack that no profile uses: never passable.
  new iam.Role(stack, 'Unrelated', { assumedBy: new iam.AccountRootPrincipal() });
  return { stack, profiles, clusters: [blue, green] };
}

function tokenClusterFixture() {
  const { stack } = newStack('TokenCluster');
  const cluster = importedCluster(stack, new CfnParameter(stack, 'ClusterName').valueAsString);
  const profiles = [new FargateProfile(stack, 'Profile', { cluster, selectors: [{ namespace: 'default' }] })];
  return { stack, profiles };
}

/** The regulated example: the provider in the VPC (network interface permissions), its logs on the user's key. */
function regulatedFixture() {
  const app = new App();
  const stack = buildExampleStack(app, { regulated: true });
  const profiles = stack.node.findAll().filter((c): c is FargateProfile => c instanceof FargateProfile);
  return { stack, profiles };
}

const fixtures = {
  example: exampleFixture(),
  regulated: regulatedFixture(),
  eksCluster: clusterFixture(),
  twoClusters: twoClusterFixture(),
  tokenClusterName: tokenClusterFixture(),
};

describe.each(Object.entries(fixtures))('%s', (_name, { stack, profiles }) => {
  const statements = allStatements(stack, profiles);
  const template = Template.fromStack(stack);

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

  test('Resource "*": only the allow-listed actions each role needs, the EC2 lookups of CreateFargateProfile in their own statement with its Sid', () => {
    const inVpc = ownedConstructs(stack, profiles).some((c) => c instanceof lambda.CfnFunction && c.vpcConfig !== undefined);
    const unscoped = statements.filter((s) => asArray(s.Resource).includes('*'));
    const byRole: Record<string, string[]> = {};
    for (const s of unscoped) {
      const role = s.path.split('/')[2];
      byRole[role] = [...byRole[role] ?? [], ...asArray(s.Action)].sort();
    }
    const lookups = inVpc ? ENI_LOOKUP_ACTIONS : [];
    expect(byRole).toEqual({
      HandlerRole: [...UNSCOPED_BY_ROLE.HandlerRole, ...lookups].sort(),
      FrameworkOnEventRole: [...UNSCOPED_BY_ROLE.FrameworkOnEventRole, ...lookups].sort(),
      FrameworkCompleteRole: [...UNSCOPED_BY_ROLE.FrameworkCompleteRole, ...lookups].sort(),
      Provider: [...UNSCOPED_BY_ROLE.Provider].sort(),
    });
    expect(unscoped.filter((s) => s.Sid === EC2_LOOKUP_SID).map(({ path, ...s }) => ({ ...s, role: path.split('/')[2] }))).toEqual([{
      Sid: EC2_LOOKUP_SID,
      Effect: 'Allow',
      Action: ['ec2:DescribeRouteTables', 'ec2:DescribeSubnets'],
      Resource: '*',
      role: 'HandlerRole',
    }]);
  });

  test('the handler functions know the handler role\'s ARN, so a missing permission is reported against it', () => {
    const provider = providerOf(stack);
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Role: { 'Fn::GetAtt': [logicalIdOf(provider.handlerRole), 'Arn'] } },
    });
    expect(Object.keys(functions)).toHaveLength(2); // onEvent and isComplete
    for (const fn of Object.values(functions) as any[]) {
      expect(fn.Properties.Environment.Variables[HANDLER_ROLE_ARN_ENV]).toEqual({ 'Fn::GetAtt': [logicalIdOf(provider.handlerRole), 'Arn'] });
    }
  });

  test('no wildcard actions, NotAction or NotResource', () => {
    const offending = statements.filter((s) =>
      asArray(s.Action).some((a) => a.includes('*')) || s.NotAction !== undefined || s.NotResource !== undefined);
    expect(offending).toEqual([]);
  });

  test('every wildcard in a resource is one of the four the design needs', () => {
    const ownFunctions = ownedConstructs(stack, profiles)
      .filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)
      .map((fn) => `<${stack.resolve(fn.logicalId)}.Arn>:*`);
    const offending = statements.flatMap((s) => asArray(s.Resource).map(flattenCfnReference)
      .filter((r) => r.includes('*'))
      .filter((r) => {
        // A function's versions/aliases, for lambda:InvokeFunction on a function of ours.
        if (ownFunctions.includes(r)) return !asArray(s.Action).every((a) => a === 'lambda:InvokeFunction');
        // Actions without resource-level permissions (UNSCOPED_ACTIONS).
        if (r === '*') return !asArray(s.Action).every((a) => a in UNSCOPED_ACTIONS);
        // Lambda's network interfaces of a VPC function: EC2 assigns their IDs (Lambda developer guide's form).
        if (new RegExp(`^arn:<AWS::Partition>:ec2:${SEG}:${SEG}:\\*/\\*$`).test(r)) return !asArray(s.Action).every((a) => ENI_ACTIONS.includes(a));
        // Profiles of one cluster: profile ARNs end in an ID EKS assigns.
        return !new RegExp(`^arn:<AWS::Partition>:eks:${SEG}:${SEG}:fargateprofile/${SEG}/\\*$`).test(r);
      })
      .map((r) => `${s.path}: ${asArray(s.Action).join(',')} on ${r}`));
    expect(offending).toEqual([]);
  });

  test('EKS: only the calls the handler makes, CreateFargateProfile on each cluster, the rest on its profiles, once per cluster; '
    + 'creating, deleting and tagging only profiles marked for its own stack', () => {
    // The ownership marker's value starts with the stack's id (src/wire-contract.ts); IAM checks it on every change.
    const ownStack = { [`aws:RequestTag/${OWNER_TAG_KEY}`]: '<AWS::StackId>/*' };
    const expected = clustersOf(profiles).flatMap((cluster) => [
      { Action: ['eks:CreateFargateProfile'], Resource: flat(stack, cluster.clusterRef.clusterArn), Condition: { StringLike: ownStack } },
      // Reading is not scoped: the handler names the owner of a profile that is not its own.
      { Action: ['eks:DescribeFargateProfile'], Resource: profilesOf(stack, cluster) },
      {
        Action: PROFILE_ACTIONS.filter((a) => a !== 'eks:DescribeFargateProfile'),
        Resource: profilesOf(stack, cluster),
        Condition: {
          'StringLike': { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: '<AWS::StackId>/*' },
          'ForAllValues:StringNotEquals': { 'aws:TagKeys': [OWNER_TAG_KEY] },
        },
      },
      // An unmarked profile may only be given this stack's marker (tag-on-create, and profiles made before markers).
      {
        Action: ['eks:TagResource'],
        Resource: profilesOf(stack, cluster),
        Condition: { Null: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: 'true' }, StringLike: ownStack },
      },
    ]);
    const flatCondition = (condition: Statement['Condition']) => condition === undefined ? undefined : Object.fromEntries(
      Object.entries(condition).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) =>
        [k, Array.isArray(v) ? v.map(flattenCfnReference) : flattenCfnReference(v)]))]));
    const eksGrants = (ss: Statement[]) => ss.filter(grantsEks)
      .map((s) => ({
        Action: asArray(s.Action).slice().sort(),
        Resource: flattenCfnReference(s.Resource),
        ...(s.Condition ? { Condition: flatCondition(s.Condition) } : {}),
      }));
    // Granted to the handler role, and to no other role of ours.
    expect(eksGrants(handlerStatements(stack, template))).toEqual(expected);
    expect(eksGrants(statements)).toEqual(expected);
  });

  test('iam:PassRole: one statement per cluster, naming each pod execution role of its profiles once', () => {
    const passRole = statements.filter((s) => grants(s, 'iam:PassRole'));
    expect(passRole.map((s) => s.Action)).toEqual(passRole.map(() => 'iam:PassRole'));
    const rolesOf = (cluster: eksRefs.IClusterRef) => [...new Set(profiles.filter((p) => p.cluster === cluster).map((p) => p.podExecutionRole))];
    const expected = clustersOf(profiles).map((cluster) => rolesOf(cluster).map((role) => stack.resolve(role.roleArn)));
    expect(passRole.map((s) => asArray(s.Resource))).toEqual(expected);
  });

  test('the handler role may create the Fargate service-linked role (only for eks-fargate) and read it; no other role may', () => {
    const slrArn = `arn:<AWS::Partition>:iam::${flat(stack, stack.account)}:${FARGATE_SLR_PATH}`;
    const expected = [
      {
        Action: 'iam:CreateServiceLinkedRole',
        Effect: 'Allow',
        Resource: slrArn,
        Condition: { StringEquals: { 'iam:AWSServiceName': FARGATE_SERVICE } },
      },
      { Action: 'iam:GetRole', Effect: 'Allow', Resource: slrArn },
    ];
    const onSlr = (ss: Array<Statement & { path?: string }>) => ss
      .filter((s) => grants(s, 'iam:CreateServiceLinkedRole') || grants(s, 'iam:GetRole'))
      .map(({ path: _path, ...s }) => ({ ...s, Resource: flattenCfnReference(s.Resource) }));
    expect(onSlr(handlerStatements(stack, template))).toEqual(expected);
    expect(onSlr(statements)).toEqual(expected);
  });

  test('logs: the handler role writes only to its own log group, the framework\'s roles only to the provider\'s, the waiter only to its own', () => {
    const provider = providerOf(stack);
    const arnOf = (logGroup: string) => `<${logicalIdOf(provider.node.findChild(logGroup))}.Arn>`;
    const writes = statements
      .filter((s) => asArray(s.Action).some((a) => a === 'logs:PutLogEvents'))
      .map((s) => ({ role: s.path.split('/').slice(1, 3).join('/'), Action: s.Action, Resource: flattenCfnReference(s.Resource) }));
    const write = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    expect(writes).toEqual([
      { role: `${FargateProfileProvider.ID}/HandlerRole`, Action: write, Resource: arnOf('HandlerLogs') },
      { role: `${FargateProfileProvider.ID}/FrameworkOnEventRole`, Action: write, Resource: arnOf('ProviderLogs') },
      { role: `${FargateProfileProvider.ID}/FrameworkCompleteRole`, Action: write, Resource: arnOf('ProviderLogs') },
      { role: `${FargateProfileProvider.ID}/Provider`, Action: write, Resource: arnOf('WaiterLogs') },
    ]);
  });

  test('no inline policy: every permission of ours is in a customer-managed policy attached to one role of ours', () => {
    const owned = ownedConstructs(stack, profiles);
    expect(owned.filter((c) => c instanceof iam.CfnPolicy).map((c) => c.node.path)).toEqual([]);
    expect(owned.filter((c) => c instanceof iam.CfnRole && c.policies !== undefined).map((c) => c.node.path)).toEqual([]);
    const ownRoles = owned.filter((c): c is iam.CfnRole => c instanceof iam.CfnRole).map((r) => stack.resolve(r.ref));
    const managed = owned.filter((c): c is iam.CfnManagedPolicy => c instanceof iam.CfnManagedPolicy);
    expect(managed.length).toBeGreaterThanOrEqual(5);
    for (const policy of managed) {
      expect(asArray(stack.resolve(policy.roles))).toHaveLength(1);
      expect(ownRoles).toContainEqual(asArray(stack.resolve(policy.roles))[0]);
    }
  });

  test('our roles attach only the documented AWS managed policy', () => {
    const owned = ownedConstructs(stack, profiles);
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

  test('a default pod execution role trusts only Fargate pods, only for its cluster\'s profiles, and carries only the EKS Fargate policy', () => {
    const owned = new Set<IConstruct>(ownedConstructs(stack, profiles));
    const withDefaultRole = profiles.filter((p) => owned.has(p.podExecutionRole));
    expect(withDefaultRole.length).toBeGreaterThan(0);
    for (const profile of withDefaultRole) {
      const role = profile.podExecutionRole.node.defaultChild as iam.CfnRole;
      const trust = stack.resolve(role.assumeRolePolicyDocument).Statement as Statement[];
      expect(trust).toEqual([{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: FARGATE_PODS_SERVICE },
        Condition: { ArnLike: { 'aws:SourceArn': expect.anything() } },
      }]);
      expect(flattenCfnReference(trust[0].Condition?.ArnLike['aws:SourceArn'])).toBe(profilesOf(stack, profile.cluster));
      expect(asArray(stack.resolve(role.managedPolicyArns)).map(flattenCfnReference))
        .toEqual(['arn:<AWS::Partition>:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy']);
    }
  });
});

describe('with two clusters in one stack', () => {
  const { stack, profiles, clusters } = fixtures.twoClusters;
  const statements = allStatements(stack, profiles);
  const eksStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('eks:')));

  test('every EKS statement names one cluster, or the profiles of one cluster', () => {
    const resources = [...new Set(eksStatements.flatMap((s) => asArray(s.Resource).map(flattenCfnReference)))].sort();
    expect(resources).toEqual([
      'arn:<AWS::Partition>:eks:eu-west-1:123456789012:cluster/blue',
      'arn:<AWS::Partition>:eks:eu-west-1:123456789012:cluster/green',
      'arn:<AWS::Partition>:eks:eu-west-1:123456789012:fargateprofile/blue/*',
      'arn:<AWS::Partition>:eks:eu-west-1:123456789012:fargateprofile/green/*',
    ]);
    // Each statement names one of them.
    expect(eksStatements.every((s) => asArray(s.Resource).length === 1)).toBe(true);
    expect(clusters.map((c) => c.clusterName)).toEqual(['blue', 'green']);
  });

  test('each cluster\'s permissions are a policy of its own, which its profiles depend on (created before them, deleted after them)', () => {
    const template = Template.fromStack(stack);
    const handlerRole = logicalIdOf(providerOf(stack).handlerRole);
    const policyOf = (cluster: eks.ICluster) => {
      const policies = template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: {
          Roles: [{ Ref: handlerRole }],
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Action: 'eks:CreateFargateProfile', Resource: stack.resolve(cluster.clusterArn) })]),
          },
        },
      });
      expect(Object.keys(policies)).toHaveLength(1);
      return Object.keys(policies)[0];
    };
    for (const cluster of clusters) {
      const dependents = template.findResources(FARGATE_PROFILE_RESOURCE_TYPE, { DependsOn: Match.arrayWith([policyOf(cluster)]) });
      expect(Object.keys(dependents).sort())
        .toEqual(profiles.filter((p) => p.cluster === cluster).map((p) => logicalIdOf(p)).sort());
    }
  });
});

describe('with a cluster name that is a token', () => {
  const { stack } = fixtures.tokenClusterName;

  test('the EKS permissions name the cluster by the parameter, never "*"', () => {
    const clusterArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:us-east-1:123456789012:cluster/', { Ref: 'ClusterName' }]],
    };
    const profilesArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:us-east-1:123456789012:fargateprofile/', { Ref: 'ClusterName' }, '/*']],
    };
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: logicalIdOf(providerOf(stack).handlerRole) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'eks:CreateFargateProfile', Effect: 'Allow', Resource: clusterArn }),
          Match.objectLike({ Effect: 'Allow', Resource: profilesArn }),
        ]),
      },
    });
  });
});
