// Every cluster the CDK can express, given to FargateProfile: aws-eks-v2 and aws-eks clusters
// (Cluster, FargateCluster, imported), CfnClusters and their imports. Each kind synthesizes the
// same profile (its name and ARN taken from the cluster), chains, gets one default role per
// (stack, cluster), passes the same synth-time checks, and touches authentication only where the
// CDK owns aws-auth. The file is type-checked under the repository's strict settings, so every
// kind below is also a compile test of `cluster: IClusterRef`.
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { App, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { aws_eks as eksRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { FargateProfile, FargateProfileProps } from '../src';
import { FargateProfileProvider } from '../src/fargate-profile-provider';
import { flattenCfnReference } from '../src/nag-acknowledgments';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../src/wire-contract';

const ENV = { account: '123456789012', region: 'us-east-1' };
const PROFILES = `arn:<AWS::Partition>:eks:${ENV.region}:${ENV.account}:fargateprofile`;
type Resources = Record<string, { Type: string; Properties?: any; DependsOn?: string[] }>;

// aws-eks-v2 has its own CfnCluster class in newer aws-cdk-lib releases; at the peer-range floor
// (2.240.0) it uses aws-eks's. Read it by name so that the file also runs on the floor.
const V2CfnCluster = (eksv2 as unknown as { CfnCluster?: typeof eks.CfnCluster }).CfnCluster;

interface ClusterKind {
  /** Defines the cluster (and what it needs) in `stack`; returns the object given as `cluster`. */
  readonly make: (stack: Stack) => eksRefs.IClusterRef;
  /** Type of the resource whose `Ref` is the cluster name, for kinds defined in the app. */
  readonly resourceType?: string;
  /** A FargateCluster: the first profile waits for its default profile. */
  readonly fargate?: boolean;
  /** An aws-eks cluster of the app, whose CDK-managed aws-auth must map the role. */
  readonly mapsAwsAuth?: boolean;
  /** The cluster ARN as written in the app, for imports by ARN. */
  readonly arn?: string;
}

const cfnClusterProps = (): eks.CfnClusterProps => ({
  roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
  resourcesVpcConfig: { subnetIds: ['subnet-0a', 'subnet-0b'] },
});
const v1Props = (stack: Stack) => ({ version: eks.KubernetesVersion.V1_32, kubectlLayer: new KubectlV32Layer(stack, 'Kubectl') });
const v2Version = { version: eksv2.KubernetesVersion.V1_32 };

const KINDS: Record<string, ClusterKind> = {
  'aws-eks-v2 Cluster': { make: (s) => new eksv2.Cluster(s, 'Cluster', v2Version), resourceType: 'AWS::EKS::Cluster' },
  'aws-eks-v2 FargateCluster': {
    // Its CoreDNS patch needs kubectl.
    make: (s) => new eksv2.FargateCluster(s, 'Cluster', {
      ...v2Version, kubectlProviderOptions: { kubectlLayer: new KubectlV32Layer(s, 'Kubectl') },
    }),
    resourceType: 'AWS::EKS::Cluster',
    fargate: true,
  },
  'aws-eks-v2 imported': { make: (s) => eksv2.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'demo' }) },
  'aws-eks Cluster': {
    make: (s) => new eks.Cluster(s, 'Cluster', { ...v1Props(s), defaultCapacity: 0 }),
    resourceType: 'Custom::AWSCDK-EKS-Cluster',
    mapsAwsAuth: true,
  },
  'aws-eks FargateCluster': {
    make: (s) => new eks.FargateCluster(s, 'Cluster', v1Props(s)),
    resourceType: 'Custom::AWSCDK-EKS-Cluster',
    fargate: true,
    mapsAwsAuth: true,
  },
  'aws-eks imported': { make: (s) => eks.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'demo' }) },
  'eks.CfnCluster': { make: (s) => new eks.CfnCluster(s, 'Cluster', cfnClusterProps()), resourceType: 'AWS::EKS::Cluster' },
  'eks.CfnCluster.fromClusterName': { make: (s) => eks.CfnCluster.fromClusterName(s, 'Cluster', 'demo') },
  'eks.CfnCluster.fromClusterArn': {
    make: (s) => eks.CfnCluster.fromClusterArn(s, 'Cluster', `arn:aws:eks:${ENV.region}:${ENV.account}:cluster/demo`),
    arn: `arn:aws:eks:${ENV.region}:${ENV.account}:cluster/demo`,
  },
  ...(V2CfnCluster ? {
    'aws-eks-v2 CfnCluster': { make: (s: Stack) => new V2CfnCluster(s, 'Cluster', cfnClusterProps()), resourceType: 'AWS::EKS::Cluster' },
  } : {}),
};

