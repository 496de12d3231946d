import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { App, CfnOutput, CfnParameter, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FargateProfile, FargateProfileProps } from '../src';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../src/wire-contract';

const ENV = { account: '123456789012', region: 'us-east-1' };
const PROFILE_ARN_PATTERN = (cluster: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:eks:us-east-1:123456789012:fargateprofile/${cluster}/*`]],
});

type Resources = { [id: string]: { Type: string; Properties?: any; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string } };

function newStack(id = 'Stack'): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, id, { env: ENV }) };
}

function importedCluster(stack: Stack, clusterName = 'demo-cluster', id = 'Cluster'): eks.ICluster {
  return eks.Cluster.fromClusterAttributes(stack, id, { clusterName });
}

function resources(stack: Stack): Resources {
  return Template.fromStack(stack).toJSON().Resources;
}

function ofType(res: Resources, type: string): Array<[string, Resources[string]]> {
  return Object.entries(res).filter(([, r]) => r.Type === type);
}

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } } | FargateProfile): string {
  const resource = (construct as FargateProfile).node.findChild('Resource').node.defaultChild as any;
  return stack.resolve(resource.logicalId);
}

/** Every IAM statement of every AWS::IAM::Policy in the template. */
function policyStatements(res: Resources): any[] {
  return ofType(res, 'AWS::IAM::Policy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
}

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** The policies attached to the provider's handler role, by logical id. */
function handlerPolicies(res: Resources): Array<[string, Resources[string]]> {
  const [[roleId]] = ofType(res, 'AWS::IAM::Role').filter(([id]) => id.startsWith('EksFargateProfileProviderHandlerRole'));
  const policies = ofType(res, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
  expect(policies.length).toBeGreaterThan(0);
  return policies;
}

/** Statements of the provider's handler role that allow `action`. */
function handlerStatements(res: Resources, action: string): any[] {
  return handlerPolicies(res)
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => asList(s.Action).includes(action));
}

describe('defaults with an imported cluster', () => {
  const { stack } = newStack();
  const cluster = importedCluster(stack);
  const profile = new FargateProfile(stack, 'Profile', { cluster, selectors: [{ namespace: 'default' }] });
  const res = resources(stack);
  const [[profileId, profileResource]] = ofType(res, FARGATE_PROFILE_RESOURCE_TYPE);

  test('synthesizes exactly the wire-contract properties, omitting name, subnets and tags', () => {
    const roleId = stack.resolve((profile.podExecutionRole.node.defaultChild as iam.CfnRole).logicalId);
    expect(Object.keys(profileResource.Properties).sort())
      .toEqual(['ClusterName', 'PodExecutionRoleArn', 'Selectors', 'ServiceToken']);
    expect(profileResource.Properties).toMatchObject({
      ClusterName: 'demo-cluster',
      PodExecutionRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Selectors: [{ Namespace: 'default' }],
    });
    expect(profileResource.Properties.Selectors[0]).not.toHaveProperty('Labels');
  });

  test('default removal policy is DESTROY', () => {
    expect(profileResource.DeletionPolicy).toBe('Delete');
    expect(profileResource.UpdateReplacePolicy).toBe('Delete');
  });

  test('default pod execution role trusts Fargate pods for this cluster\'s profiles only', () => {
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'eks-fargate-pods.amazonaws.com' },
          Condition: { ArnLike: { 'aws:SourceArn': PROFILE_ARN_PATTERN('demo-cluster') } },
        }],
      },
      ManagedPolicyArns: [{
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy']],
      }],
    });
  });

  test('attributes: name is Ref, ARN is GetAtt Arn, cluster and role exposed', () => {
    expect(stack.resolve(profile.fargateProfileName)).toEqual({ Ref: profileId });
    expect(stack.resolve(profile.fargateProfileArn)).toEqual({ 'Fn::GetAtt': [profileId, 'Arn'] });
    expect(profile.cluster).toBe(cluster);
    expect(profile.podExecutionRole).toBeInstanceOf(iam.Role);
  });

  test('an imported cluster gets no aws-auth manifest', () => {
    expect(ofType(res, 'Custom::AWSCDK-EKS-KubernetesResource')).toHaveLength(0);
  });
});

