import { Annotations as CoreAnnotations, App, CfnParameter, CustomResource, Fn, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import { Construct } from 'constructs';
import { FargateProfile, FargateProfileSelector } from '../src';
import { appClusterKey } from '../src/cluster';
import { OVERLAP_WARNING_ID, QUOTA_WARNING_ID } from '../src/scheduling-warnings';

const ENV = { account: '123456789012', region: 'us-east-1' };

/** `env: {}` makes an env-agnostic stack. */
function newStack(app: App | Stage = new App(), id = 'Stack', env: { account?: string; region?: string } = ENV) {
  return new Stack(app, id, { env });
}

function imported(stack: Stack, clusterName = 'demo'): eks.ICluster {
  return eks.Cluster.fromClusterAttributes(stack, `Cluster-${clusterName}`, { clusterName });
}

function addProfile(stack: Stack, id: string, selectors: FargateProfileSelector[], options: { name?: string; cluster?: eks.ICluster } = {}) {
  return new FargateProfile(stack, id, {
    cluster: options.cluster ?? (stack.node.tryFindChild('Cluster-demo') as eks.ICluster | undefined) ?? imported(stack),
    selectors,
    fargateProfileName: options.name,
  });
}

/** The warning texts with the given id, across the stack, as the assertions library sees them. */
function warnings(stack: Stack, id: string): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${id}\\]`))
    .map((m) => m.entry.data as string);
}

describe('overlap warning', () => {
  test('names both profiles, a pod both take, and the winner by name order', () => {
    const stack = newStack();
    addProfile(stack, 'Web', [{ namespace: 'apps', labels: { tier: 'web' } }], { name: 'web' });
    addProfile(stack, 'All', [{ namespace: 'app*' }], { name: 'all-apps' });

    const found = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('profileOverlap'));
    expect(found).toHaveLength(1);
    expect(found[0].id).toBe('/Stack/All/Resource'); // on the resource of the profile defined later
    expect(found[0].entry.data).toBe(
      'Fargate profiles Stack/Web and Stack/All of the cluster "demo" (account 123456789012, region us-east-1) can take ' +
      'the same pods, for example a pod in namespace "apps" with the labels tier="web". EKS runs it with "all-apps" ' +
      '(Stack/All), the name that sorts first in character-code order; to choose otherwise, pin pods to a profile with ' +
      'the label eks.amazonaws.com/fargate-profile: <name>, or make the selectors disjoint. ' +
      `[ack: ${OVERLAP_WARNING_ID}]`);
  });

  test('the winner follows the names, not the order of definition', () => {
    const stack = newStack();
    addProfile(stack, 'First', [{ namespace: 'apps' }], { name: 'zeta' });
    addProfile(stack, 'Second', [{ namespace: 'apps' }], { name: 'alpha' });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([expect.stringContaining('EKS runs it with "alpha" (Stack/Second)')]);
  });

  test('a pod without required labels is described as such', () => {
    const stack = newStack();
    addProfile(stack, 'A', [{ namespace: 'prod-*' }], { name: 'a' });
    addProfile(stack, 'B', [{ namespace: '*-web' }], { name: 'b' });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([expect.stringContaining('a pod in namespace "prod-web" with any labels.')]);
  });

  test.each([
    ['the later', { a: 'named', b: undefined }, 'Stack/B'],
    ['the earlier', { a: undefined, b: 'named' }, 'Stack/A'],
    ['both', { a: undefined, b: undefined }, 'Stack/A and Stack/B'],
  ])('with %s name generated at deploy time, the winner is unknown and the advice is to name or pin', (_name, names, unnamed) => {
    const stack = newStack();
    addProfile(stack, 'A', [{ namespace: 'apps' }], { name: names.a });
    addProfile(stack, 'B', [{ namespace: 'apps' }], { name: names.b });
    const [message, ...rest] = warnings(stack, OVERLAP_WARNING_ID);
    expect(rest).toEqual([]);
    expect(message).toContain(`not known at synth time: the name of ${unnamed} is only known at deploy time`);
    expect(message).toContain('Give both profiles an explicit fargateProfileName, or pin pods to a profile with the label ' +
      'eks.amazonaws.com/fargate-profile: <name>.');
    expect(message).not.toContain('EKS runs it with');
  });

  test('a name that is a token counts as unknown', () => {
    const stack = newStack();
    addProfile(stack, 'A', [{ namespace: 'apps' }], { name: new CfnParameter(stack, 'Name').valueAsString });
    addProfile(stack, 'B', [{ namespace: 'apps' }], { name: 'b' });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([expect.stringContaining('the name of Stack/A is only known at deploy time')]);
  });

  test('the pod shown needs every label of both selectors', () => {
    const stack = newStack();
    addProfile(stack, 'A', [{ namespace: 'apps', labels: { tier: 'web-*' } }], { name: 'a' });
    addProfile(stack, 'B', [{ namespace: 'apps', labels: { tier: '*-1', team: 'x' } }], { name: 'b' });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([expect.stringContaining('with the labels tier="web-1", team="x".')]);
  });

  test('any selector pair counts: the second selector of each profile', () => {
    const stack = newStack();
    addProfile(stack, 'A', [{ namespace: 'a' }, { namespace: 'shared' }], { name: 'a' });
    addProfile(stack, 'B', [{ namespace: 'b' }, { namespace: 'shared' }], { name: 'b' });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([expect.stringContaining('namespace "shared"')]);
  });

  test.each<[string, FargateProfileSelector[], FargateProfileSelector[]]>([
    ['different namespaces', [{ namespace: 'apps' }], [{ namespace: 'batch' }]],
    ['disjoint namespace wildcards', [{ namespace: 'prod-*' }], [{ namespace: 'dev-*' }]],
    ['`?` counts differ', [{ namespace: 'app?' }], [{ namespace: 'app??' }]],
    ['contradicting label values', [{ namespace: 'apps', labels: { a: '1' } }], [{ namespace: 'apps', labels: { a: '2' } }]],
    ['disjoint label value wildcards', [{ namespace: 'apps', labels: { tier: 'web-*' } }], [{ namespace: 'apps', labels: { tier: 'api-*' } }]],
    ['every selector pair disjoint', [{ namespace: 'a' }, { namespace: 'b' }], [{ namespace: 'c' }, { namespace: 'd', labels: { x: '1' } }]],
    ['a selector that takes only pods pinned to its profile', [{ namespace: 'apps', labels: { 'eks.amazonaws.com/fargate-profile': 'a' } }],
      [{ namespace: 'apps' }]],
  ])('no warning for disjoint profiles: %s', (_name, a, b) => {
    const stack = newStack();
    addProfile(stack, 'A', a, { name: 'a' });
    addProfile(stack, 'B', b, { name: 'b' });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([]);
  });

  test('selectors holding tokens are skipped, the others still count', () => {
    const stack = newStack();
    const namespace = new CfnParameter(stack, 'Namespace').valueAsString;
    addProfile(stack, 'A', [{ namespace }, { namespace: 'batch' }], { name: 'a' });
    addProfile(stack, 'B', [{ namespace: 'apps' }], { name: 'b' });
    addProfile(stack, 'C', [{ namespace: 'batch' }], { name: 'c' });
    const found = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(OVERLAP_WARNING_ID));
    expect(found.map((m) => m.id)).toEqual(['/Stack/C/Resource']); // A-C through "batch"; A-B not guessed
  });

  test('a label value token skips its selector', () => {
    const stack = newStack();
    const value = new CfnParameter(stack, 'Tier').valueAsString;
    addProfile(stack, 'A', [{ namespace: 'apps', labels: { tier: value } }], { name: 'a' });
    addProfile(stack, 'B', [{ namespace: 'apps', labels: { tier: 'web' } }], { name: 'b' });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([]);
  });

  test('one warning per overlapping pair, exactly once, in the assertions and in the cloud assembly', () => {
    const app = new App();
    const stack = newStack(app);
    addProfile(stack, 'A', [{ namespace: 'apps' }], { name: 'a' });
    addProfile(stack, 'B', [{ namespace: 'apps' }, { namespace: 'apps', labels: { x: '1' } }], { name: 'b' });
    addProfile(stack, 'C', [{ namespace: '*' }], { name: 'c' });
    addProfile(stack, 'D', [{ namespace: 'other' }], { name: 'd' });

    const byProfile = () => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(OVERLAP_WARNING_ID))
      .map((m) => [m.id, (m.entry.data as string).match(/^Fargate profiles (\S+) and (\S+) /)!.slice(1).join(' & ')]);
    const expected = [
      ['/Stack/B/Resource', 'Stack/A & Stack/B'],
      ['/Stack/C/Resource', 'Stack/A & Stack/C'],
      ['/Stack/C/Resource', 'Stack/B & Stack/C'],
      ['/Stack/D/Resource', 'Stack/C & Stack/D'],
    ];
    expect(byProfile()).toEqual(expected);
    expect(byProfile()).toEqual(expected); // synthesizing again adds nothing

    const assemblyWarnings = app.synth().getStackArtifact(stack.artifactId).messages
      .filter((m) => m.level === 'warning' && String(m.entry.data).includes(OVERLAP_WARNING_ID));
    expect(assemblyWarnings).toHaveLength(4);
  });

  test('can be acknowledged per profile', () => {
    const stack = newStack();
    addProfile(stack, 'A', [{ namespace: 'apps' }], { name: 'a' });
    const b = addProfile(stack, 'B', [{ namespace: 'apps' }], { name: 'b' });
    const c = addProfile(stack, 'C', [{ namespace: 'apps' }], { name: 'c' });
    CoreAnnotations.of(b).acknowledgeWarning(OVERLAP_WARNING_ID, 'b is pinned by every pod that needs it');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(OVERLAP_WARNING_ID)).map((m) => m.id))
      .toEqual(['/Stack/C/Resource', '/Stack/C/Resource']);
    CoreAnnotations.of(c).acknowledgeWarning(OVERLAP_WARNING_ID, 'also fine');
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([]);
  });
});

describe('which profiles share a cluster', () => {
  test('profiles of different clusters never overlap', () => {
    const stack = newStack();
    addProfile(stack, 'A', [{ namespace: 'apps' }], { name: 'a', cluster: imported(stack, 'one') });
    addProfile(stack, 'B', [{ namespace: 'apps' }], { name: 'b', cluster: imported(stack, 'two') });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([]);
  });

  test('one cluster name in two stacks of the same account and region: one cluster, warned on the later stack', () => {
    const app = new App();
    const first = newStack(app, 'First');
    const second = newStack(app, 'Second');
    addProfile(first, 'A', [{ namespace: 'apps' }], { name: 'a' });
    addProfile(second, 'B', [{ namespace: 'apps' }], { name: 'b' });
    expect(warnings(first, OVERLAP_WARNING_ID)).toEqual([]);
    expect(warnings(second, OVERLAP_WARNING_ID)).toEqual([expect.stringContaining('Fargate profiles First/A and Second/B')]);
  });

  test.each([
    ['another account', { account: '210987654321', region: 'us-east-1' }],
    ['another region', { account: '123456789012', region: 'eu-west-1' }],
  ])('one cluster name in %s is another cluster', (_name, env) => {
    const app = new App();
    addProfile(newStack(app, 'First'), 'A', [{ namespace: 'apps' }], { name: 'a' });
    const second = newStack(app, 'Second', env);
    addProfile(second, 'B', [{ namespace: 'apps' }], { name: 'b' });
    expect(warnings(second, OVERLAP_WARNING_ID)).toEqual([]);
  });

  test('env-agnostic stacks are taken as one account and region', () => {
    const app = new App();
    addProfile(newStack(app, 'First', {}), 'A', [{ namespace: 'apps' }], { name: 'a' });
    const second = newStack(app, 'Second', {});
    addProfile(second, 'B', [{ namespace: 'apps' }], { name: 'b' });
    expect(warnings(second, OVERLAP_WARNING_ID)).toEqual([expect.stringContaining(
      'of the cluster "demo" (account of an env-agnostic stack, region of an env-agnostic stack)')]);
  });

  test('a CfnCluster is one cluster from every stack, and same-id CfnClusters of two stacks are two', () => {
    const app = new App();
    const first = newStack(app, 'First');
    const second = newStack(app, 'Second');
    const cfnCluster = (stack: Stack) => new eks.CfnCluster(stack, 'Eks', {
      roleArn: 'arn:aws:iam::123456789012:role/eks',
      resourcesVpcConfig: { subnetIds: ['subnet-1'] },
    });
    const byRef = (stack: Stack, target: eks.CfnCluster, id: string) =>
      eks.Cluster.fromClusterAttributes(stack, id, { clusterName: target.ref });
    const firstCluster = cfnCluster(first);
    const secondCluster = cfnCluster(second); // same logical id as firstCluster
    addProfile(first, 'A', [{ namespace: 'apps' }], { name: 'a', cluster: byRef(first, firstCluster, 'Imported') });
    addProfile(second, 'B', [{ namespace: 'apps' }], { name: 'b', cluster: byRef(second, secondCluster, 'Imported') });
    addProfile(second, 'C', [{ namespace: 'apps' }], { name: 'c', cluster: byRef(second, firstCluster, 'CrossStack') });

    expect(warnings(second, OVERLAP_WARNING_ID)).toEqual([
      expect.stringMatching(/^Fargate profiles First\/A and Second\/C of the cluster First\/Eks can take/),
    ]);
  });

  test.each<[string, (stack: Stack) => string, string]>([
    ['a literal name', () => 'demo', 'cluster "demo" (account 123456789012, region us-east-1)'],
    ['a CfnCluster', (stack) => new eks.CfnCluster(stack, 'Eks', {
      roleArn: 'arn:aws:iam::123456789012:role/eks', resourcesVpcConfig: { subnetIds: ['subnet-1'] },
    }).ref, 'cluster Stack/Eks'],
    ['the custom resource under an L2 (aws-eks Cluster)', (stack) =>
      new CustomResource(new Construct(stack, 'Cluster'), 'Resource', { serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f' }).ref,
    'cluster Stack/Cluster'],
    ['a token that is no reference', () => Fn.importValue('ClusterName'),
      'cluster {"Fn::ImportValue":"ClusterName"} (account 123456789012, region us-east-1)'],
  ])('the cluster key of %s, as messages show it', (_name, clusterName, expected) => {
    const stack = newStack();
    expect(appClusterKey(stack, clusterName(stack))).toBe(expected);
  });

  test('profiles in a nested Stage are checked when that Stage synthesizes', () => {
    const stage = new Stage(new App(), 'Prod');
    const stack = newStack(stage);
    addProfile(stack, 'A', [{ namespace: 'apps' }], { name: 'a' });
    addProfile(stack, 'B', [{ namespace: 'apps' }], { name: 'b' });
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([expect.stringContaining('Fargate profiles Prod/Stack/A and Prod/Stack/B')]);
  });
});

describe('profiles-per-cluster quota warning', () => {
  const addDisjoint = (stack: Stack, count: number, cluster?: eks.ICluster) => {
    for (let i = 0; i < count; i++) {
      // Names unique per cluster in the app (a repeated name is an error: profile-name-uniqueness.ts).
      addProfile(stack, `P${i}`, [{ namespace: `ns-${i}` }], { name: `${stack.node.id.toLowerCase()}-p${i}`, cluster });
    }
  };

  test('10 profiles on a cluster: no warning', () => {
    const stack = newStack();
    addDisjoint(stack, 10);
    expect(warnings(stack, QUOTA_WARNING_ID)).toEqual([]);
  });

  test('11 profiles: one warning, on the 11th, saying how to raise the quota', () => {
    const stack = newStack();
    addDisjoint(stack, 12);
    const found = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(QUOTA_WARNING_ID));
    expect(found.map((m) => m.id)).toEqual(['/Stack/P10/Resource']);
    expect(found[0].entry.data).toBe(
      'The cluster "demo" (account 123456789012, region us-east-1) gets 12 Fargate profiles in this app, more than 10, ' +
      'the default EKS quota of Fargate profiles per cluster (profiles created outside this app count too): EKS rejects ' +
      'the profiles beyond the quota. The quota is adjustable: request an increase in the Service Quotas console ' +
      '(Amazon Elastic Kubernetes Service (Amazon EKS), "Fargate profiles per cluster") or with `aws service-quotas ' +
      'request-service-quota-increase --service-code eks --quota-code L-33415657 --desired-value 12` in the cluster\'s ' +
      `account and region. [ack: ${QUOTA_WARNING_ID}]`);
    expect(warnings(stack, OVERLAP_WARNING_ID)).toEqual([]);
  });

  test('counts per cluster, across the stacks of the app', () => {
    const app = new App();
    const first = newStack(app, 'First');
    const second = newStack(app, 'Second');
    addDisjoint(first, 6);
    addDisjoint(second, 5);
    const other = imported(second, 'other');
    for (let i = 0; i < 3; i++) addProfile(second, `Other${i}`, [{ namespace: `ns-${i}` }], { name: `o${i}`, cluster: other });
    expect(Annotations.fromStack(second).findWarning('*', Match.stringLikeRegexp(QUOTA_WARNING_ID)).map((m) => m.id))
      .toEqual(['/Second/P4/Resource']);
  });

  test('can be acknowledged', () => {
    const stack = newStack();
    addDisjoint(stack, 11);
    CoreAnnotations.of(stack).acknowledgeWarning(QUOTA_WARNING_ID, 'quota raised to 20');
    expect(warnings(stack, QUOTA_WARNING_ID)).toEqual([]);
  });
});