function newStack(id = 'Stack'): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, id, { env: ENV }) };
}

const logicalIdOf = (c: IConstruct) => Stack.of(c).resolve((c.node.defaultChild as CfnResource).logicalId) as string;
const profileIdOf = (p: FargateProfile) => logicalIdOf(p.node.findChild('Resource'));
const ofType = (res: Resources, type: string) => Object.entries(res).filter(([, r]) => r.Type === type);
/** Statements of our policies (the provider's), with the logical id of their policy. */
const statementsOf = (res: Resources) => ofType(res, 'AWS::IAM::ManagedPolicy')
  .filter(([id]) => id.startsWith(FargateProfileProvider.ID))
  .flatMap(([id, p]) => (p.Properties.PolicyDocument.Statement as any[]).map((s) => ({ policy: id, ...s })));

/** A stack with a cluster of `kind` and two default-role profiles on it. */
function synthKind(kind: ClusterKind) {
  const { stack } = newStack();
  const cluster = kind.make(stack);
  const first = new FargateProfile(stack, 'First', { cluster, selectors: [{ namespace: 'apps' }] });
  const second = new FargateProfile(stack, 'Second', { cluster, selectors: [{ namespace: 'jobs' }] });
  const template = Template.fromStack(stack).toJSON();
  return { stack, cluster, first, second, template, res: template.Resources as Resources };
}