describe('props', () => {
  test('fargateProfileName is sent as given', () => {
    const { stack } = newStack();
    new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], fargateProfileName: 'my_profile-1',
    });
    Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { FargateProfileName: 'my_profile-1' });
  });

  test('selector labels render as [{Key,Value}] sorted by key; selector order is kept', () => {
    const { stack } = newStack();
    new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack),
      selectors: [
        { namespace: 'web', labels: { 'tier': 'front', 'app': 'shop', 'app.kubernetes.io/name': 'x' } },
        { namespace: 'batch-*' },
      ],
    });
    const [[, profile]] = ofType(resources(stack), FARGATE_PROFILE_RESOURCE_TYPE);
    expect(profile.Properties.Selectors).toEqual([
      {
        Namespace: 'web',
        Labels: [
          { Key: 'app', Value: 'shop' },
          { Key: 'app.kubernetes.io/name', Value: 'x' },
          { Key: 'tier', Value: 'front' },
        ],
      },
      { Namespace: 'batch-*' },
    ]);
  });

  test('a given pod execution role is used, no role is created for the profile, and it is mapped nowhere', () => {
    const { stack } = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/my-pod-role');
    const profile = new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], podExecutionRole: role,
    });
    expect(profile.podExecutionRole).toBe(role);
    const res = resources(stack);
    const fargateRoles = ofType(res, 'AWS::IAM::Role')
      .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('eks-fargate-pods'));
    expect(fargateRoles).toHaveLength(0);
    Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, {
      PodExecutionRoleArn: 'arn:aws:iam::123456789012:role/my-pod-role',
    });
  });

  describe('subnets', () => {
    function vpcWith(stack: Stack, kind: 'egress' | 'isolated' | 'publicOnly'): ec2.IVpc {
      return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-1',
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        publicSubnetIds: ['subnet-pub-a', 'subnet-pub-b'],
        publicSubnetRouteTableIds: ['rtb-pub', 'rtb-pub'],
        ...(kind === 'egress' ? { privateSubnetIds: ['subnet-priv-a', 'subnet-priv-b'], privateSubnetRouteTableIds: ['rtb-a', 'rtb-b'] } : {}),
        ...(kind === 'isolated' ? { isolatedSubnetIds: ['subnet-iso-a', 'subnet-iso-b'], isolatedSubnetRouteTableIds: ['rtb-a', 'rtb-b'] } : {}),
      });
    }

    function subnetsOf(props: (stack: Stack) => Partial<FargateProfileProps>): unknown {
      const { stack } = newStack();
      new FargateProfile(stack, 'Profile', {
        cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], ...props(stack),
      });
      const [[, profile]] = ofType(resources(stack), FARGATE_PROFILE_RESOURCE_TYPE);
      return profile.Properties.Subnets;
    }

    test('without vpc no Subnets property is sent', () => {
      expect(subnetsOf(() => ({}))).toBeUndefined();
    });

    test('vpc without selection selects its PRIVATE_WITH_EGRESS subnets', () => {
      expect(subnetsOf((s) => ({ vpc: vpcWith(s, 'egress') }))).toEqual(['subnet-priv-a', 'subnet-priv-b']);
    });

    test('vpc without egress subnets falls back to PRIVATE_ISOLATED', () => {
      expect(subnetsOf((s) => ({ vpc: vpcWith(s, 'isolated') }))).toEqual(['subnet-iso-a', 'subnet-iso-b']);
    });

    test('an explicit selection is honoured', () => {
      expect(subnetsOf((s) => ({
        vpc: vpcWith(s, 'egress'),
        subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['us-east-1b'] },
      }))).toEqual(['subnet-priv-b']);
    });

    test('a new ec2.Vpc: its private subnets, as Refs', () => {
      const { stack } = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
      new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], vpc });
      const [[, profile]] = ofType(resources(stack), FARGATE_PROFILE_RESOURCE_TYPE);
      expect(profile.Properties.Subnets).toEqual(vpc.privateSubnets.map((s) => stack.resolve(s.subnetId)));
      expect(profile.Properties.Subnets).toHaveLength(2);
    });
  });

  test('removalPolicy RETAIN sets DeletionPolicy and UpdateReplacePolicy', () => {
    const { stack } = newStack();
    new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], removalPolicy: RemovalPolicy.RETAIN,
    });
    Template.fromStack(stack).hasResource(FARGATE_PROFILE_RESOURCE_TYPE, {
      DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('tags', () => {
  test('props tags and Tags.of() tags from ancestors are merged and sorted by key', () => {
    const { app, stack } = newStack();
    const profile = new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], tags: { zeta: '1', Alpha: '2', mid: '3' },
    });
    Tags.of(app).add('team', 'platform');
    Tags.of(stack).add('beta', 'b');
    profile.tags.setTag('direct', 'd');
    const [[, resource]] = ofType(resources(stack), FARGATE_PROFILE_RESOURCE_TYPE);
    expect(resource.Properties.Tags).toEqual([
      { Key: 'Alpha', Value: '2' },
      { Key: 'beta', Value: 'b' },
      { Key: 'direct', Value: 'd' },
      { Key: 'mid', Value: '3' },
      { Key: 'team', Value: 'platform' },
      { Key: 'zeta', Value: '1' },
    ]);
  });

  test('Tags.of() can exclude the profile resource type', () => {
    const { app, stack } = newStack();
    new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'default' }] });
    Tags.of(app).add('team', 'platform', { excludeResourceTypes: [FARGATE_PROFILE_RESOURCE_TYPE] });
    const [[, resource]] = ofType(resources(stack), FARGATE_PROFILE_RESOURCE_TYPE);
    expect(resource.Properties).not.toHaveProperty('Tags');
  });

  test('Tags.of() removal removes a props tag', () => {
    const { stack } = newStack();
    const profile = new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], tags: { keep: 'k', drop: 'd' },
    });
    Tags.of(profile).remove('drop');
    const [[, resource]] = ofType(resources(stack), FARGATE_PROFILE_RESOURCE_TYPE);
    expect(resource.Properties.Tags).toEqual([{ Key: 'keep', Value: 'k' }]);
  });
});

