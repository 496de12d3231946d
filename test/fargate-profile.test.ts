// What a FargateProfile synthesizes, read with Template/Match: the custom resource's properties
// and policies, the shared provider, ordering, aws-auth and outputs. IAM rules (the handler's
// permissions, the default pod execution role's trust) live in test/security/least-privilege.test.ts.
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { App, CfnOutput, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FargateProfile, FargateProfileProps } from '../src';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../src/wire-contract';
import { ENV, importedCluster, logicalIdOf, newStack } from './support/template-helpers';

const KUBERNETES_RESOURCE = 'Custom::AWSCDK-EKS-KubernetesResource';
const FARGATE_NODE_GROUPS = ['system:bootstrappers', 'system:nodes', 'system:node-proxier'];

/** Matches an aws-auth manifest that maps the role `roleId` the way EKS maps Fargate nodes. */
function mapsAsFargateNode(roleId: string): object {
  // The manifest is JSON whose mapRoles value is a JSON string: the role's entry
  // {"rolearn":"<ARN>","username":...,"groups":[...]} is escaped twice, and the template splits it at the ARN.
  const restOfEntry = JSON.stringify({ username: 'system:node:{{SessionName}}', groups: FARGATE_NODE_GROUPS }).slice(1);
  const afterArn = JSON.stringify(`",${restOfEntry}`).slice(1, -1);
  const startsWith = (text: string) => Match.stringLikeRegexp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  return {
    Manifest: {
      'Fn::Join': ['', Match.arrayWith([
        Match.stringLikeRegexp('"name":"aws-auth"'),
        { 'Fn::GetAtt': [roleId, 'Arn'] },
        startsWith(afterArn),
      ])],
    },
  };
}