describe.each(Object.entries(KINDS))('%s', (_name, kind) => {
  const { cluster, first, second, template, res } = synthKind(kind);
  const [[clusterId] = []] = kind.resourceType ? ofType(res, kind.resourceType) : [];
  // The name and ARN the template must carry: the in-app resource's Ref and Arn, or the literal name.
  const name = clusterId ? `<${clusterId}>` : 'demo';
  const arn = clusterId ? `<${clusterId}.Arn>` : kind.arn ?? `arn:<AWS::Partition>:eks:${ENV.region}:${ENV.account}:cluster/demo`;
  const roleId = logicalIdOf(first.podExecutionRole);

  test('the profile names the cluster and the stack\'s default role; nothing is undefined', () => {
    if (kind.resourceType) expect(ofType(res, kind.resourceType)).toHaveLength(1);
    const profile = res[profileIdOf(first)];
    expect(flattenCfnReference(profile.Properties.ClusterName)).toBe(name);
    expect(profile.Properties.PodExecutionRoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(JSON.stringify(template)).not.toMatch(/undefined/);
    expect(first.cluster).toBe(cluster);
  });

  test('the handler may create profiles in the cluster and manage its profiles, nothing else', () => {
    const eksStatements = statementsOf(res).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('eks:')));
    expect(eksStatements.map((s) => [[s.Action].flat().sort(), flattenCfnReference(s.Resource)])).toEqual([
      [['eks:CreateFargateProfile'], arn],
      // Split by the ownership conditions (test/security/least-privilege.test.ts checks them).
      [['eks:DescribeFargateProfile'], `${PROFILES}/${name}/*`],
      [['eks:DeleteFargateProfile', 'eks:TagResource', 'eks:UntagResource'], `${PROFILES}/${name}/*`],
      [['eks:TagResource'], `${PROFILES}/${name}/*`],
    ]);
    // Both profiles wait for that policy.
    for (const p of [first, second]) expect(res[profileIdOf(p)].DependsOn).toContain(eksStatements[0].policy);
  });

  test('one default role for both profiles, trusted by Fargate for this cluster\'s profiles only', () => {
    expect(second.podExecutionRole).toBe(first.podExecutionRole);
    const fargateRoles = ofType(res, 'AWS::IAM::Role')
      .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('eks-fargate-pods.amazonaws.com'));
    expect(fargateRoles.map(([id]) => id)).toEqual(kind.fargate
      // A FargateCluster's default profile brings a role of its own.
      ? [expect.stringMatching(/^ClusterfargateprofiledefaultPodExecutionRole/), roleId]
      : [roleId]);
    const trust = res[roleId].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(flattenCfnReference(trust[0].Condition.ArnLike['aws:SourceArn'])).toBe(`${PROFILES}/${name}/*`);
  });

  test('the profiles are chained, the first after the cluster\'s default profile if it has one', () => {
    expect(res[profileIdOf(second)].DependsOn).toContain(profileIdOf(first));
    const firstDependsOn = res[profileIdOf(first)].DependsOn ?? [];
    expect(firstDependsOn).not.toContain(profileIdOf(second));
    const defaultProfiles = [...ofType(res, 'AWS::EKS::FargateProfile'), ...ofType(res, 'Custom::AWSCDK-EKS-FargateProfile')];
    expect(defaultProfiles).toHaveLength(kind.fargate ? 1 : 0);
    for (const [id] of defaultProfiles) expect(firstDependsOn).toContain(id);
  });

  test(kind.mapsAwsAuth ? 'the role is mapped in the CDK-managed aws-auth, once' : 'nothing but our profiles and handler refer to the role', () => {
    const referrers = Object.entries(res)
      .filter(([id, r]) => id !== roleId && JSON.stringify(r).includes(`"${roleId}"`))
      .map(([, r]) => r.Type);
    const ours = [FARGATE_PROFILE_RESOURCE_TYPE, FARGATE_PROFILE_RESOURCE_TYPE, 'AWS::IAM::ManagedPolicy'];
    expect(referrers.sort()).toEqual((kind.mapsAwsAuth ? [...ours, 'Custom::AWSCDK-EKS-KubernetesResource'] : ours).sort());
    if (kind.mapsAwsAuth) {
      const [[, awsAuth]] = ofType(res, 'Custom::AWSCDK-EKS-KubernetesResource')
        .filter(([, r]) => JSON.stringify(r).includes(`"${roleId}"`));
      expect(JSON.stringify(awsAuth.Properties.Manifest).split(`"${roleId}"`)).toHaveLength(2);
    }
  });

  test('synth-time checks are those of every other cluster kind', () => {
    const { stack } = newStack();
    const c = kind.make(stack);
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], publicSubnetIds: ['subnet-pub'], publicSubnetRouteTableIds: ['rtb-pub'],
    });
    const props = (extra: Partial<FargateProfileProps>): FargateProfileProps => ({ cluster: c, selectors: [{ namespace: 'apps' }], ...extra });
    expect(() => new FargateProfile(stack, 'NoVpc', props({ subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })))
      .toThrow(/^Stack\/NoVpc: subnetSelection requires vpc/);
    expect(() => new FargateProfile(stack, 'Public', props({ vpc, subnetSelection: { subnetType: ec2.SubnetType.PUBLIC } })))
      .toThrow(/^Stack\/Public: subnetSelection selects PUBLIC subnets/);
    expect(() => new FargateProfile(stack, 'BadNamespace', props({ selectors: [{ namespace: 'Apps' }] })))
      .toThrow(/^Stack\/BadNamespace: selectors\[0\]\.namespace "Apps" is not a valid Kubernetes namespace/);
    expect(() => new FargateProfile(stack, 'Reserved', props({ fargateProfileName: 'eks-apps' })))
      .toThrow(/^Stack\/Reserved: fargateProfileName "eks-apps" must not start with "eks-"/);
    const pathRole = iam.Role.fromRoleArn(stack, 'RoleWithPath', 'arn:aws:iam::123456789012:role/team/pods');
    expect(() => new FargateProfile(stack, 'PathRole', props({ podExecutionRole: pathRole })))
      .toThrow(/^Stack\/PathRole: podExecutionRole .* has the path "\/team\/"/);
    // Nothing of ours was created by the refused profiles.
    expect(stack.node.tryFindChild(FargateProfileProvider.ID)).toBeUndefined();
  });
});