describe('the provider', () => {
  function stackWithProfiles(count: number): Resources {
    const { stack } = newStack();
    const cluster = importedCluster(stack);
    for (let i = 0; i < count; i++) {
      new FargateProfile(stack, `Profile${i}`, { cluster, selectors: [{ namespace: `ns-${i}` }] });
    }
    return resources(stack);
  }

  const one = stackWithProfiles(1);
  const five = stackWithProfiles(5);

  test('is shared: 5 profiles have as many functions, state machines and log groups as 1', () => {
    for (const type of ['AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine', 'AWS::Logs::LogGroup']) {
      expect(ofType(five, type).length).toBe(ofType(one, type).length);
    }
    expect(ofType(one, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(ofType(five, FARGATE_PROFILE_RESOURCE_TYPE)).toHaveLength(5);
    // Every profile targets the same service token.
    const tokens = new Set(ofType(five, FARGATE_PROFILE_RESOURCE_TYPE).map(([, r]) => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
  });

  test('onEvent and isComplete: one asset, Node.js 22, their timeouts, one shared role', () => {
    const fns = ofType(one, 'AWS::Lambda::Function').map(([, r]) => r.Properties);
    const onEvent = fns.find((f) => f.Handler === 'index.onEvent');
    const isComplete = fns.find((f) => f.Handler === 'index.isComplete');
    expect(onEvent).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 120 });
    expect(isComplete).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 300 });
    expect(onEvent.Code).toEqual(isComplete.Code);
    expect(onEvent.Role).toEqual(isComplete.Role);
    expect(onEvent.Role['Fn::GetAtt'][0]).toMatch(/^EksFargateProfileProviderHandlerRole/);
    // The construct leaves the handler's timing knobs at their defaults.
    expect(onEvent.Environment).toBeUndefined();
  });

  test('every function, ours and the framework\'s, logs to a log group with finite retention', () => {
    const logGroups = new Map(ofType(one, 'AWS::Logs::LogGroup').map(([id, r]) => [id, r.Properties]));
    const fns = ofType(one, 'AWS::Lambda::Function');
    expect(fns.length).toBeGreaterThanOrEqual(4);
    for (const [id, fn] of fns) {
      const ref = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect({ id, ref }).toEqual({ id, ref: expect.any(String) });
      expect(logGroups.get(ref)?.RetentionInDays).toBe(365);
    }
  });

  test('polls every 10 seconds for at most an hour', () => {
    const [[, machine]] = ofType(one, 'AWS::StepFunctions::StateMachine');
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":10');
    expect(definition).toContain('\\"MaxAttempts\\":360');
  });

  test('each stack gets its own provider', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: ENV });
    const b = new Stack(app, 'B', { env: ENV });
    new FargateProfile(a, 'P', { cluster: importedCluster(a), selectors: [{ namespace: 'x' }] });
    new FargateProfile(b, 'P', { cluster: importedCluster(b), selectors: [{ namespace: 'x' }] });
    expect(ofType(resources(a), 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(ofType(resources(b), 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
  });

  test('the provider id is reserved', () => {
    const { stack } = newStack();
    new iam.Role(stack, 'EksFargateProfileProvider', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => new FargateProfile(stack, 'P', { cluster: importedCluster(stack), selectors: [{ namespace: 'x' }] }))
      .toThrow(/"EksFargateProfileProvider" is reserved/);
  });
});

describe('ordering', () => {
  test('profiles of one cluster are chained; another cluster starts its own chain', () => {
    const { stack } = newStack();
    const a = importedCluster(stack, 'cluster-a', 'A');
    const b = importedCluster(stack, 'cluster-b', 'B');
    const a1 = new FargateProfile(stack, 'A1', { cluster: a, selectors: [{ namespace: 'one' }] });
    const b1 = new FargateProfile(stack, 'B1', { cluster: b, selectors: [{ namespace: 'one' }] });
    const a2 = new FargateProfile(stack, 'A2', { cluster: a, selectors: [{ namespace: 'two' }] });
    const a3 = new FargateProfile(stack, 'A3', { cluster: a, selectors: [{ namespace: 'three' }] });
    const b2 = new FargateProfile(stack, 'B2', { cluster: b, selectors: [{ namespace: 'two' }] });
    const res = resources(stack);
    const dependsOn = (p: FargateProfile) => res[logicalIdOf(stack, p)].DependsOn ?? [];
    const ids = (...ps: FargateProfile[]) => ps.map((p) => logicalIdOf(stack, p));
    const profileDeps = (p: FargateProfile) => dependsOn(p).filter((d) => ids(a1, a2, a3, b1, b2).includes(d));

    expect(profileDeps(a1)).toEqual([]);
    expect(profileDeps(b1)).toEqual([]);
    expect(profileDeps(a2)).toEqual(ids(a1));
    expect(profileDeps(a3)).toEqual(ids(a2));
    expect(profileDeps(b2)).toEqual(ids(b1));
  });
});

describe('IAM of the handler role', () => {
  test('EKS actions are scoped to the cluster and its profiles, never "*", even with a token cluster name', () => {
    const { stack } = newStack();
    const name = new CfnParameter(stack, 'ClusterName').valueAsString;
    new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack, name), selectors: [{ namespace: 'default' }] });
    const res = resources(stack);
    const eksStatements = policyStatements(res).filter((s) => asList(s.Action).some((a: string) => a.startsWith('eks:')));
    expect(eksStatements.length).toBeGreaterThan(0);
    for (const statement of eksStatements) {
      expect(asList(statement.Resource)).not.toContain('*');
    }

    const clusterArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:us-east-1:123456789012:cluster/', { Ref: 'ClusterName' }]],
    };
    const profilesArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:us-east-1:123456789012:fargateprofile/', { Ref: 'ClusterName' }, '/*']],
    };
    expect(handlerStatements(res, 'eks:CreateFargateProfile')).toEqual([
      expect.objectContaining({ Resource: clusterArn }),
    ]);
    for (const action of ['eks:DescribeFargateProfile', 'eks:DeleteFargateProfile', 'eks:TagResource', 'eks:UntagResource']) {
      expect(handlerStatements(res, action)).toEqual([expect.objectContaining({ Resource: profilesArn })]);
    }
    // Only the calls the handler makes.
    const eksActions = new Set(eksStatements.flatMap((s) => asList(s.Action)));
    expect([...eksActions].sort()).toEqual([
      'eks:CreateFargateProfile', 'eks:DeleteFargateProfile', 'eks:DescribeFargateProfile', 'eks:TagResource', 'eks:UntagResource',
    ]);
  });

  test('each cluster is granted once, however many profiles it has', () => {
    const { stack } = newStack();
    const a = importedCluster(stack, 'cluster-a', 'A');
    const b = importedCluster(stack, 'cluster-b', 'B');
    for (const [i, cluster] of [a, a, b, a].entries()) {
      new FargateProfile(stack, `P${i}`, { cluster, selectors: [{ namespace: 'default' }] });
    }
    const res = resources(stack);
    expect(handlerStatements(res, 'eks:DeleteFargateProfile').map((s) => s.Resource))
      .toEqual([PROFILE_ARN_PATTERN('cluster-a'), PROFILE_ARN_PATTERN('cluster-b')]);
    expect(handlerStatements(res, 'eks:CreateFargateProfile')).toHaveLength(2);
  });

  test('each cluster\'s permissions are a policy its profiles depend on (created before them, deleted after them)', () => {
    const { stack } = newStack();
    const a = importedCluster(stack, 'cluster-a', 'A');
    const b = importedCluster(stack, 'cluster-b', 'B');
    const a1 = new FargateProfile(stack, 'A1', { cluster: a, selectors: [{ namespace: 'one' }] });
    const a2 = new FargateProfile(stack, 'A2', { cluster: a, selectors: [{ namespace: 'two' }] });
    const b1 = new FargateProfile(stack, 'B1', { cluster: b, selectors: [{ namespace: 'one' }] });
    const res = resources(stack);
    const policyFor = (cluster: string) => {
      const matches = handlerPolicies(res).filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(`fargateprofile/${cluster}/*`));
      expect(matches).toHaveLength(1);
      return matches[0][0];
    };
    const dependsOn = (p: FargateProfile) => res[logicalIdOf(stack, p)].DependsOn ?? [];
    expect(dependsOn(a1)).toContain(policyFor('cluster-a'));
    expect(dependsOn(a2)).toContain(policyFor('cluster-a'));
    expect(dependsOn(b1)).toContain(policyFor('cluster-b'));
    expect(dependsOn(b1)).not.toContain(policyFor('cluster-a'));
  });

  test('iam:PassRole lists exactly the pod execution roles in use', () => {
    const { stack } = newStack();
    const cluster = importedCluster(stack);
    const shared = iam.Role.fromRoleArn(stack, 'Shared', 'arn:aws:iam::123456789012:role/shared-pod-role');
    const p1 = new FargateProfile(stack, 'P1', { cluster, selectors: [{ namespace: 'a' }] });
    new FargateProfile(stack, 'P2', { cluster, selectors: [{ namespace: 'b' }], podExecutionRole: shared });
    new FargateProfile(stack, 'P3', { cluster, selectors: [{ namespace: 'c' }], podExecutionRole: shared });
    // Unrelated roles in the stack are not passable.
    new iam.Role(stack, 'Unrelated', { assumedBy: new iam.AccountRootPrincipal() });

    const statements = handlerStatements(resources(stack), 'iam:PassRole');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('iam:PassRole');
    expect(asList(statements[0].Resource)).toEqual([
      stack.resolve(p1.podExecutionRole.roleArn),
      'arn:aws:iam::123456789012:role/shared-pod-role',
    ]);
    const allPassRoles = policyStatements(resources(stack)).filter((s) => asList(s.Action).includes('iam:PassRole'));
    expect(allPassRoles).toHaveLength(1);
  });

  test('the Fargate service-linked role may be created (only for eks-fargate) and read', () => {
    const { stack } = newStack();
    new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'default' }] });
    const res = resources(stack);
    const slr = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' },
        ':iam::123456789012:role/aws-service-role/eks-fargate.amazonaws.com/AWSServiceRoleForAmazonEKSForFargate']],
    };
    expect(handlerStatements(res, 'iam:CreateServiceLinkedRole')).toEqual([{
      Action: 'iam:CreateServiceLinkedRole',
      Effect: 'Allow',
      Resource: slr,
      Condition: { StringEquals: { 'iam:AWSServiceName': 'eks-fargate.amazonaws.com' } },
    }]);
    expect(handlerStatements(res, 'iam:GetRole')).toEqual([{ Action: 'iam:GetRole', Effect: 'Allow', Resource: slr }]);
  });

  test('the handler role writes only to its own log group', () => {
    const { stack } = newStack();
    new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'default' }] });
    const res = resources(stack);
    const [logStatement] = handlerStatements(res, 'logs:PutLogEvents');
    expect(logStatement.Resource['Fn::GetAtt'][0]).toMatch(/^EksFargateProfileProviderHandlerLogs/);
    const [, handlerRole] = ofType(res, 'AWS::IAM::Role').find(([id]) => id.startsWith('EksFargateProfileProviderHandlerRole'))!;
    expect(handlerRole.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('clusters defined in the app and aws-auth', () => {
  function clusterStack(make: (stack: Stack) => eks.Cluster) {
    const { stack } = newStack();
    const cluster = make(stack);
    const profile = new FargateProfile(stack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }] });
    const res = resources(stack);
    const roleId = stack.resolve((profile.podExecutionRole.node.defaultChild as iam.CfnRole).logicalId);
    const awsAuth = ofType(res, 'Custom::AWSCDK-EKS-KubernetesResource')
      .filter(([id]) => id.includes('AwsAuth'))
      .map(([, r]) => JSON.stringify(r.Properties.Manifest));
    const mapsRole = awsAuth.some((manifest) => manifest.includes(roleId));
    return { stack, cluster, profile, res, roleId, awsAuth, mapsRole };
  }

  const clusterProps = (stack: Stack, authenticationMode?: eks.AuthenticationMode): eks.ClusterProps => ({
    version: eks.KubernetesVersion.V1_32,
    kubectlLayer: new KubectlV32Layer(stack, 'Kubectl'),
    defaultCapacity: 0,
    authenticationMode,
  });

  test('eks.Cluster with the default auth mode: the role is mapped as a Fargate node', () => {
    const { stack, cluster, res, roleId, awsAuth, mapsRole } = clusterStack((s) => new eks.Cluster(s, 'Cluster', clusterProps(s)));
    expect(mapsRole).toBe(true);
    const manifest = awsAuth.find((m) => m.includes(roleId))!;
    expect(manifest).toContain('system:node:{{SessionName}}');
    for (const group of ['system:bootstrappers', 'system:nodes', 'system:node-proxier']) {
      expect(manifest).toContain(group);
    }
    // The profile references the cluster resource: name by Ref, and IAM by its ARN.
    const [[, profile]] = ofType(res, FARGATE_PROFILE_RESOURCE_TYPE);
    expect(profile.Properties.ClusterName).toEqual(stack.resolve(cluster.clusterName));
    expect(handlerStatements(res, 'eks:CreateFargateProfile')[0].Resource).toEqual(stack.resolve(cluster.clusterArn));
  });

  test.each([
    ['CONFIG_MAP', true, eks.AuthenticationMode.CONFIG_MAP],
    ['API_AND_CONFIG_MAP', true, eks.AuthenticationMode.API_AND_CONFIG_MAP],
    ['API', false, eks.AuthenticationMode.API],
  ])('eks.Cluster with authenticationMode %s: role mapped in aws-auth: %s', (_name, expected, mode) => {
    const { mapsRole } = clusterStack((s) => new eks.Cluster(s, 'Cluster', clusterProps(s, mode)));
    expect(mapsRole).toBe(expected);
  });

  test('eks.FargateCluster: mapped, and the first profile waits for the cluster\'s default profile', () => {
    const { stack, cluster, res, mapsRole, profile } = clusterStack((s) => new eks.FargateCluster(s, 'Cluster', {
      version: eks.KubernetesVersion.V1_32, kubectlLayer: new KubectlV32Layer(s, 'Kubectl'),
    }));
    expect(mapsRole).toBe(true);
    const defaultProfile = (cluster as eks.FargateCluster).defaultProfile.node.defaultChild as any;
    const defaultProfileId = stack.resolve((defaultProfile.node.defaultChild ?? defaultProfile).logicalId);
    expect(res[logicalIdOf(stack, profile)].DependsOn).toContain(defaultProfileId);
  });
});

describe('a cluster of another stack', () => {
  function twoStacks() {
    const app = new App();
    const clusterStack = new Stack(app, 'ClusterStack', { env: ENV });
    const profileStack = new Stack(app, 'ProfileStack', { env: ENV });
    const cluster = new eks.Cluster(clusterStack, 'Cluster', {
      version: eks.KubernetesVersion.V1_32, kubectlLayer: new KubectlV32Layer(clusterStack, 'Kubectl'), defaultCapacity: 0,
    });
    return { app, clusterStack, profileStack, cluster };
  }

  test('with aws-auth, the default role is refused with a remedy, and nothing is created', () => {
    const { profileStack, cluster } = twoStacks();
    expect(() => new FargateProfile(profileStack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }] }))
      .toThrow(/^ProfileStack\/Profile: podExecutionRole is required when the cluster is an eks.Cluster of another stack .*define the role in that stack/);
    expect(profileStack.node.findChild('Profile').node.children).toHaveLength(0);
    expect(profileStack.node.tryFindChild('EksFargateProfileProvider')).toBeUndefined();
  });

  test('with aws-auth, a role of the profile\'s stack is refused', () => {
    const { profileStack, cluster } = twoStacks();
    const role = new iam.Role(profileStack, 'Role', { assumedBy: new iam.ServicePrincipal('eks-fargate-pods.amazonaws.com') });
    expect(() => new FargateProfile(profileStack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }], podExecutionRole: role }))
      .toThrow(/^ProfileStack\/Profile: podExecutionRole ProfileStack\/Role must be defined in the cluster's stack/);
  });

  test('with aws-auth, a role of the cluster\'s stack is mapped there and the profile deploys from its own stack', () => {
    const { clusterStack, profileStack, cluster } = twoStacks();
    const role = new iam.Role(clusterStack, 'PodRole', { assumedBy: new iam.ServicePrincipal('eks-fargate-pods.amazonaws.com') });
    new FargateProfile(profileStack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }], podExecutionRole: role });
    const roleId = clusterStack.resolve((role.node.defaultChild as iam.CfnRole).logicalId);
    const awsAuth = ofType(resources(clusterStack), 'Custom::AWSCDK-EKS-KubernetesResource').filter(([id]) => id.includes('AwsAuth'));
    expect(awsAuth.some(([, r]) => JSON.stringify(r.Properties.Manifest).includes(roleId))).toBe(true);
    expect(ofType(resources(profileStack), FARGATE_PROFILE_RESOURCE_TYPE)).toHaveLength(1);
    expect(ofType(resources(clusterStack), FARGATE_PROFILE_RESOURCE_TYPE)).toHaveLength(0);
  });

  test('in API mode nothing is mapped, so the default role works across stacks', () => {
    const app = new App();
    const clusterStack = new Stack(app, 'ClusterStack', { env: ENV });
    const profileStack = new Stack(app, 'ProfileStack', { env: ENV });
    const cluster = new eks.Cluster(clusterStack, 'Cluster', {
      version: eks.KubernetesVersion.V1_32,
      kubectlLayer: new KubectlV32Layer(clusterStack, 'Kubectl'),
      defaultCapacity: 0,
      authenticationMode: eks.AuthenticationMode.API,
    });
    new FargateProfile(profileStack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }] });
    expect(ofType(resources(profileStack), FARGATE_PROFILE_RESOURCE_TYPE)).toHaveLength(1);
  });
});

describe('outputs', () => {
  test('name and ARN can be exported', () => {
    const { stack } = newStack();
    const profile = new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'x' }] });
    new CfnOutput(stack, 'Name', { value: profile.fargateProfileName });
    new CfnOutput(stack, 'Arn', { value: profile.fargateProfileArn });
    const id = logicalIdOf(stack, profile);
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(outputs.Name.Value).toEqual({ Ref: id });
    expect(outputs.Arn.Value).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    Template.fromStack(stack).hasResource(FARGATE_PROFILE_RESOURCE_TYPE, Match.objectLike({ Type: FARGATE_PROFILE_RESOURCE_TYPE }));
  });
});