/** Matches any aws-auth manifest. */
const AWS_AUTH = { Manifest: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"name":"aws-auth"')])] } };

describe('defaults with an imported cluster', () => {
  const { stack } = newStack();
  const cluster = importedCluster(stack);
  const profile = new FargateProfile(stack, 'Profile', { cluster, selectors: [{ namespace: 'default' }] });
  const template = Template.fromStack(stack);

  test('synthesizes exactly the wire-contract properties, omitting name, subnets and tags', () => {
    template.resourceCountIs(FARGATE_PROFILE_RESOURCE_TYPE, 1);
    template.hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, Match.exact({
      ServiceToken: Match.anyValue(),
      ClusterName: 'demo-cluster',
      PodExecutionRoleArn: { 'Fn::GetAtt': [logicalIdOf(profile.podExecutionRole), 'Arn'] },
      Selectors: [{ Namespace: 'default' }],
    }));
  });

  test('default removal policy is DESTROY', () => {
    template.hasResource(FARGATE_PROFILE_RESOURCE_TYPE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('attributes: name is Ref, ARN is GetAtt Arn, cluster and role exposed', () => {
    const profileId = logicalIdOf(profile);
    expect(Object.keys(template.findResources(FARGATE_PROFILE_RESOURCE_TYPE))).toEqual([profileId]);
    expect(stack.resolve(profile.fargateProfileName)).toEqual({ Ref: profileId });
    expect(stack.resolve(profile.fargateProfileArn)).toEqual({ 'Fn::GetAtt': [profileId, 'Arn'] });
    expect(profile.cluster).toBe(cluster);
    expect(profile.podExecutionRole).toBeInstanceOf(iam.Role);
  });

  test('an imported cluster gets no aws-auth manifest', () => {
    template.resourceCountIs(KUBERNETES_RESOURCE, 0);
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
    Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, {
      Selectors: Match.exact([
        {
          Namespace: 'web',
          Labels: [
            { Key: 'app', Value: 'shop' },
            { Key: 'app.kubernetes.io/name', Value: 'x' },
            { Key: 'tier', Value: 'front' },
          ],
        },
        { Namespace: 'batch-*' },
      ]),
    });
  });

  test('a given pod execution role is used, no role is created for the profile, and it is mapped nowhere', () => {
    const { stack } = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/my-pod-role');
    const profile = new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], podExecutionRole: role,
    });
    expect(profile.podExecutionRole).toBe(role);
    const template = Template.fromStack(stack);
    // No role of the stack may be assumed by Fargate pods.
    template.resourcePropertiesCountIs('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'eks-fargate-pods.amazonaws.com' } })]) },
    }, 0);
    const trustedServices = Object.values(template.findResources('AWS::IAM::Role'))
      .flatMap((r) => r.Properties.AssumeRolePolicyDocument.Statement)
      .flatMap((s: any) => ([] as unknown[]).concat(s.Principal?.Service ?? []));
    expect(trustedServices.length).toBeGreaterThan(0);
    expect(trustedServices).not.toContain('eks-fargate-pods.amazonaws.com');
    template.hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, {
      PodExecutionRoleArn: 'arn:aws:iam::123456789012:role/my-pod-role',
    });
    template.resourceCountIs(KUBERNETES_RESOURCE, 0);
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

    /** The template of a stack with one profile on an imported cluster, with `props` added. */
    function templateWith(props: (stack: Stack) => Partial<FargateProfileProps>): Template {
      const { stack } = newStack();
      new FargateProfile(stack, 'Profile', {
        cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], ...props(stack),
      });
      return Template.fromStack(stack);
    }

    test('without vpc no Subnets property is sent', () => {
      templateWith(() => ({})).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { Subnets: Match.absent() });
    });

    test('vpc without selection selects its PRIVATE_WITH_EGRESS subnets', () => {
      templateWith((s) => ({ vpc: vpcWith(s, 'egress') }))
        .hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { Subnets: ['subnet-priv-a', 'subnet-priv-b'] });
    });

    test('vpc without egress subnets falls back to PRIVATE_ISOLATED', () => {
      templateWith((s) => ({ vpc: vpcWith(s, 'isolated') }))
        .hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { Subnets: ['subnet-iso-a', 'subnet-iso-b'] });
    });

    test('an explicit selection is honoured', () => {
      templateWith((s) => ({
        vpc: vpcWith(s, 'egress'),
        subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['us-east-1b'] },
      })).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { Subnets: ['subnet-priv-b'] });
    });

    test('a new ec2.Vpc: its private subnets, as Refs', () => {
      const { stack } = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
      new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], vpc });
      expect(vpc.privateSubnets).toHaveLength(2);
      Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, {
        Subnets: vpc.privateSubnets.map((s) => stack.resolve(s.subnetId)),
      });
    });
  });

  describe('Vpc.fromLookup: checked once the CLI has recorded the lookup, never on its placeholder', () => {
    const VPC_ID = 'vpc-0a1b2c3d4e5f67890';
    const README_SELECTION = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['us-east-1a'] };
    const subnet = (id: string, zone: string, routeTableId: string) => ({ subnetId: id, cidr: '10.0.0.0/24', availabilityZone: zone, routeTableId });
    /** What `cdk.context.json` records for a VPC with public and private subnets in us-east-1a and us-east-1b. */
    const RECORDED = {
      vpcId: VPC_ID,
      vpcCidrBlock: '10.0.0.0/16',
      ownerAccountId: ENV.account,
      availabilityZones: [],
      subnetGroups: [
        { name: 'Public', type: 'Public', subnets: [subnet('subnet-pub-a', 'us-east-1a', 'rtb-pub'), subnet('subnet-pub-b', 'us-east-1b', 'rtb-pub')] },
        { name: 'Private', type: 'Private', subnets: [subnet('subnet-priv-a', 'us-east-1a', 'rtb-a'), subnet('subnet-priv-b', 'us-east-1b', 'rtb-b')] },
      ],
    };

    /** The README's stack: a looked-up VPC and a selection of it, in an app with `context`. */
    function synthLookup(context: Record<string, unknown>, subnetSelection?: ec2.SubnetSelection) {
      const app = new App({ context });
      const stack = new Stack(app, 'Stack', { env: ENV });
      const vpc = ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: VPC_ID });
      new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'batch' }], vpc, subnetSelection });
      return { stack, assembly: app.synth() };
    }

    /** The context key the CLI records the lookup under, as the first pass reports it missing. */
    function lookupKey(): string {
      const [missing, ...others] = synthLookup({}).assembly.manifest.missing ?? [];
      expect(others).toEqual([]);
      expect(missing.provider).toBe('vpc-provider');
      return missing.key;
    }

    test.each([
      ['the README\'s selection', README_SELECTION],
      ['no selection', undefined],
      ['a selection of a zone the placeholder lacks', { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, availabilityZones: ['us-east-1c'] }],
    ])('first pass, %s: synthesizes and reports the missing lookup, no error', (_name, selection) => {
      const { assembly } = synthLookup({}, selection);
      expect(assembly.manifest.missing).toEqual([expect.objectContaining({ provider: 'vpc-provider' })]);
      const errors = Object.values(assembly.manifest.artifacts ?? {})
        .flatMap((artifact) => Object.values(artifact.metadata ?? {}).flat())
        .filter((entry) => entry.type === 'aws:cdk:error');
      expect(errors).toEqual([]);
    });

    test('first pass: an explicit PUBLIC subnetType, which no lookup changes, is still an error', () => {
      expect(() => synthLookup({}, { subnetType: ec2.SubnetType.PUBLIC }))
        .toThrow(/^Stack\/Profile: subnetSelection selects PUBLIC subnets/);
    });

    test('second pass, recorded context: the selection\'s subnets, from the real VPC', () => {
      const key = lookupKey();
      const { stack, assembly } = synthLookup({ [key]: RECORDED }, README_SELECTION);
      expect(assembly.manifest.missing).toBeUndefined();
      Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { Subnets: ['subnet-priv-a'] });
      const { stack: byDefault } = synthLookup({ [key]: RECORDED });
      Template.fromStack(byDefault).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { Subnets: ['subnet-priv-a', 'subnet-priv-b'] });
    });

    test('second pass, recorded context: a selection of public or of no subnets is an error', () => {
      const key = lookupKey();
      expect(() => synthLookup({ [key]: RECORDED }, { subnetGroupName: 'Public' }))
        .toThrow(/^Stack\/Profile: subnetSelection selects public subnet\(s\) subnet-pub-a, subnet-pub-b/);
      expect(() => synthLookup({ [key]: RECORDED }, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['us-east-1c'] }))
        .toThrow(/^Stack\/Profile: subnetSelection selects no subnets/);
      expect(() => synthLookup({ [key]: RECORDED }, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }))
        .toThrow(/^Stack\/Profile: subnetSelection selects no subnets/);
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