describe('authentication modes of clusters without a CDK-managed aws-auth', () => {
  // aws-eks-v2 creates every cluster in API mode; the other modes come from an escape hatch, a
  // CfnCluster's accessConfig, or an imported cluster. EKS then writes the role's entry itself.
  const modes = ['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP'];
  const withMode: Record<string, (stack: Stack, mode: string) => eksRefs.IClusterRef> = {
    'aws-eks-v2 Cluster': (stack, mode) => {
      const cluster = new eksv2.Cluster(stack, 'Cluster', v2Version);
      (cluster.node.defaultChild as CfnResource).addPropertyOverride('AccessConfig.AuthenticationMode', mode);
      return cluster;
    },
    'eks.CfnCluster': (stack, mode) => new eks.CfnCluster(stack, 'Cluster', { ...cfnClusterProps(), accessConfig: { authenticationMode: mode } }),
  };

  test.each(Object.keys(withMode).flatMap((kind) => modes.map((mode) => [kind, mode])))('%s in %s mode: nothing is added', (kind, mode) => {
    const { stack } = newStack();
    const cluster = withMode[kind](stack, mode);
    const profile = new FargateProfile(stack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }] });
    const res = Template.fromStack(stack).toJSON().Resources as Resources;
    const [[, clusterResource]] = ofType(res, 'AWS::EKS::Cluster');
    expect(clusterResource.Properties.AccessConfig.AuthenticationMode).toBe(mode);
    const roleId = logicalIdOf(profile.podExecutionRole);
    const referrers = Object.entries(res).filter(([id, r]) => id !== roleId && JSON.stringify(r).includes(`"${roleId}"`)).map(([, r]) => r.Type);
    expect(referrers.sort()).toEqual(['AWS::IAM::ManagedPolicy', FARGATE_PROFILE_RESOURCE_TYPE]);
    expect(ofType(res, 'AWS::EKS::AccessEntry').filter(([, r]) => JSON.stringify(r).includes(roleId))).toEqual([]);
    expect(ofType(res, 'Custom::AWSCDK-EKS-KubernetesResource')).toEqual([]);
  });
});

