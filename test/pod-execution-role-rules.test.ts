import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { Annotations as CoreAnnotations, App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FargateProfile } from '../src';
import { ECR_PULL_WARNING_ID } from '../src/pod-execution-role-rules';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../src/wire-contract';

const ENV = { account: '123456789012', region: 'us-east-1' };
const FARGATE = 'eks-fargate-pods.amazonaws.com';

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly vpc: ec2.IVpc;
  readonly cluster: eks.ICluster;
}

function fixture(): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-12345678'], privateSubnetRouteTableIds: ['rtb-12345678'],
  });
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'demo', vpc });
  return { app, stack, vpc, cluster };
}

function profile(scope: Stack, cluster: eks.ICluster, podExecutionRole?: iam.IRole, id = 'Profile'): FargateProfile {
  return new FargateProfile(scope, id, { cluster, selectors: [{ namespace: 'apps' }], podExecutionRole });
}

function fargateRole(scope: Stack, id = 'PodRole', props: Partial<iam.RoleProps> = {}): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal(FARGATE), ...props });
}

/** A role both Fargate and EC2 trust, so only the node group rule can fail. */
function sharedRole(scope: Stack, id = 'PodRole'): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal(FARGATE), new iam.ServicePrincipal('ec2.amazonaws.com')) });
}