describe('a retained profile keeps its default pod execution role', () => {
  /** DeletionPolicy and UpdateReplacePolicy of each profile's pod execution role, by the profiles' removal policies. */
  function rolePolicies(policies: Array<RemovalPolicy | undefined>, options: { ownRole?: boolean; otherCluster?: boolean } = {}) {
    const { stack } = newStack();
    const cluster = importedCluster(stack);
    const own = options.ownRole ? new iam.Role(stack, 'OwnRole', { assumedBy: new iam.ServicePrincipal('eks-fargate-pods.amazonaws.com') }) : undefined;
    const profiles = policies.map((removalPolicy, i) => new FargateProfile(stack, `P${i}`, {
      cluster: options.otherCluster && i > 0 ? importedCluster(stack, 'other-cluster', 'Other') : cluster,
      selectors: [{ namespace: `ns-${i}` }],
      removalPolicy,
      podExecutionRole: own && i === 0 ? own : undefined,
    }));
    const resources = Template.fromStack(stack).toJSON().Resources;
    return profiles.map((p) => {
      const role = resources[logicalIdOf(p.podExecutionRole)];
      expect(role.Type).toBe('AWS::IAM::Role');
      return [role.DeletionPolicy, role.UpdateReplacePolicy];
    });
  }
  const RETAINED = ['Retain', 'Retain'];
  const DELETED = [undefined, undefined];

  test('a retained profile retains the default role, with its managed policy', () => {
    expect(rolePolicies([RemovalPolicy.RETAIN])).toEqual([RETAINED]);
    const { stack } = newStack();
    const profile = new FargateProfile(stack, 'P', { cluster: importedCluster(stack), selectors: [{ namespace: 'a' }], removalPolicy: RemovalPolicy.RETAIN });
    // The AWS managed policy is attached by the role's own ManagedPolicyArns: retained with it, no separate resource.
    Template.fromStack(stack).hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ ManagedPolicyArns: [Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('AmazonEKSFargatePodExecutionRolePolicy')])]) })] }),
    });
    // (The stack's one customer managed policy is the handler's permissions, on the handler's role.)
    const roleRef = { Ref: logicalIdOf(profile.podExecutionRole) };
    const managed = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(managed.filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(JSON.stringify(roleRef)))).toEqual([]);
    expect(logicalIdOf(profile.podExecutionRole)).toMatch(/PodExecutionRole/);
  });

  test('one retained profile among several retains the role they share, whichever comes first', () => {
    expect(rolePolicies([RemovalPolicy.DESTROY, RemovalPolicy.RETAIN])).toEqual([RETAINED, RETAINED]);
    expect(rolePolicies([RemovalPolicy.RETAIN, undefined])).toEqual([RETAINED, RETAINED]);
    expect(rolePolicies([RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])).toEqual([RETAINED]);
  });

  test('profiles that are not retained leave the role deletable; so does a retained profile with a role of its own', () => {
    expect(rolePolicies([undefined, RemovalPolicy.DESTROY])).toEqual([DELETED, DELETED]);
    expect(rolePolicies([RemovalPolicy.RETAIN, undefined], { ownRole: true })).toEqual([DELETED, DELETED]);
  });

  test('only the role of the retained profile\'s cluster is retained', () => {
    expect(rolePolicies([RemovalPolicy.RETAIN, undefined], { otherCluster: true })).toEqual([RETAINED, DELETED]);
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
    Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, {
      Tags: Match.exact([
        { Key: 'Alpha', Value: '2' },
        { Key: 'beta', Value: 'b' },
        { Key: 'direct', Value: 'd' },
        { Key: 'mid', Value: '3' },
        { Key: 'team', Value: 'platform' },
        { Key: 'zeta', Value: '1' },
      ]),
    });
  });

  test('Tags.of() can exclude the profile resource type', () => {
    const { app, stack } = newStack();
    new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'default' }] });
    Tags.of(app).add('team', 'platform', { excludeResourceTypes: [FARGATE_PROFILE_RESOURCE_TYPE] });
    Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { Tags: Match.absent() });
  });

  test('on the same key, Tags.of() wins over props tags; a lower-priority Tags.of() tag or setTag() does not', () => {
    const { app, stack } = newStack();
    const profile = new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack),
      selectors: [{ namespace: 'default' }],
      tags: { fromAncestor: 'props', fromProfile: 'props', lowPriority: 'props', setTag: 'props' },
    });
    Tags.of(app).add('fromAncestor', 'tags-of-app');
    Tags.of(profile).add('fromProfile', 'tags-of-profile');
    Tags.of(profile).add('lowPriority', 'tags-of-profile-49', { priority: 49 });
    profile.tags.setTag('setTag', 'set-tag');
    Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, {
      Tags: Match.exact([
        { Key: 'fromAncestor', Value: 'tags-of-app' },
        { Key: 'fromProfile', Value: 'tags-of-profile' },
        { Key: 'lowPriority', Value: 'props' },
        { Key: 'setTag', Value: 'props' },
      ]),
    });
  });

  test('Tags.of() removal removes a props tag', () => {
    const { stack } = newStack();
    const profile = new FargateProfile(stack, 'Profile', {
      cluster: importedCluster(stack), selectors: [{ namespace: 'default' }], tags: { keep: 'k', drop: 'd' },
    });
    Tags.of(profile).remove('drop');
    Template.fromStack(stack).hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, {
      Tags: Match.exact([{ Key: 'keep', Value: 'k' }]),
    });
  });
});