describe('one cluster, whatever object stands for it', () => {
  test('the L2, its CfnCluster, an import by its name token and an import by its literal name share one chain, policy and role', () => {
    const { stack } = newStack();
    const cluster = new eksv2.Cluster(stack, 'Cluster', { ...v2Version, clusterName: 'demo' });
    const stand = [
      cluster,
      cluster.node.defaultChild as CfnResource & eksRefs.IClusterRef,
      eksv2.Cluster.fromClusterAttributes(stack, 'ByToken', { clusterName: cluster.clusterName }),
      eks.Cluster.fromClusterAttributes(stack, 'ByName', { clusterName: 'demo' }),
      eks.CfnCluster.fromClusterName(stack, 'L1ByName', 'demo'),
    ];
    const profiles = stand.map((c, i) => new FargateProfile(stack, `P${i}`, { cluster: c, selectors: [{ namespace: `ns-${i}` }] }));
    const res = Template.fromStack(stack).toJSON().Resources as Resources;
    profiles.slice(1).forEach((p, i) => expect(res[profileIdOf(p)].DependsOn).toContain(profileIdOf(profiles[i])));
    expect(new Set(profiles.map((p) => p.podExecutionRole)).size).toBe(1);
    const grants = statementsOf(res).filter((s) => s.Action === 'eks:CreateFargateProfile');
    expect(grants).toHaveLength(1);
    expect(flattenCfnReference(grants[0].Resource)).toBe(`<${logicalIdOf(cluster)}.Arn>`);
  });

  test('profiles given an import first wait for the FargateCluster\'s default profile once the cluster itself comes', () => {
    const { stack } = newStack();
    const imported = eksv2.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'demo' });
    const early = new FargateProfile(stack, 'Early', { cluster: imported, selectors: [{ namespace: 'early' }] });
    const cluster = new eksv2.FargateCluster(stack, 'Cluster', {
      ...v2Version, clusterName: 'demo', kubectlProviderOptions: { kubectlLayer: new KubectlV32Layer(stack, 'Kubectl') },
    });
    const late = new FargateProfile(stack, 'Late', { cluster, selectors: [{ namespace: 'late' }] });
    const res = Template.fromStack(stack).toJSON().Resources as Resources;
    const defaultProfileId = logicalIdOf(cluster.defaultProfile);
    expect(res[profileIdOf(early)].DependsOn).toContain(defaultProfileId);
    expect(res[profileIdOf(late)].DependsOn).toContain(profileIdOf(early));
  });

  test('an import of an aws-eks cluster by its name token is that cluster: aws-auth rules apply across stacks', () => {
    const app = new App();
    const clusterStack = new Stack(app, 'ClusterStack', { env: ENV });
    const profileStack = new Stack(app, 'ProfileStack', { env: ENV });
    const cluster = new eks.Cluster(clusterStack, 'Cluster', { ...v1Props(clusterStack), defaultCapacity: 0 });
    const imported = eks.Cluster.fromClusterAttributes(profileStack, 'Imported', { clusterName: cluster.clusterName });
    expect(() => new FargateProfile(profileStack, 'Profile', { cluster: imported, selectors: [{ namespace: 'apps' }] }))
      .toThrow(/^ProfileStack\/Profile: podExecutionRole is required when the cluster is an eks.Cluster of another stack/);
  });

  test('clusters of other names, and the same cluster in another stack, get roles and policies of their own', () => {
    const app = new App();
    const [a, b] = ['A', 'B'].map((id) => new Stack(app, id, { env: ENV }));
    const blue = eksv2.Cluster.fromClusterAttributes(a, 'Blue', { clusterName: 'blue' });
    const green = eksv2.Cluster.fromClusterAttributes(a, 'Green', { clusterName: 'green' });
    const blueInB = eksv2.Cluster.fromClusterAttributes(b, 'Blue', { clusterName: 'blue' });
    const profiles = [[a, blue], [a, green], [a, blue], [b, blueInB]].map(([stack, c], i) =>
      new FargateProfile(stack as Stack, `P${i}`, { cluster: c as eksRefs.IClusterRef, selectors: [{ namespace: 'apps' }] }));
    expect(profiles[2].podExecutionRole).toBe(profiles[0].podExecutionRole);
    expect(new Set(profiles.map((p) => p.podExecutionRole)).size).toBe(3);
    const resA = Template.fromStack(a).toJSON().Resources as Resources;
    expect(statementsOf(resA).filter((s) => s.Action === 'eks:CreateFargateProfile').map((s) => flattenCfnReference(s.Resource)))
      .toEqual(['blue', 'green'].map((n) => `arn:<AWS::Partition>:eks:${ENV.region}:${ENV.account}:cluster/${n}`));
    // Chains are per cluster: the third profile (blue) waits for the first, not for green's.
    expect(resA[profileIdOf(profiles[2])].DependsOn).toContain(profileIdOf(profiles[0]));
    expect(resA[profileIdOf(profiles[2])].DependsOn).not.toContain(profileIdOf(profiles[1]));
  });

  test('names that are tokens: a parameter, and a name built around one, each get one identity and synthesize', () => {
    const { app, stack } = newStack();
    const env = new CfnParameter(stack, 'Env').valueAsString;
    const byParameter = [0, 1].map((i) => eksv2.Cluster.fromClusterAttributes(stack, `ByParameter${i}`, { clusterName: env }));
    const built = [0, 1].map((i) => eksv2.Cluster.fromClusterAttributes(stack, `Built${i}`, { clusterName: `${env}-cluster` }));
    const profiles = [...byParameter, ...built].map((c, i) => new FargateProfile(stack, `P${i}`, { cluster: c, selectors: [{ namespace: `ns-${i}` }] }));
    app.synth();
    expect(profiles[1].podExecutionRole).toBe(profiles[0].podExecutionRole);
    expect(profiles[3].podExecutionRole).toBe(profiles[2].podExecutionRole);
    expect(profiles[2].podExecutionRole).not.toBe(profiles[0].podExecutionRole);
    const res = Template.fromStack(stack).toJSON().Resources as Resources;
    expect(flattenCfnReference(res[profileIdOf(profiles[3])].Properties.ClusterName)).toBe('<Env>-cluster');
    expect(res[profileIdOf(profiles[3])].DependsOn).toContain(profileIdOf(profiles[2]));
  });

  test('a template grows by one resource per default-role profile', () => {
    const count = (n: number) => {
      const { stack } = newStack();
      const cluster = eksv2.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'demo' });
      for (let i = 0; i < n; i++) new FargateProfile(stack, `P${i}`, { cluster, selectors: [{ namespace: `ns-${i}` }] });
      return Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    };
    const [one, two, ten] = [1, 2, 10].map(count);
    expect(two - one).toBe(1);
    expect(ten - one).toBe(9);
  });
});

