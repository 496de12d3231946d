import { App, CfnParameter, CfnResource, Lazy, Stack, Tags } from 'aws-cdk-lib';
import { Capture, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import { FargateProfile, FargateProfileProps } from '../src';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../src/wire-contract';

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly cluster: eks.ICluster;
  /** Public, private and isolated subnets in two AZs. */
  readonly vpc: ec2.IVpc;
  /** Public subnets only. */
  readonly publicOnlyVpc: ec2.IVpc;
}

function fixture(): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'us-east-1' } });
  const azs = ['us-east-1a', 'us-east-1b'];
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-1',
    availabilityZones: azs,
    publicSubnetIds: ['subnet-pub-a', 'subnet-pub-b'],
    publicSubnetRouteTableIds: ['rtb-p', 'rtb-p'],
    privateSubnetIds: ['subnet-priv-a', 'subnet-priv-b'],
    privateSubnetRouteTableIds: ['rtb-a', 'rtb-b'],
    isolatedSubnetIds: ['subnet-iso-a', 'subnet-iso-b'],
    isolatedSubnetRouteTableIds: ['rtb-a', 'rtb-b'],
  });
  const publicOnlyVpc = ec2.Vpc.fromVpcAttributes(stack, 'PublicVpc', {
    vpcId: 'vpc-2',
    availabilityZones: azs,
    publicSubnetIds: ['subnet-only-pub-a', 'subnet-only-pub-b'],
    publicSubnetRouteTableIds: ['rtb-p', 'rtb-p'],
  });
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'demo' });
  return { app, stack, cluster, vpc, publicOnlyVpc };
}

type PropsOf = (f: Fixture) => Partial<FargateProfileProps>;