describe('the provider', () => {
  function stackWithProfiles(count: number): Template {
    const { stack } = newStack();
    const cluster = importedCluster(stack);
    for (let i = 0; i < count; i++) {
      new FargateProfile(stack, `Profile${i}`, { cluster, selectors: [{ namespace: `ns-${i}` }] });
    }
    return Template.fromStack(stack);
  }

  const one = stackWithProfiles(1);
  const five = stackWithProfiles(5);
  const countOf = (template: Template, type: string) => Object.keys(template.findResources(type)).length;

  test('is shared: 5 profiles have as many functions, state machines and log groups as 1', () => {
    for (const type of ['AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine', 'AWS::Logs::LogGroup']) {
      five.resourceCountIs(type, countOf(one, type));
    }
    one.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    five.resourceCountIs(FARGATE_PROFILE_RESOURCE_TYPE, 5);
    // Every profile targets the same service token.
    const serviceToken = new Capture();
    five.hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { ServiceToken: serviceToken });
    five.resourcePropertiesCountIs(FARGATE_PROFILE_RESOURCE_TYPE, { ServiceToken: serviceToken.asObject() }, 5);
  });

  test('onEvent and isComplete: one asset, Node.js 24, their timeouts, one shared role', () => {
    const code = new Capture();
    const role = new Capture();
    one.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Runtime: 'nodejs24.x',
      Timeout: 120,
      Code: code,
      Role: role,
      // The construct leaves the handler's timing knobs at their defaults; it only names the handler role.
      Environment: { Variables: Match.exact({ HANDLER_ROLE_ARN: Match.anyValue() }) },
    });
    expect(role.asObject()).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EksFargateProfileProviderHandlerRole/), 'Arn'] });
    one.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.isComplete',
      Runtime: 'nodejs24.x',
      Timeout: 300,
      Code: code.asObject(),
      Role: role.asObject(),
    });
  });

  test('every function, ours and the framework\'s, logs to a log group with finite retention', () => {
    const logGroups = one.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 } });
    const fns = Object.entries(one.findResources('AWS::Lambda::Function'));
    expect(fns.length).toBeGreaterThanOrEqual(4);
    for (const [id, fn] of fns) {
      const ref = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect({ id, ref }).toEqual({ id, ref: expect.any(String) });
      expect(Object.keys(logGroups)).toContain(ref);
    }
  });

  test('polls every 10 seconds for at most an hour', () => {
    one.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    for (const setting of ['"IntervalSeconds":10[,}]', '"MaxAttempts":360[,}]']) {
      one.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        DefinitionString: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(setting)])] },
      });
    }
  });

  test('each stack gets its own provider', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: ENV });
    const b = new Stack(app, 'B', { env: ENV });
    new FargateProfile(a, 'P', { cluster: importedCluster(a), selectors: [{ namespace: 'x' }] });
    new FargateProfile(b, 'P', { cluster: importedCluster(b), selectors: [{ namespace: 'x' }] });
    Template.fromStack(a).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    Template.fromStack(b).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
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
    const profileResources = Template.fromStack(stack).findResources(FARGATE_PROFILE_RESOURCE_TYPE);
    const ids = (...ps: FargateProfile[]) => ps.map((p) => logicalIdOf(p));
    const profileDeps = (p: FargateProfile) =>
      (profileResources[logicalIdOf(p)].DependsOn ?? []).filter((d: string) => ids(a1, a2, a3, b1, b2).includes(d));

    expect(profileDeps(a1)).toEqual([]);
    expect(profileDeps(b1)).toEqual([]);
    expect(profileDeps(a2)).toEqual(ids(a1));
    expect(profileDeps(a3)).toEqual(ids(a2));
    expect(profileDeps(b2)).toEqual(ids(b1));
  });
});