describe('a cluster that names no cluster is a synth error naming the profile, the field and the rule', () => {
  const cases: Record<string, [(stack: Stack) => unknown, RegExp]> = {
    'an object without clusterRef': [() => ({}), /^Stack\/Profile: cluster an object without clusterRef \(Object\) names no cluster \(its clusterRef.clusterName is undefined\)/],
    'a string': [() => 'demo', /^Stack\/Profile: cluster must be a cluster object, got the string "demo": pass an aws-eks-v2 or aws-eks Cluster/],
    'an empty name': [
      (stack) => Object.assign(eks.CfnCluster.fromClusterName(stack, 'Empty', 'demo'), { clusterRef: { clusterName: '', clusterArn: 'arn' } }),
      /^Stack\/Profile: cluster Stack\/Empty names no cluster \(its clusterRef.clusterName is empty\)/,
    ],
    'a clusterRef that throws': [
      (stack) => Object.defineProperty(new iam.Role(stack, 'NotACluster', { assumedBy: new iam.AccountRootPrincipal() }), 'clusterRef', {
        get: () => { throw new Error('no cluster here'); },
      }),
      /^Stack\/Profile: cluster Stack\/NotACluster cannot name its cluster \(reading clusterRef failed: no cluster here\)/,
    ],
    'a name EKS does not accept': [
      (stack) => eksv2.Cluster.fromClusterAttributes(stack, 'Bad', { clusterName: 'my cluster' }),
      /^Stack\/Profile: cluster name "my cluster" is not an EKS cluster name: EKS names a cluster with 1 to 100 letters/,
    ],
    'a cluster of another region': [
      (stack) => eks.CfnCluster.fromClusterArn(stack, 'Far', 'arn:aws:eks:eu-west-1:123456789012:cluster/demo'),
      /^Stack\/Profile: cluster Stack\/Far is in region eu-west-1, the profile's stack in region us-east-1/,
    ],
    'a cluster of another account': [
      (stack) => eks.CfnCluster.fromClusterArn(stack, 'Other', 'arn:aws:eks:us-east-1:210987654321:cluster/demo'),
      /^Stack\/Profile: cluster Stack\/Other is in account 210987654321, the profile's stack in account 123456789012/,
    ],
  };

  test.each(Object.entries(cases))('%s', (_name, [make, message]) => {
    const { stack } = newStack();
    const cluster = make(stack) as eksRefs.IClusterRef;
    expect(() => new FargateProfile(stack, 'Profile', { cluster, selectors: [{ namespace: 'apps' }] })).toThrow(message);
    // Thrown before anything was created.
    expect(stack.node.findChild('Profile').node.children).toHaveLength(0);
    expect(stack.node.tryFindChild(FargateProfileProvider.ID)).toBeUndefined();
  });
});