const ok = [{ namespace: 'default' }];
const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key-${i}`, 'v']));
const labelsOf = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));
const publicSubnetOf = (vpc: ec2.IVpc) => vpc.publicSubnets[0];

function build(f: Fixture, props: PropsOf): FargateProfile {
  return new FargateProfile(f.stack, 'Profile', { cluster: f.cluster, selectors: ok, ...props(f) } as FargateProfileProps);
}

describe('bad props fail at construction, naming path, field and rule, and synthesize nothing', () => {
  const rows: Array<[string, PropsOf, RegExp]> = [
    ['no cluster', () => ({ cluster: undefined }), /^Stack\/Profile: cluster is required$/],
    ['no selectors', () => ({ selectors: undefined }), /^Stack\/Profile: selectors is required/],
    ['zero selectors', () => ({ selectors: [] }), /^Stack\/Profile: selectors must have 1 to 5 entries \(got 0\)/],
    ['six selectors', () => ({ selectors: ['a', 'b', 'c', 'd', 'e', 'f'].map((namespace) => ({ namespace })) }),
      /^Stack\/Profile: selectors must have 1 to 5 entries \(got 6\)/],
    ['missing namespace', () => ({ selectors: [{ namespace: 'ok' }, {} as any] }),
      /^Stack\/Profile: selectors\[1\]\.namespace is required and must not be empty$/],
    ['empty namespace', () => ({ selectors: [{ namespace: '' }] }),
      /^Stack\/Profile: selectors\[0\]\.namespace is required and must not be empty$/],
    ['uppercase and _ in namespace', () => ({ selectors: [{ namespace: 'ok' }, { namespace: 'Kube_System' }] }),
      /^Stack\/Profile: selectors\[1\]\.namespace "Kube_System" is not a valid Kubernetes namespace: .*RFC 1123/],
    ['namespace over 63 characters', () => ({ selectors: [{ namespace: 'a'.repeat(64) }] }),
      /^Stack\/Profile: selectors\[0\]\.namespace "a{64}" is not a valid Kubernetes namespace: use at most 63/],
    ['namespace starting with -', () => ({ selectors: [{ namespace: '-apps' }] }),
      /selectors\[0\]\.namespace "-apps" is not a valid Kubernetes namespace/],
    ['namespace ending with -', () => ({ selectors: [{ namespace: 'apps-' }] }),
      /selectors\[0\]\.namespace "apps-" is not a valid Kubernetes namespace/],
    ['six labels', () => ({ selectors: [{ namespace: 'a', labels: labelsOf(6) }] }),
      /^Stack\/Profile: selectors\[0\]\.labels has 6 labels; EKS allows at most 5 per selector$/],
    ['label key with a space', () => ({ selectors: [{ namespace: 'a', labels: { 'bad key': 'v' } }] }),
      /^Stack\/Profile: selectors\[0\]\.labels key "bad key" is not a valid Kubernetes label key: the name must be 1 to 63/],
    ['label key name over 63', () => ({ selectors: [{ namespace: 'a', labels: { ['k'.repeat(64)]: 'v' } }] }),
      /selectors\[0\]\.labels key "k{64}" is not a valid Kubernetes label key: the name must be 1 to 63/],
    ['label key with an uppercase prefix', () => ({ selectors: [{ namespace: 'a', labels: { 'Example.com/app': 'v' } }] }),
      /selectors\[0\]\.labels key "Example.com\/app" is not a valid Kubernetes label key: the prefix before "\/" must be a lowercase DNS subdomain/],
    ['label key with a prefix over 253', () => ({ selectors: [{ namespace: 'a', labels: { [`${'a'.repeat(254)}/app`]: 'v' } }] }),
      /is not a valid Kubernetes label key: the prefix before "\/" must be a lowercase DNS subdomain of at most 253/],
    ['label key with an empty name', () => ({ selectors: [{ namespace: 'a', labels: { 'example.com/': 'v' } }] }),
      /labels key "example.com\/" is not a valid Kubernetes label key: the name must be/],
    ['label value with a !', () => ({ selectors: [{ namespace: 'a', labels: { app: 'bad!' } }] }),
      /^Stack\/Profile: selectors\[0\]\.labels\["app"\] value "bad!" is not a valid Kubernetes label value/],
    ['label value over 63', () => ({ selectors: [{ namespace: 'a', labels: { app: 'v'.repeat(64) } }] }),
      /selectors\[0\]\.labels\["app"\] value "v{64}" is not a valid Kubernetes label value: use an empty string or at most 63/],
    ['label value not a string', () => ({ selectors: [{ namespace: 'a', labels: { app: 3 as any } }] }),
      /selectors\[0\]\.labels\["app"\] must have a string value/],
    ['repeated selector (labels in another order)', () => ({
      selectors: [
        { namespace: 'a', labels: { x: '1', y: '2' } },
        { namespace: 'b' },
        { namespace: 'a', labels: { y: '2', x: '1' } },
      ],
    }), /^Stack\/Profile: selectors\[2\] repeats selectors\[0\] \(same namespace and labels\); each selector in a profile must be unique$/],
    ['repeated selector without labels', () => ({ selectors: [{ namespace: 'a' }, { namespace: 'a', labels: {} }] }),
      /selectors\[1\] repeats selectors\[0\]/],
    ['selectors as a token', (f) => ({ selectors: new CfnParameter(f.stack, 'S', { type: 'CommaDelimitedList' }).valueAsList as any }),
      /^Stack\/Profile: selectors must be a list written in the app, not a token/],
    ['labels as a token', () => ({ selectors: [{ namespace: 'a', labels: Lazy.any({ produce: () => ({ a: 'b' }) }) as any }] }),
      /^Stack\/Profile: selectors\[0\]\.labels must be a map written in the app, not a token/],
    ['tags as a token', () => ({ tags: Lazy.any({ produce: () => ({ a: 'b' }) }) as any }),
      /^Stack\/Profile: tags must be a map written in the app, not a token/],
    // Wrong types from JavaScript callers: a clear error, never a TypeError.
    ['selectors not a list', () => ({ selectors: 'default' as any }),
      /^Stack\/Profile: selectors must be a list of \{ namespace, labels\? \}$/],
    ['a null selector', () => ({ selectors: [null as any] }),
      /^Stack\/Profile: selectors\[0\] must be an object \{ namespace, labels\? \}$/],
    ['a numeric namespace', () => ({ selectors: [{ namespace: 42 as any }] }),
      /^Stack\/Profile: selectors\[0\]\.namespace must be a string$/],
    ['labels as a list', () => ({ selectors: [{ namespace: 'a', labels: ['x'] as any }] }),
      /^Stack\/Profile: selectors\[0\]\.labels must be a map of label keys to values$/],
    ['a numeric name', () => ({ fargateProfileName: 7 as any }),
      /^Stack\/Profile: fargateProfileName must be a string$/],
    ['a tag without a value', () => ({ tags: { owner: undefined as any } }),
      /^Stack\/Profile: tags\["owner"\] must have a string value$/],
    ['empty name', () => ({ fargateProfileName: '' }),
      /^Stack\/Profile: fargateProfileName "" must be 1 to 100 characters long \(got 0\)$/],
    ['name over 100 characters', () => ({ fargateProfileName: 'p'.repeat(101) }),
      /^Stack\/Profile: fargateProfileName "p{101}" must be 1 to 100 characters long \(got 101\)$/],
    ['name with a dot', () => ({ fargateProfileName: 'my.profile' }),
      /^Stack\/Profile: fargateProfileName "my.profile" must start with a letter or digit and contain only letters, digits, '-' and '_'$/],
    ['name starting with _', () => ({ fargateProfileName: '_profile' }),
      /fargateProfileName "_profile" must start with a letter or digit/],
    ['name with the eks- prefix', () => ({ fargateProfileName: 'eks-profile' }),
      /^Stack\/Profile: fargateProfileName "eks-profile" must not start with "eks-" \(reserved by Amazon EKS\)$/],
    ['name with the EKS- prefix', () => ({ fargateProfileName: 'EKS-profile' }), /must not start with "eks-"/],
    ['subnetSelection without vpc', () => ({ subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }),
      /^Stack\/Profile: subnetSelection requires vpc/],
    ['selection of no subnets', (f) => ({
      vpc: f.vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['us-east-1z'] },
    }), /^Stack\/Profile: subnetSelection selects no subnets; a Fargate profile needs at least one private subnet$/],
    ['selection of a missing subnet group', (f) => ({ vpc: f.vpc, subnetSelection: { subnetGroupName: 'nope' } }),
      /^Stack\/Profile: subnetSelection selects no subnets: .*nope/],
    ['PUBLIC subnet type', (f) => ({ vpc: f.vpc, subnetSelection: { subnetType: ec2.SubnetType.PUBLIC } }),
      /^Stack\/Profile: subnetSelection selects PUBLIC subnets; Fargate profiles accept private subnets only$/],
    ['a public subnet picked explicitly', (f) => ({ vpc: f.vpc, subnetSelection: { subnets: [publicSubnetOf(f.vpc)] } }),
      /^Stack\/Profile: subnetSelection selects public subnet\(s\) subnet-pub-a; Fargate profiles accept private subnets only$/],
    ['a vpc without private subnets', (f) => ({ vpc: f.publicOnlyVpc }),
      /^Stack\/Profile: vpc has no private subnets/],
    ['51 tags', () => ({ tags: manyTags(51) }),
      /^Stack\/Profile: tags has 51 tags; EKS allows at most 50 per resource$/],
    ['empty tag key', () => ({ tags: { '': 'v' } }), /^Stack\/Profile: tags key "" must be 1 to 128 characters long \(got 0\)$/],
    ['tag key over 128', () => ({ tags: { ['k'.repeat(129)]: 'v' } }), /tags key "k{129}" must be 1 to 128 characters long \(got 129\)/],
    ['tag key with aws: prefix', () => ({ tags: { 'aws:owner': 'v' } }),
      /^Stack\/Profile: tags key "aws:owner" must not start with "aws:" \(reserved for AWS\)$/],
    ['the ownership marker key in tags', () => ({ tags: { 'cdk-eks-fargate-profile:owner': 'mine' } }),
      /^Stack\/Profile: tags key "cdk-eks-fargate-profile:owner" is reserved: the handler sets it on create to record which resource owns the profile, and only a profile that carries its own resource's marker is ever adopted or deleted \(see README "Ownership"\)\. Use another key$/],
    ['tag value over 256', () => ({ tags: { k: 'v'.repeat(257) } }),
      /^Stack\/Profile: tags\["k"\] value must be at most 256 characters long \(got 257\)$/],
  ];

  test('no props at all', () => {
    const f = fixture();
    expect(() => new FargateProfile(f.stack, 'Profile', undefined as any))
      .toThrow(/^Stack\/Profile: props are required \(cluster and selectors\)$/);
  });

  test.each(rows)('%s', (_name, props, message) => {
    const f = fixture();
    let thrown: unknown;
    try {
      build(f, props);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).constructor).toBe(Error); // never a TypeError
    expect((thrown as Error).message).toMatch(message);

    // Nothing was created: no children under the profile, no provider, no resources.
    const profile = f.stack.node.tryFindChild('Profile');
    expect(profile?.node.children ?? []).toHaveLength(0);
    expect(f.stack.node.tryFindChild('EksFargateProfileProvider')).toBeUndefined();
    // (The fixture itself holds imported constructs only, so any resource would be the profile's.)
    const cfnResources = f.stack.node.findAll().filter((c) => CfnResource.isCfnResource(c));
    expect(cfnResources.map((c) => c.node.path)).toEqual([]);
  });
});

describe('tags added with Tags.of() are checked at synthesis', () => {
  test.each<[string, (app: App) => void, RegExp]>([
    ['51 tags in total', (app) => Object.entries(manyTags(49)).forEach(([k, v]) => Tags.of(app).add(k, v)),
      /\[Stack\/Profile\] tags has 51 tags; EKS allows at most 50 per resource/],
    ['a key over 128 characters', (app) => Tags.of(app).add('k'.repeat(129), 'v'),
      /\[Stack\/Profile\] tags key "k{129}" must be 1 to 128 characters long/],
    ['a value over 256 characters', (app) => Tags.of(app).add('big', 'v'.repeat(257)),
      /\[Stack\/Profile\] tags\["big"\] value must be at most 256 characters long \(got 257\)/],
    ['the ownership marker key, which Tags.of() cannot set or override', (app) => Tags.of(app).add('cdk-eks-fargate-profile:owner', 'theirs'),
      /\[Stack\/Profile\] tags key "cdk-eks-fargate-profile:owner" is reserved: the handler sets it on create/],
  ])('%s', (_name, addTags, message) => {
    const f = fixture();
    build(f, () => ({ tags: { a: '1', b: '2' } }));
    addTags(f.app);
    expect(() => f.app.synth()).toThrow(message);
  });

  test('50 tags in total synthesize', () => {
    const f = fixture();
    build(f, () => ({ tags: manyTags(25) }));
    Object.entries(manyTags(50)).slice(25).forEach(([k, v]) => Tags.of(f.app).add(k, v));
    const template = Template.fromStack(f.stack);
    template.resourceCountIs(FARGATE_PROFILE_RESOURCE_TYPE, 1);
    const tags = new Capture();
    template.hasResourceProperties(FARGATE_PROFILE_RESOURCE_TYPE, { Tags: tags });
    expect(tags.asArray()).toHaveLength(50);
    expect(tags.asArray().map((t: { Key: string }) => t.Key).sort()).toEqual(Object.keys(manyTags(50)).sort());
  });
});

describe('valid edge values and unresolved tokens are accepted', () => {
  const param = (f: Fixture, id: string) => new CfnParameter(f.stack, id).valueAsString;
  const rows: Array<[string, PropsOf]> = [
    ['namespace wildcard *', () => ({ selectors: [{ namespace: '*' }] })],
    ['namespace wildcards in a name', () => ({ selectors: [{ namespace: 'prod-?' }, { namespace: 'team-*-apps' }] })],
    ['63-character namespace', () => ({ selectors: [{ namespace: 'a'.repeat(63) }] })],
    ['five selectors, five labels', () => ({
      selectors: ['a', 'b', 'c', 'd', 'e'].map((namespace) => ({ namespace, labels: labelsOf(5) })),
    })],
    ['same namespace, different labels', () => ({ selectors: [{ namespace: 'a' }, { namespace: 'a', labels: { x: '1' } }] })],
    ['prefixed label key, empty value, wildcard value', () => ({
      selectors: [{ namespace: 'a', labels: { 'app.kubernetes.io/name': '', 'tier': 'web-*', 'Team_Name': 'A.b-c' } }],
    })],
    ['100-character name starting with a digit', () => ({ fargateProfileName: `1${'x'.repeat(99)}` })],
    ['name containing eks- later', () => ({ fargateProfileName: 'my-eks-profile' })],
    ['private subnet picked explicitly', (f) => ({ vpc: f.vpc, subnetSelection: { subnets: [f.vpc.privateSubnets[1]] } })],
    ['isolated subnets by type', (f) => ({ vpc: f.vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })],
    ['50 tags, 128-character key, 256-character value', () => ({
      tags: { ...manyTags(48), ['k'.repeat(128)]: 'v', long: 'v'.repeat(256) },
    })],
    ['token namespace', (f) => ({ selectors: [{ namespace: param(f, 'Ns') }] })],
    ['token label key and value', (f) => ({ selectors: [{ namespace: 'a', labels: { [param(f, 'K')]: param(f, 'V') } }] })],
    ['token name', (f) => ({ fargateProfileName: param(f, 'Name') })],
    ['lazy name', () => ({ fargateProfileName: Lazy.string({ produce: () => 'eks-decided-later' }) })],
    ['token tag value', (f) => ({ tags: { owner: param(f, 'Owner') } })],
    ['token cluster name', (f) => ({ cluster: eks.Cluster.fromClusterAttributes(f.stack, 'TokenCluster', { clusterName: param(f, 'C') }) })],
  ];

  test.each(rows)('%s', (_name, props) => {
    const f = fixture();
    build(f, props);
    Template.fromStack(f.stack).resourceCountIs(FARGATE_PROFILE_RESOURCE_TYPE, 1);
  });
});