describe('clusters defined in the app and aws-auth', () => {
  function clusterStack(make: (stack: Stack) => eks.Cluster) {
    const { stack } = newStack();
    const cluster = make(stack);
    const profile = new FargateProfile(stack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }] });
    return { stack, cluster, profile, template: Template.fromStack(stack), roleId: logicalIdOf(profile.podExecutionRole) };
  }

  const clusterProps = (stack: Stack, authenticationMode?: eks.AuthenticationMode): eks.ClusterProps => ({
    version: eks.KubernetesVersion.V1_32,
    kubectlLayer: new KubectlV32Layer(stack, 'Kubectl'),
    defaultCapacity: 0,
    authenticationMode,
  });

  test('eks.Cluster with the default auth mode: the role is mapped as a Fargate node', () => {
    const { stack, cluster, template, roleId } = clusterStack((s) => new eks.Cluster(s, 'Cluster', clusterProps(s)));
    template.resourcePropertiesCountIs(KUBERNETES_RESOURCE, mapsAsFargateNode(roleId), 1);
    // The profile references the cluster resource by its name (Ref).
    template.hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { ClusterName: stack.resolve(cluster.clusterName) });
  });

  test.each([
    ['CONFIG_MAP', eks.AuthenticationMode.CONFIG_MAP],
    ['API_AND_CONFIG_MAP', eks.AuthenticationMode.API_AND_CONFIG_MAP],
  ])('eks.Cluster with authenticationMode %s: the role is mapped in aws-auth', (_name, mode) => {
    const { template, roleId } = clusterStack((s) => new eks.Cluster(s, 'Cluster', clusterProps(s, mode)));
    template.resourcePropertiesCountIs(KUBERNETES_RESOURCE, mapsAsFargateNode(roleId), 1);
  });

  test('eks.Cluster with authenticationMode API: no aws-auth manifest, so the role is mapped nowhere', () => {
    const { template } = clusterStack((s) => new eks.Cluster(s, 'Cluster', clusterProps(s, eks.AuthenticationMode.API)));
    template.resourcePropertiesCountIs(KUBERNETES_RESOURCE, AWS_AUTH, 0);
  });

  test('eks.FargateCluster: mapped, and the first profile waits for the cluster\'s default profile', () => {
    const { stack, cluster, template, roleId } = clusterStack((s) => new eks.FargateCluster(s, 'Cluster', {
      version: eks.KubernetesVersion.V1_32, kubectlLayer: new KubectlV32Layer(s, 'Kubectl'),
    }));
    template.resourcePropertiesCountIs(KUBERNETES_RESOURCE, mapsAsFargateNode(roleId), 1);
    const defaultProfile = (cluster as eks.FargateCluster).defaultProfile.node.defaultChild as any;
    const defaultProfileId = stack.resolve((defaultProfile.node.defaultChild ?? defaultProfile).logicalId);
    template.hasResource(FARGATE_PROFILE_RESOURCE_TYPE, { DependsOn: Match.arrayWith([defaultProfileId]) });
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
    const clusterTemplate = Template.fromStack(clusterStack);
    clusterTemplate.resourcePropertiesCountIs(KUBERNETES_RESOURCE, mapsAsFargateNode(logicalIdOf(role)), 1);
    Template.fromStack(profileStack).resourceCountIs(FARGATE_PROFILE_RESOURCE_TYPE, 1);
    clusterTemplate.resourceCountIs(FARGATE_PROFILE_RESOURCE_TYPE, 0);
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
    Template.fromStack(profileStack).resourceCountIs(FARGATE_PROFILE_RESOURCE_TYPE, 1);
  });
});

describe('outputs', () => {
  test('name and ARN can be exported', () => {
    const { stack } = newStack();
    const profile = new FargateProfile(stack, 'Profile', { cluster: importedCluster(stack), selectors: [{ namespace: 'x' }] });
    new CfnOutput(stack, 'Name', { value: profile.fargateProfileName });
    new CfnOutput(stack, 'Arn', { value: profile.fargateProfileArn });
    const id = logicalIdOf(profile);
    const template = Template.fromStack(stack);
    template.hasOutput('Name', { Value: { Ref: id } });
    template.hasOutput('Arn', { Value: { 'Fn::GetAtt': [id, 'Arn'] } });
    template.hasResource(FARGATE_PROFILE_RESOURCE_TYPE, Match.objectLike({ Type: FARGATE_PROFILE_RESOURCE_TYPE }));
    expect(Object.keys(template.findResources(FARGATE_PROFILE_RESOURCE_TYPE))).toEqual([id]);
  });
});