describe('a profile given an import by the literal name of a cluster the app defines depends on that cluster', () => {
  // What the import names, and the type of the resource a profile given the cluster itself refers to (its Ref).
  const defined: Record<string, { define: (stack: Stack, name: string) => IConstruct; resourceType: string }> = {
    'eks.CfnCluster': { define: (s, name) => new eks.CfnCluster(s, 'Cluster', { ...cfnClusterProps(), name }), resourceType: 'AWS::EKS::Cluster' },
    'aws-eks-v2 Cluster': { define: (s, name) => new eksv2.Cluster(s, 'Cluster', { ...v2Version, clusterName: name }), resourceType: 'AWS::EKS::Cluster' },
    'aws-eks Cluster': {
      define: (s, name) => new eks.Cluster(s, 'Cluster', { ...v1Props(s), defaultCapacity: 0, clusterName: name }),
      resourceType: 'Custom::AWSCDK-EKS-Cluster',
    },
  };
  const imports: Record<string, (stack: Stack, name: string) => eksRefs.IClusterRef> = {
    'CfnCluster.fromClusterName': (s, name) => eks.CfnCluster.fromClusterName(s, 'Imported', name),
    'aws-eks-v2 Cluster.fromClusterAttributes': (s, name) => eksv2.Cluster.fromClusterAttributes(s, 'Imported', { clusterName: name }),
    'aws-eks Cluster.fromClusterAttributes': (s, name) => eks.Cluster.fromClusterAttributes(s, 'Imported', { clusterName: name }),
  };
  const cases = Object.keys(defined).flatMap((d) => Object.keys(imports).map((i) => [d, i]));

  test.each(cases)('%s imported by %s in the same stack, defined before or after the profile', (definedKind, importKind) => {
    for (const order of ['before', 'after']) {
      const { stack } = newStack();
      if (order === 'before') defined[definedKind].define(stack, 'cfn-cluster');
      const imported = imports[importKind](stack, 'cfn-cluster');
      const only = new FargateProfile(stack, 'Only', { cluster: imported, selectors: [{ namespace: 'apps' }] });
      if (order === 'after') defined[definedKind].define(stack, 'cfn-cluster');
      const res = Template.fromStack(stack).toJSON().Resources as Resources;
      const [[clusterId]] = ofType(res, defined[definedKind].resourceType);
      expect(res[profileIdOf(only)].DependsOn).toContain(clusterId);
    }
  });

  test.each(cases)('%s imported by %s in another stack: the profiles\' stack depends on the cluster\'s', (definedKind, importKind) => {
    const app = new App();
    const clusterStack = new Stack(app, 'ClusterStack', { env: ENV });
    const profileStack = new Stack(app, 'ProfileStack', { env: ENV });
    defined[definedKind].define(clusterStack, 'cfn-cluster');
    const profile = new FargateProfile(profileStack, 'Profile', { cluster: imports[importKind](profileStack, 'cfn-cluster'), selectors: [{ namespace: 'apps' }] });
    app.synth();
    expect(profileStack.dependencies).toEqual([clusterStack]);
    expect(clusterStack.dependencies).toEqual([]);
    // Nothing crosses the stacks but the order: the profile still names the cluster literally.
    expect(Template.fromStack(profileStack).toJSON().Resources[profileIdOf(profile)].Properties.ClusterName).toBe('cfn-cluster');
  });

  test('the first profile of a chain given an import waits for the cluster and its default profile; the others through the chain', () => {
    const { stack } = newStack();
    new eks.FargateCluster(stack, 'Cluster', { ...v1Props(stack), clusterName: 'demo' });
    const imported = eks.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'demo' });
    const [first, second] = ['first', 'second'].map((ns) => new FargateProfile(stack, ns, { cluster: imported, selectors: [{ namespace: ns }] }));
    const res = Template.fromStack(stack).toJSON().Resources as Resources;
    const [[clusterId]] = ofType(res, 'Custom::AWSCDK-EKS-Cluster');
    const [[defaultProfileId]] = ofType(res, 'Custom::AWSCDK-EKS-FargateProfile');
    expect(res[profileIdOf(first)].DependsOn).toEqual(expect.arrayContaining([clusterId, defaultProfileId]));
    expect(res[profileIdOf(second)].DependsOn).toContain(profileIdOf(first));
  });

  test('a cluster of the same name in another region, or a name the app does not define, adds no dependency', () => {
    const app = new App();
    const elsewhere = new Stack(app, 'Elsewhere', { env: { ...ENV, region: 'eu-west-1' } });
    const profileStack = new Stack(app, 'ProfileStack', { env: ENV });
    new eks.CfnCluster(elsewhere, 'Cluster', { ...cfnClusterProps(), name: 'demo' });
    new eks.CfnCluster(profileStack, 'Other', { ...cfnClusterProps(), name: 'other' });
    const profile = new FargateProfile(profileStack, 'Profile', {
      cluster: eks.CfnCluster.fromClusterName(profileStack, 'Imported', 'demo'), selectors: [{ namespace: 'apps' }],
    });
    app.synth();
    expect(profileStack.dependencies).toEqual([]);
    const res = Template.fromStack(profileStack).toJSON().Resources as Resources;
    expect(res[profileIdOf(profile)].DependsOn).not.toContain('Other');
  });
});