/** The lines of the validation report that `app.synth()` throws (`force`: synthesize again). */
function synthErrors(app: App, force = false): string[] {
  try {
    app.synth({ force });
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
  throw new Error('synth succeeded');
}

const PATH_RULE = 'EKS requires a pod execution role whose ARN has the path "/" (the EKS getting-started guide: '
  + '"The role ARN can\'t include a path other than /"). Use a role without a path: ';
const pathError = (role: string, path: string, remedy: string) =>
  `Stack/Profile: podExecutionRole ${role} has the path "${path}"; ${PATH_RULE}${remedy}`;
const REMOVE_PATH = 'remove `path` from the role (or set path: \'/\')';
const IMPORT_PLAIN = 'import a role whose ARN is arn:<partition>:iam::<account>:role/<name>';

const CONSEQUENCE = 'Fargate assumes the pod execution role as that principal, and without it CreateFargateProfile '
  + 'fails with "Misconfigured PodExecutionRole Trust Policy"';
const noTrust = (role: string) => `[Stack/Profile] podExecutionRole ${role} does not trust ${FARGATE}: no Allow `
  + `statement of its trust policy gives that service principal sts:AssumeRole; ${CONSEQUENCE}. Add `
  + `new iam.ServicePrincipal('${FARGATE}') to the role's trust policy (assumedBy, or role.assumeRolePolicy.addStatements `
  + 'with action sts:AssumeRole)';
const denied = (role: string) => `[Stack/Profile] podExecutionRole ${role} denies sts:AssumeRole to ${FARGATE} in an `
  + `unconditional Deny statement of its trust policy; ${CONSEQUENCE}. Remove that Deny statement from the role's trust policy`;

const NODE_RULE = 'EKS requires a Fargate profile\'s pod execution role to be different from the IAM role of EC2 nodes '
  + '(EKS user guide, pod execution role). Give the profile a role of its own, or omit podExecutionRole to get one';
const nodegroupError = (role: string, nodegroup: string, profilePath = 'Stack/Profile') =>
  `[${profilePath}] podExecutionRole ${role} is also the node role of the managed node group ${nodegroup}; ${NODE_RULE}`;
const asgError = (role: string, group: string) =>
  `[Stack/Profile] podExecutionRole ${role} is also the instance role of the Auto Scaling group ${group} `
  + `(self-managed EC2 nodes); ${NODE_RULE}`;

function profileCount(stack: Stack): number {
  return Object.keys(Template.fromStack(stack).findResources(FARGATE_PROFILE_RESOURCE_TYPE)).length;
}

describe('role path: the ARN must have the path "/"', () => {
  test('a role created with a path fails at construction and adds nothing to the profile', () => {
    const f = fixture();
    const role = fargateRole(f.stack, 'PodRole', { path: '/eks/' });
    expect(() => profile(f.stack, f.cluster, role)).toThrow(pathError('Stack/PodRole', '/eks/', REMOVE_PATH));
    expect(f.stack.node.findChild('Profile').node.children).toHaveLength(0);
    expect(profileCount(f.stack)).toBe(0);
  });

  test('a role ARN string instead of a role fails at construction with what to pass', () => {
    const f = fixture();
    expect(() => profile(f.stack, f.cluster, 'arn:aws:iam::123456789012:role/my-role' as unknown as iam.IRole))
      .toThrow(/^Stack\/Profile: podExecutionRole must be an iam.IRole \(e.g. new iam.Role\(...\) or iam.Role.fromRoleArn\(...\)\), not a name or ARN string$/);
    expect(f.stack.node.findChild('Profile').node.children).toHaveLength(0);
  });

  test('the path is found through role.withoutPolicyUpdates()', () => {
    const f = fixture();
    const role = fargateRole(f.stack, 'PodRole', { path: '/team/a/' }).withoutPolicyUpdates();
    expect(() => profile(f.stack, f.cluster, role)).toThrow(pathError(role.node.path, '/team/a/', REMOVE_PATH));
  });

  test.each([
    ['one level', 'arn:aws:iam::123456789012:role/eks/my-role', '/eks/'],
    ['two levels', 'arn:aws:iam::123456789012:role/a/b/my-role', '/a/b/'],
    ['service role path', 'arn:aws:iam::123456789012:role/service-role/my-role', '/service-role/'],
  ])('an imported ARN with a path (%s) fails, naming the ARN', (_name, arn, path) => {
    const f = fixture();
    const role = iam.Role.fromRoleArn(f.stack, 'Imported', arn);
    expect(role.roleArn).toBe(arn); // fromRoleArn keeps the path in roleArn
    expect(() => profile(f.stack, f.cluster, role)).toThrow(pathError(`Stack/Imported (${arn})`, path, IMPORT_PLAIN));
  });

  test('a literal path is found even when the partition and account are tokens', () => {
    const f = fixture();
    const role = iam.Role.fromRoleArn(f.stack, 'Imported', `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/eks/my-role`);
    expect(() => profile(f.stack, f.cluster, role)).toThrow(pathError('Stack/Imported', '/eks/', IMPORT_PLAIN));
  });

  test.each<[string, (f: Fixture) => iam.IRole]>([
    ['a role without a path', (f) => fargateRole(f.stack)],
    ['a role with the path "/"', (f) => fargateRole(f.stack, 'PodRole', { path: '/' })],
    ['an imported role without a path', (f) => iam.Role.fromRoleArn(f.stack, 'Imported', 'arn:aws:iam::123456789012:role/my-role')],
    ['an imported role named by tokens', (f) => iam.Role.fromRoleArn(f.stack, 'Imported', `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/my-role`)],
    ['a token ARN', (f) => iam.Role.fromRoleArn(f.stack, 'Imported', new CfnParameter(f.stack, 'Arn').valueAsString)],
    ['a token path in the ARN', (f) => iam.Role.fromRoleArn(f.stack, 'Imported',
      `arn:aws:iam::123456789012:role/${new CfnParameter(f.stack, 'Path').valueAsString}my-role`)],
    ['a token path on the role', (f) => fargateRole(f.stack, 'PodRole', { path: new CfnParameter(f.stack, 'Path').valueAsString })],
  ])('%s is accepted', (_name, roleOf) => {
    const f = fixture();
    profile(f.stack, f.cluster, roleOf(f));
    expect(profileCount(f.stack)).toBe(1);
  });
});

describe('trust: a role defined in the app must trust eks-fargate-pods.amazonaws.com', () => {
  test('a role trusted by another principal fails at synthesis, saying which principal to add', () => {
    const f = fixture();
    profile(f.stack, f.cluster, new iam.Role(f.stack, 'PodRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
    expect(synthErrors(f.app)).toEqual([noTrust('Stack/PodRole')]);
  });

  test('a role trusted by the account root (an AWS principal rendered as a token, never "*") fails', () => {
    const f = fixture();
    profile(f.stack, f.cluster, new iam.Role(f.stack, 'PodRole', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(synthErrors(f.app)).toEqual([noTrust('Stack/PodRole')]);
  });

  test('a statement added after the profile is seen: the role then passes', () => {
    const f = fixture();
    const role = new iam.Role(f.stack, 'PodRole', { assumedBy: new iam.AccountRootPrincipal() });
    profile(f.stack, f.cluster, role);
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ServicePrincipal(FARGATE)] }));
    expect(profileCount(f.stack)).toBe(1);
  });

  test('the principal with an action other than sts:AssumeRole fails', () => {
    const f = fixture();
    const role = new iam.Role(f.stack, 'PodRole', { assumedBy: new iam.AccountRootPrincipal() });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:TagSession'], principals: [new iam.ServicePrincipal(FARGATE)] }));
    profile(f.stack, f.cluster, role);
    expect(synthErrors(f.app)).toEqual([noTrust('Stack/PodRole')]);
  });

  test('an unconditional Deny of sts:AssumeRole to the principal fails, even with an Allow', () => {
    const f = fixture();
    const role = fargateRole(f.stack);
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      effect: iam.Effect.DENY, actions: ['sts:Assume*'], principals: [new iam.ServicePrincipal(FARGATE)],
    }));
    profile(f.stack, f.cluster, role);
    expect(synthErrors(f.app)).toEqual([denied('Stack/PodRole')]);
  });

  test.each<[string, (f: Fixture) => iam.IRole]>([
    ['CompositePrincipal', (f) => sharedRole(f.stack)],
    ['ServicePrincipal with an aws:SourceArn condition', (f) => new iam.Role(f.stack, 'PodRole', {
      assumedBy: new iam.ServicePrincipal(FARGATE, { conditions: { ArnLike: { 'aws:SourceArn': 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/*' } } }),
    })],
    ['PrincipalWithConditions', (f) => new iam.Role(f.stack, 'PodRole', {
      assumedBy: new iam.PrincipalWithConditions(new iam.ServicePrincipal(FARGATE), { StringEquals: { 'aws:SourceAccount': '123456789012' } }),
    })],
    ['an sts:* statement', (f) => {
      const role = new iam.Role(f.stack, 'PodRole', { assumedBy: new iam.AccountRootPrincipal() });
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:*'], principals: [new iam.ServicePrincipal(FARGATE)] }));
      return role;
    }],
    ['a conditional Deny beside the Allow', (f) => {
      const role = fargateRole(f.stack);
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['sts:AssumeRole'],
        principals: [new iam.ServicePrincipal(FARGATE)],
        conditions: { StringNotEquals: { 'aws:SourceAccount': '123456789012' } },
      }));
      return role;
    }],
    ['a wildcard principal (our assumption: it covers service principals)', (f) => new iam.Role(f.stack, 'PodRole', { assumedBy: new iam.AnyPrincipal() })],
    ['a token service principal', (f) => new iam.Role(f.stack, 'PodRole', { assumedBy: new iam.ServicePrincipal(new CfnParameter(f.stack, 'Svc').valueAsString) })],
    ['an imported role (its trust policy is not in the app)', (f) => iam.Role.fromRoleArn(f.stack, 'Imported', 'arn:aws:iam::123456789012:role/my-role')],
  ])('%s passes', (_name, roleOf) => {
    const f = fixture();
    profile(f.stack, f.cluster, roleOf(f));
    expect(profileCount(f.stack)).toBe(1);
  });
});

describe('node groups: the pod execution role must not be a node role in this app', () => {
  test('aws-eks Nodegroup and aws-eks-v2 Nodegroup with the role fail, each named, even when added after the profile', () => {
    const f = fixture();
    const role = sharedRole(f.stack);
    profile(f.stack, f.cluster, role);
    new eks.Nodegroup(f.stack, 'NgV1', { cluster: f.cluster, nodeRole: role });
    const v2 = eksv2.Cluster.fromClusterAttributes(f.stack, 'V2', { clusterName: 'demo-v2', vpc: f.vpc });
    new eksv2.Nodegroup(f.stack, 'NgV2', { cluster: v2, nodeRole: role });
    expect(synthErrors(f.app)).toEqual([nodegroupError('Stack/PodRole', 'Stack/NgV1'), nodegroupError('Stack/PodRole', 'Stack/NgV2')]);
  });

  test('every profile with the role is reported, and a node group added after a synthesis fails the next one', () => {
    const f = fixture();
    const role = sharedRole(f.stack);
    profile(f.stack, f.cluster, role);
    profile(f.stack, f.cluster, role, 'Second');
    expect(() => f.app.synth()).not.toThrow();
    new eks.Nodegroup(f.stack, 'Ng', { cluster: f.cluster, nodeRole: role });
    // The role's check is shared by the profiles within one validation pass, never across passes.
    expect(synthErrors(f.app, true)).toEqual([
      nodegroupError('Stack/PodRole', 'Stack/Ng'),
      nodegroupError('Stack/PodRole', 'Stack/Ng', 'Stack/Second'),
    ]);
  });

  test('an L1 CfnNodegroup with the role\'s attrArn (another token for the same role) fails, named by its own path', () => {
    const f = fixture();
    const role = sharedRole(f.stack);
    profile(f.stack, f.cluster, role);
    new eks.CfnNodegroup(f.stack, 'L1Ng', {
      clusterName: 'demo', subnets: ['subnet-12345678'], nodeRole: (role.node.defaultChild as iam.CfnRole).attrArn,
    });
    expect(synthErrors(f.app)).toEqual([nodegroupError('Stack/PodRole', 'Stack/L1Ng')]);
  });

  test('the same imported ARN, imported twice, is the same role', () => {
    const f = fixture();
    const arn = 'arn:aws:iam::123456789012:role/nodes';
    profile(f.stack, f.cluster, iam.Role.fromRoleArn(f.stack, 'Imported', arn));
    new eks.Nodegroup(f.stack, 'Ng', { cluster: f.cluster, nodeRole: iam.Role.fromRoleArn(f.stack, 'AgainImported', arn) });
    expect(synthErrors(f.app)).toEqual([nodegroupError(`Stack/Imported (${arn})`, 'Stack/Ng')]);
  });

  test('the profile\'s default role given to a node group fails', () => {
    const f = fixture();
    const p = profile(f.stack, f.cluster);
    new eks.Nodegroup(f.stack, 'Ng', { cluster: f.cluster, nodeRole: p.podExecutionRole });
    expect(synthErrors(f.app)).toEqual([nodegroupError(p.podExecutionRole.node.path, 'Stack/Ng')]);
  });

  test('a node group of another stack using the role fails; another stack\'s role with the same logical id does not', () => {
    const app = new App();
    const roles = new Stack(app, 'Roles', { env: ENV });
    const other = new Stack(app, 'Other', { env: ENV });
    const cluster = eks.Cluster.fromClusterAttributes(roles, 'Cluster', { clusterName: 'demo' });
    const role = sharedRole(roles);
    sharedRole(other); // same construct id, same logical id, different role
    new FargateProfile(roles, 'Profile', { cluster, selectors: [{ namespace: 'apps' }], podExecutionRole: role });
    new eks.CfnNodegroup(other, 'Ng', { clusterName: 'demo', subnets: ['subnet-12345678'], nodeRole: role.roleArn });
    new eks.CfnNodegroup(other, 'OtherNg', { clusterName: 'demo', subnets: ['subnet-12345678'], nodeRole: (other.node.findChild('PodRole') as iam.Role).roleArn });
    expect(synthErrors(app)).toEqual([nodegroupError('Roles/PodRole', 'Other/Ng', 'Roles/Profile')]);
  });

  test('an Auto Scaling group whose instance role is the role fails', () => {
    const f = fixture();
    const role = sharedRole(f.stack);
    profile(f.stack, f.cluster, role);
    new autoscaling.AutoScalingGroup(f.stack, 'Asg', {
      vpc: f.vpc, instanceType: new ec2.InstanceType('t3.medium'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), role,
    });
    expect(synthErrors(f.app)).toEqual([asgError('Stack/PodRole', 'Stack/Asg')]);
  });

  test('a role used by no node group passes, beside node groups and an Auto Scaling group with other roles', () => {
    const f = fixture();
    profile(f.stack, f.cluster, fargateRole(f.stack));
    new eks.Nodegroup(f.stack, 'Ng', { cluster: f.cluster });
    new eks.CfnNodegroup(f.stack, 'TokenNg', { clusterName: 'demo', subnets: ['subnet-12345678'], nodeRole: new CfnParameter(f.stack, 'NodeRole').valueAsString });
    new autoscaling.AutoScalingGroup(f.stack, 'Asg', { vpc: f.vpc, instanceType: new ec2.InstanceType('t3.medium'), machineImage: ec2.MachineImage.latestAmazonLinux2023() });
    expect(profileCount(f.stack)).toBe(1);
  });
});

describe('node groups: the default capacity of an aws-eks cluster', () => {
  function cluster(stack: Stack, defaultCapacityType: eks.DefaultCapacityType): eks.Cluster {
    return new eks.Cluster(stack, 'Eks', {
      version: eks.KubernetesVersion.V1_32, kubectlLayer: new KubectlV32Layer(stack, 'Kubectl'), defaultCapacityType,
    });
  }

  test('NODEGROUP: the default node group\'s role fails on trust and on reuse', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const eksCluster = cluster(stack, eks.DefaultCapacityType.NODEGROUP);
    profile(stack, eksCluster, eksCluster.defaultNodegroup!.role);
    const role = eksCluster.defaultNodegroup!.role.node.path;
    expect(synthErrors(app)).toEqual([noTrust(role), nodegroupError(role, 'Stack/Eks/NodegroupDefaultCapacity')]);
  });

  test('EC2: the default Auto Scaling group\'s instance role fails', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const eksCluster = cluster(stack, eks.DefaultCapacityType.EC2);
    const role = eksCluster.defaultCapacity!.role as iam.Role;
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ServicePrincipal(FARGATE)] }));
    profile(stack, eksCluster, role);
    expect(synthErrors(app)).toEqual([asgError(role.node.path, 'Stack/Eks/DefaultCapacity')]);
  });

  test('a cluster with default capacity and a profile with its own role synthesizes', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    profile(stack, cluster(stack, eks.DefaultCapacityType.NODEGROUP), fargateRole(stack));
    expect(profileCount(stack)).toBe(1);
  });
});

describe('trust: an aws:SourceArn condition must let in the profiles of the profile\'s cluster', () => {
  const PROFILES = 'arn:aws:eks:us-east-1:123456789012:fargateprofile';
  const conditioned = (scope: Stack, conditions: Record<string, unknown>, id = 'PodRole') =>
    new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal(FARGATE).withConditions(conditions) });
  const otherProfiles = (condition: string, cluster = 'the cluster "demo" (account 123456789012, region us-east-1)', id = 'Profile', roleId = 'PodRole') =>
    `[Stack/${id}] podExecutionRole Stack/${roleId} trusts ${FARGATE} only under the condition ${condition}, which no `
    + `Fargate profile of ${cluster} matches: Fargate assumes the role for a profile with that profile's ARN as `
    + 'aws:SourceArn, so the pods of this profile would never start. The condition must match '
    + 'arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/* (EKS user guide, pod execution role): use '
    + 'arn:<partition>:eks:us-east-1:123456789012:fargateprofile/demo/*, or give this profile a role of its own';

  test.each<[string, Record<string, unknown>, string]>([
    ['another cluster\'s profiles (ArnLike)', { ArnLike: { 'aws:SourceArn': `${PROFILES}/other/*` } },
      `ArnLike aws:SourceArn "${PROFILES}/other/*"`],
    ['another region (StringLike)', { StringLike: { 'aws:SourceArn': 'arn:aws:eks:eu-west-1:123456789012:fargateprofile/demo/*' } },
      'StringLike aws:SourceArn "arn:aws:eks:eu-west-1:123456789012:fargateprofile/demo/*"'],
    ['another account (StringEquals, one profile)', { StringEquals: { 'aws:SourceArn': 'arn:aws:eks:us-east-1:210987654321:fargateprofile/demo/apps/1' } },
      'StringEquals aws:SourceArn "arn:aws:eks:us-east-1:210987654321:fargateprofile/demo/apps/1"'],
    ['two clusters, neither this one (ArnEquals, a list)', { ArnEquals: { 'aws:SourceArn': [`${PROFILES}/blue/*`, `${PROFILES}/green/*`] } },
      `ArnEquals aws:SourceArn ["${PROFILES}/blue/*", "${PROFILES}/green/*"]`],
    ['a wildcard that stops short of this cluster\'s name', { ArnLike: { 'aws:SourceArn': `${PROFILES}/dev-*/*` } },
      `ArnLike aws:SourceArn "${PROFILES}/dev-*/*"`],
    ['another cluster, with tokens for partition, region and account', {
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:eks:${Aws.REGION}:${Aws.ACCOUNT_ID}:fargateprofile/other/*` },
    }, 'ArnLike aws:SourceArn "arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:fargateprofile/other/*"'],
  ])('%s fails at synthesis', (_name, conditions, condition) => {
    const f = fixture();
    profile(f.stack, f.cluster, conditioned(f.stack, conditions));
    expect(synthErrors(f.app)).toEqual([otherProfiles(condition)]);
  });

  test('the cluster of a CfnCluster with a literal name is known by that name', () => {
    const f = fixture();
    const cfnCluster = new eks.CfnCluster(f.stack, 'Eks', {
      name: 'demo', roleArn: 'arn:aws:iam::123456789012:role/eks', resourcesVpcConfig: { subnetIds: ['subnet-1'] },
    });
    profile(f.stack, cfnCluster as unknown as eks.ICluster, conditioned(f.stack, { ArnLike: { 'aws:SourceArn': `${PROFILES}/other/*` } }));
    expect(synthErrors(f.app)).toEqual([otherProfiles(`ArnLike aws:SourceArn "${PROFILES}/other/*"`)]);
  });

  test('an env-agnostic stack: only the cluster name is compared', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'demo' });
    profile(stack, cluster, conditioned(stack, { ArnLike: { 'aws:SourceArn': 'arn:aws:eks:eu-west-1:210987654321:fargateprofile/other/*' } }));
    expect(synthErrors(app)).toEqual([otherProfiles('ArnLike aws:SourceArn "arn:aws:eks:eu-west-1:210987654321:fargateprofile/other/*"',
      'the cluster "demo"').replace('us-east-1:123456789012', '<region>:<account>')]);
  });

  /** A profile whose role lets in another cluster's profiles only, beside the one under test: its error is the only one. */
  const control = (f: Fixture) => profile(f.stack, f.cluster, conditioned(f.stack, { ArnLike: { 'aws:SourceArn': `${PROFILES}/other/*` } }, 'ControlRole'), 'Control');
  const controlError = otherProfiles(`ArnLike aws:SourceArn "${PROFILES}/other/*"`, undefined, 'Control', 'ControlRole');

  test.each<[string, (f: Fixture) => Record<string, unknown>]>([
    ['this cluster\'s profiles', () => ({ ArnLike: { 'aws:SourceArn': `${PROFILES}/demo/*` } })],
    ['one profile of this cluster (StringEquals)', () => ({ StringEquals: { 'aws:SourceArn': `${PROFILES}/demo/apps/1` } })],
    ['a wildcard over every cluster of the account', () => ({ ArnLike: { 'aws:SourceArn': 'arn:aws:eks:*:123456789012:fargateprofile/*' } })],
    ['a wildcard over cluster names that covers this one', () => ({ ArnLike: { 'aws:SourceArn': `${PROFILES}/de?o/*` } })],
    ['a StringLike wildcard spanning components', () => ({ StringLike: { 'aws:SourceArn': 'arn:aws:eks:*/demo/*' } })],
    ['a list with this cluster among others', () => ({ ArnLike: { 'aws:SourceArn': [`${PROFILES}/other/*`, `${PROFILES}/demo/*`] } })],
    ['a token value', (f) => ({ ArnLike: { 'aws:SourceArn': new CfnParameter(f.stack, 'SourceArn').valueAsString } })],
    ['a token where the cluster name goes', (f) => ({
      ArnLike: { 'aws:SourceArn': `${PROFILES}/${new CfnParameter(f.stack, 'ClusterName').valueAsString}/*` },
    })],
    ['the partition as a token', () => ({ ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:eks:us-east-1:123456789012:fargateprofile/demo/*` } })],
    ['aws:SourceAccount of another account (not this rule\'s concern)', () => ({ StringEquals: { 'aws:SourceAccount': '210987654321' } })],
    ['an operator that does not name the profiles (ArnNotLike)', () => ({ ArnNotLike: { 'aws:SourceArn': `${PROFILES}/demo/*` } })],
  ])('%s passes', (_name, conditions) => {
    const f = fixture();
    profile(f.stack, f.cluster, conditioned(f.stack, conditions(f)));
    control(f);
    expect(synthErrors(f.app)).toEqual([controlError]);
  });

  test('another statement that lets Fargate in without the condition: passes', () => {
    const f = fixture();
    const role = conditioned(f.stack, { ArnLike: { 'aws:SourceArn': `${PROFILES}/other/*` } });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ServicePrincipal(FARGATE)] }));
    profile(f.stack, f.cluster, role);
    control(f);
    expect(synthErrors(f.app)).toEqual([controlError]);
  });

  test('a cluster whose name is known only at deploy time is not judged', () => {
    const f = fixture();
    const cluster = eks.Cluster.fromClusterAttributes(f.stack, 'ByParameter', { clusterName: new CfnParameter(f.stack, 'Name').valueAsString });
    profile(f.stack, cluster, conditioned(f.stack, { ArnLike: { 'aws:SourceArn': `${PROFILES}/other/*` } }));
    control(f);
    expect(synthErrors(f.app)).toEqual([controlError]);
  });

  test('the default role of a cluster defined in the app passes, its condition naming the cluster by Ref', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const cluster = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_32, clusterName: 'demo' });
    const fargateProfile = new FargateProfile(stack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }] });
    const role = fargateProfile.podExecutionRole.node.defaultChild as iam.CfnRole;
    expect(JSON.stringify(stack.resolve(role.assumeRolePolicyDocument))).toContain('fargateprofile/');
    new FargateProfile(stack, 'Control', {
      cluster,
      selectors: [{ namespace: 'control' }],
      podExecutionRole: conditioned(stack, { ArnLike: { 'aws:SourceArn': `${PROFILES}/other/*` } }, 'ControlRole'),
    });
    expect(synthErrors(app)).toEqual([controlError]);
  });
});

describe('image pull: a role defined in the app should allow the ECR pull actions (a warning)', () => {
  const ECR_ACTIONS = ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
  const pullWarnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${ECR_PULL_WARNING_ID}\\]`));
  const allow = (role: iam.Role, actions: string[], resources = ['*']) =>
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));

  test('a role with neither the managed policy nor a grant: a warning on the profile\'s resource, saying what to add', () => {
    const f = fixture();
    profile(f.stack, f.cluster, fargateRole(f.stack));
    const found = pullWarnings(f.stack);
    expect(found.map((w) => w.id)).toEqual(['/Stack/Profile/Resource']);
    expect(found[0].entry.data).toBe('podExecutionRole Stack/PodRole has neither the AWS managed policy '
      + 'AmazonEKSFargatePodExecutionRolePolicy nor a grant of the ECR actions it holds (ecr:GetAuthorizationToken, '
      + 'ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer, ecr:BatchGetImage are not allowed by any policy '
      + 'of the role): Fargate pulls the pods\' images as the pod execution role, so images from private Amazon ECR '
      + 'repositories would not pull. Add iam.ManagedPolicy.fromAwsManagedPolicyName(\'AmazonEKSFargatePodExecutionRolePolicy\') '
      + 'to the role, or grant those actions (e.g. repository.grantPull(role)); acknowledge this warning if the pods only '
      + `use images from other registries. [ack: ${ECR_PULL_WARNING_ID}]`);
  });

  test('a partial grant names what is missing; statements added after the profile count', () => {
    const f = fixture();
    const role = fargateRole(f.stack);
    profile(f.stack, f.cluster, role);
    allow(role, ['ecr:Batch*'], ['arn:aws:ecr:us-east-1:123456789012:repository/app']);
    allow(role, ['ecr:GetDownloadUrlForLayer'], ['arn:aws:ecr:us-east-1:123456789012:repository/app']);
    expect(pullWarnings(f.stack).map((w) => w.entry.data)).toEqual([expect.stringContaining(
      'nor a grant of the ECR actions it holds (ecr:GetAuthorizationToken is not allowed by any policy of the role)')]);
  });

  test('a Deny-only or unrelated policy does not count', () => {
    const f = fixture();
    const role = fargateRole(f.stack);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['ecr:*'], resources: ['*'] }));
    allow(role, ['logs:PutLogEvents']);
    profile(f.stack, f.cluster, role);
    expect(pullWarnings(f.stack)).toHaveLength(1);
  });

  test('acknowledged by its id on the profile', () => {
    const f = fixture();
    const role = fargateRole(f.stack);
    const acknowledged = profile(f.stack, f.cluster, role, 'Acknowledged');
    profile(f.stack, f.cluster, role, 'Other');
    CoreAnnotations.of(acknowledged).acknowledgeWarning(ECR_PULL_WARNING_ID, 'the pods pull public images only');
    expect(pullWarnings(f.stack).map((w) => w.id)).toEqual(['/Stack/Other/Resource']);
  });

  test.each<[string, (f: Fixture) => iam.IRole]>([
    ['the default role', () => undefined as unknown as iam.IRole],
    ['the AWS managed policy by name', (f) => fargateRole(f.stack, 'PodRole', {
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSFargatePodExecutionRolePolicy')],
    })],
    ['the AWS managed policy by its ARN', (f) => fargateRole(f.stack, 'PodRole', {
      managedPolicies: [iam.ManagedPolicy.fromManagedPolicyArn(f.stack, 'Managed', 'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy')],
    })],
    ['the four actions in an inline policy', (f) => fargateRole(f.stack, 'PodRole', {
      inlinePolicies: { pull: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ECR_ACTIONS, resources: ['*'] })] }) },
    })],
    ['ecr:* added to the role', (f) => {
      const role = fargateRole(f.stack);
      allow(role, ['ecr:*']);
      return role;
    }],
    ['ecr:Get* and ecr:Batch* in two statements', (f) => {
      const role = fargateRole(f.stack);
      allow(role, ['ecr:Get*']);
      allow(role, ['ecr:Batch*'], ['arn:aws:ecr:us-east-1:123456789012:repository/app']);
      return role;
    }],
    ['repository.grantPull(role)', (f) => {
      const role = fargateRole(f.stack);
      new ecr.Repository(f.stack, 'Repo').grantPull(role);
      return role;
    }],
    ['a customer managed policy of the app with the grant', (f) => fargateRole(f.stack, 'PodRole', {
      managedPolicies: [new iam.ManagedPolicy(f.stack, 'Pull', { statements: [new iam.PolicyStatement({ actions: ECR_ACTIONS, resources: ['*'] })] })],
    })],
    ['a managed policy attached from the policy\'s side', (f) => {
      const role = fargateRole(f.stack);
      new iam.ManagedPolicy(f.stack, 'Pull', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['ecr:*'], resources: ['*'] })] });
      return role;
    }],
    ['an iam.Policy attached to the role', (f) => {
      const role = fargateRole(f.stack);
      new iam.Policy(f.stack, 'Pull', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['ecr:*'], resources: ['*'] })] });
      return role;
    }],
    ['a managed policy the app cannot read', (f) => fargateRole(f.stack, 'PodRole', {
      managedPolicies: [iam.ManagedPolicy.fromManagedPolicyArn(f.stack, 'Managed', 'arn:aws:iam::123456789012:policy/pull')],
    })],
    ['a token action', (f) => {
      const role = fargateRole(f.stack);
      allow(role, [new CfnParameter(f.stack, 'Action').valueAsString]);
      return role;
    }],
    ['an imported role (its policies are not in the app)', (f) => iam.Role.fromRoleArn(f.stack, 'Imported', 'arn:aws:iam::123456789012:role/my-role')],
  ])('no warning for %s', (_name, roleOf) => {
    const f = fixture();
    profile(f.stack, f.cluster, roleOf(f) ?? undefined);
    profile(f.stack, f.cluster, fargateRole(f.stack, 'ControlRole'), 'Control'); // without a grant: the only warning
    expect(pullWarnings(f.stack).map((w) => w.id)).toEqual(['/Stack/Control/Resource']);
  });
});
