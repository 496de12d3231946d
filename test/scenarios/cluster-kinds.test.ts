// Every cluster kind, deployed locally: stacks synthesized from the real construct with an
// aws-eks-v2 or aws-eks cluster (defined in the stack or imported) or a CfnCluster, deployed,
// updated and destroyed by the lifecycle runner (CloudFormation + Provider framework semantics)
// through the BUNDLED handler against the EKS emulator. A cluster defined in the stack is
// "created" by the runner like any resource that is not ours; it is given the physical id `demo`,
// the cluster the emulator knows.
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import type { aws_eks as eksRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { FargateProfile } from '../../src';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../../src/wire-contract';
import { CfnTemplate, LifecycleRunner, OperationReport } from '../support/lifecycle-runner';
import { Scenario, useScenario } from '../support/scenario-harness';

const ENV = { account: '123456789012', region: 'us-east-1' };
const CLUSTER_ARN = `arn:aws:eks:${ENV.region}:${ENV.account}:cluster/demo`;
/** Types of the resource whose Ref is an in-stack cluster's name. */
const CLUSTER_TYPES = ['AWS::EKS::Cluster', 'Custom::AWSCDK-EKS-Cluster'];
/** Types of a FargateCluster's default profile. */
const DEFAULT_PROFILE_TYPES = ['AWS::EKS::FargateProfile', 'Custom::AWSCDK-EKS-FargateProfile'];

const v1 = (s: Stack) => ({ version: eks.KubernetesVersion.V1_32, kubectlLayer: new KubectlV32Layer(s, 'Kubectl') });
const v2 = { version: eksv2.KubernetesVersion.V1_32, clusterName: 'demo' };

/** Each kind, as a user writes it; the object returned is given to the profiles. */
const KINDS: Record<string, (stack: Stack) => eksRefs.IClusterRef> = {
  'aws-eks-v2 Cluster': (s) => new eksv2.Cluster(s, 'Cluster', v2),
  'aws-eks-v2 FargateCluster': (s) => new eksv2.FargateCluster(s, 'Cluster', {
    ...v2, kubectlProviderOptions: { kubectlLayer: new KubectlV32Layer(s, 'Kubectl') },
  }),
  'aws-eks-v2 imported': (s) => eksv2.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'demo' }),
  'aws-eks Cluster': (s) => new eks.Cluster(s, 'Cluster', { ...v1(s), clusterName: 'demo', defaultCapacity: 0 }),
  'aws-eks FargateCluster': (s) => new eks.FargateCluster(s, 'Cluster', { ...v1(s), clusterName: 'demo' }),
  'aws-eks imported': (s) => eks.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'demo' }),
  'eks.CfnCluster': (s) => new eks.CfnCluster(s, 'Cluster', {
    name: 'demo', roleArn: 'arn:aws:iam::123456789012:role/eks-cluster', resourcesVpcConfig: { subnetIds: ['subnet-0a', 'subnet-0b'] },
  }),
  'eks.CfnCluster.fromClusterArn': (s) => eks.CfnCluster.fromClusterArn(s, 'Cluster', CLUSTER_ARN),
};

interface Synthesized {
  readonly template: CfnTemplate;
  /** Logical ids of the profiles, by construct id. */
  readonly profiles: Record<string, string>;
}

/** Synthesizes `ScenarioStack` with the cluster of `kind` and one default-role profile per namespace, in order. */
function synth(kind: string, namespaces: string[], more: (stack: Stack, cluster: eksRefs.IClusterRef) => void = () => {}): Synthesized {
  const app = new App();
  const stack = new Stack(app, 'ScenarioStack', { env: ENV });
  const cluster = KINDS[kind](stack);
  const profiles: Record<string, string> = {};
  for (const namespace of namespaces) {
    const profile = new FargateProfile(stack, namespace, { cluster, selectors: [{ namespace }] });
    profiles[namespace] = logicalIdOf(profile.node.findChild('Resource'));
  }
  more(stack, cluster);
  for (const profile of stack.node.children.filter((c): c is FargateProfile => c instanceof FargateProfile)) {
    profiles[profile.node.id] ??= logicalIdOf(profile.node.findChild('Resource'));
  }
  return { template: Template.fromStack(stack).toJSON() as CfnTemplate, profiles };
}

/** Logical id of the CfnResource a construct stands for (down its default children). */
function logicalIdOf(construct: IConstruct): string {
  let resource = construct;
  while (!CfnResource.isCfnResource(resource) && resource.node.defaultChild) resource = resource.node.defaultChild;
  return Stack.of(construct).resolve((resource as CfnResource).logicalId);
}

const idsOfType = (template: CfnTemplate, types: string[]) =>
  Object.entries(template.Resources).filter(([, r]) => types.includes(r.Type)).map(([id]) => id);

/** A runner whose in-stack cluster resource (if any) is the emulator's cluster `demo`. */
function runnerFor(scenario: Scenario, template: CfnTemplate): LifecycleRunner {
  const clusters = idsOfType(template, CLUSTER_TYPES);
  expect(clusters.length).toBeLessThanOrEqual(1);
  const overrides = Object.fromEntries(clusters.map((id) => [id, { physicalId: 'demo', attributes: { Arn: CLUSTER_ARN } }]));
  return scenario.stack('ScenarioStack', { overrides });
}

const startOf = (report: OperationReport, logicalId: string, type: 'Create' | 'Delete') =>
  report.calls.find((c) => c.request.LogicalResourceId === logicalId && c.request.RequestType === type)!;
/** Position of a resource's first event with `status` in the operation's event log. */
const eventIndex = (report: OperationReport, logicalId: string, status: string) =>
  report.events.findIndex((e) => e.logicalId === logicalId && e.status === status);

const scenario = useScenario();

test.each(Object.keys(KINDS))('%s: two profiles create one after the other with one shared role, then delete before the cluster', async (kind) => {
  const { template, profiles } = synth(kind, ['apps', 'jobs']);
  const stack = runnerFor(scenario(), template);

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  const live = scenario().emulator.profiles('demo');
  expect(live.map((p) => p.fargateProfileName).sort()).toEqual([profiles.apps, profiles.jobs].map((id) => stack.physicalId(id)).sort());
  expect(live.map((p) => p.status)).toEqual(['ACTIVE', 'ACTIVE']);
  // One default role for both, the stack's role for this cluster.
  const [roleId] = idsOfType(template, ['AWS::IAM::Role']).filter((id) => /PodExecutionRole/.test(id) && id.startsWith('EksFargateProfileProvider'));
  expect(live.map((p) => p.podExecutionRoleArn)).toEqual([1, 2].map(() => `arn:aws:iam::${ENV.account}:role/${roleId}`));
  // Chained: the second create starts after the first completed, and after a FargateCluster's default profile.
  expect(startOf(created, profiles.jobs, 'Create').startMs).toBeGreaterThanOrEqual(startOf(created, profiles.apps, 'Create').endMs);
  for (const defaultProfile of idsOfType(template, DEFAULT_PROFILE_TYPES)) {
    expect(eventIndex(created, defaultProfile, 'CREATE_COMPLETE'))
      .toBeLessThan(eventIndex(created, profiles.apps, 'CREATE_IN_PROGRESS'));
  }
  expect(scenario().emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(2);

  const deleted = await stack.destroy();

  expect(deleted.failureReason).toBeUndefined();
  expect(deleted.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario().emulator.profiles('demo')).toEqual([]);
  expect(startOf(deleted, profiles.apps, 'Delete').startMs).toBeGreaterThanOrEqual(startOf(deleted, profiles.jobs, 'Delete').endMs);
  // An in-stack cluster is deleted only after its profiles.
  for (const cluster of idsOfType(template, CLUSTER_TYPES)) {
    expect(eventIndex(deleted, cluster, 'DELETE_IN_PROGRESS')).toBeGreaterThan(eventIndex(deleted, profiles.apps, 'DELETE_COMPLETE'));
  }
});

test('aws-eks-v2: a stack deploys, grows with profiles given other objects for the same cluster, replaces one, and is destroyed', async () => {
  const kind = 'aws-eks-v2 FargateCluster';
  const first = synth(kind, ['apps']);
  const stack = runnerFor(scenario(), first.template);
  expect((await stack.deploy(first.template)).stackStatus).toBe('CREATE_COMPLETE');
  const apps = stack.physicalId(first.profiles.apps);

  // The same cluster as its CfnCluster, an import by the name token and an import by the literal name.
  const grown = synth(kind, ['apps'], (s, cluster) => {
    const others: eksRefs.IClusterRef[] = [
      (cluster as eksv2.Cluster).node.defaultChild as CfnResource & eksRefs.IClusterRef,
      eksv2.Cluster.fromClusterAttributes(s, 'ByToken', { clusterName: (cluster as eksv2.Cluster).clusterName }),
      eksv2.Cluster.fromClusterAttributes(s, 'ByName', { clusterName: 'demo' }),
    ];
    others.forEach((c, i) => new FargateProfile(s, `more${i}`, { cluster: c, selectors: [{ namespace: `more-${i}` }] }));
  });
  const updated = await stack.deploy(grown.template);

  expect(updated.failureReason).toBeUndefined();
  expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
  expect(stack.physicalId(grown.profiles.apps)).toBe(apps);
  const added = ['more0', 'more1', 'more2'].map((id) => grown.profiles[id]);
  const creates = added.map((id) => startOf(updated, id, 'Create'));
  for (let k = 1; k < creates.length; k++) expect(creates[k].startMs).toBeGreaterThanOrEqual(creates[k - 1].endMs);
  // One chain, so the service's one-CREATING-at-a-time rule was never hit.
  expect(scenario().emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'ResourceInUseException' })).toBe(0);
  expect(new Set(scenario().emulator.profiles('demo').map((p) => p.podExecutionRoleArn)).size).toBe(1);

  // A selector change replaces the profile: the new one is created, then the old one deleted in cleanup.
  const replaced = synth(kind, ['apps'], (s, cluster) => {
    new FargateProfile(s, 'more0', { cluster, selectors: [{ namespace: 'more-0', labels: { tier: 'web' } }] });
  });
  const old0 = stack.physicalId(grown.profiles.more0);
  const replacement = await stack.deploy(replaced.template);

  expect(replacement.failureReason).toBeUndefined();
  expect(replacement.stackStatus).toBe('UPDATE_COMPLETE');
  const new0 = stack.physicalId(replaced.profiles.more0);
  expect(new0).not.toBe(old0);
  expect(scenario().emulator.describe('demo', new0)!.selectors).toEqual([{ namespace: 'more-0', labels: { tier: 'web' } }]);
  expect(scenario().emulator.profiles('demo').map((p) => p.fargateProfileName).sort()).toEqual([apps, new0].sort());
  const cleanup = replacement.calls.filter((c) => c.phase === 'cleanup').map((c) => c.request.PhysicalResourceId);
  expect(cleanup).toEqual(expect.arrayContaining([old0]));

  const deleted = await stack.destroy();
  expect(deleted.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario().emulator.profiles('demo')).toEqual([]);
  expect(Object.values(replaced.template.Resources).filter((r) => r.Type === FARGATE_PROFILE_RESOURCE_TYPE)).toHaveLength(2);
});

/** The Fargate profile constructs a user migrates from, on a cluster named `demo` of `stack` (with or without the old profile). */
const OLD_PROFILES: Record<string, (stack: Stack, withOld: boolean) => { cluster: eksRefs.IClusterRef; old?: IConstruct }> = {
  'eks.CfnFargateProfile': (s, withOld) => ({
    cluster: eksv2.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'demo' }),
    old: withOld ? new eks.CfnFargateProfile(s, 'Old', {
      clusterName: 'demo', podExecutionRoleArn: 'arn:aws:iam::123456789012:role/old-pods', selectors: [{ namespace: 'apps' }],
    }) : undefined,
  }),
  'aws-eks-v2 FargateProfile': (s, withOld) => {
    const cluster = new eksv2.Cluster(s, 'Cluster', v2);
    return { cluster, old: withOld ? cluster.addFargateProfile('Old', { selectors: [{ namespace: 'apps' }] }) : undefined };
  },
  'aws-eks FargateProfile': (s, withOld) => {
    const cluster = new eks.Cluster(s, 'Cluster', { ...v1(s), clusterName: 'demo', defaultCapacity: 0 });
    return { cluster, old: withOld ? cluster.addFargateProfile('Old', { selectors: [{ namespace: 'apps' }] }) : undefined };
  },
};

test.each(Object.keys(OLD_PROFILES))('migrating from %s in one update: the new profile is created, then the old one deleted in cleanup', async (from) => {
  const synthMigration = (migrated: boolean) => {
    const app = new App();
    const stack = new Stack(app, 'ScenarioStack', { env: ENV });
    const { cluster, old } = OLD_PROFILES[from](stack, !migrated);
    const profile = migrated ? new FargateProfile(stack, 'New', { cluster, selectors: [{ namespace: 'apps' }] }) : undefined;
    return {
      template: Template.fromStack(stack).toJSON() as CfnTemplate,
      oldId: old && logicalIdOf(old),
      newId: profile && logicalIdOf(profile.node.findChild('Resource')),
    };
  };
  const before = synthMigration(false);
  const after = synthMigration(true);
  const stack = runnerFor(scenario(), before.template);
  expect((await stack.deploy(before.template)).stackStatus).toBe('CREATE_COMPLETE');

  const migrated = await stack.deploy(after.template);

  expect(migrated.failureReason).toBeUndefined();
  expect(migrated.stackStatus).toBe('UPDATE_COMPLETE');
  const created = migrated.events.findIndex((e) => e.logicalId === after.newId && e.status === 'CREATE_COMPLETE');
  const deleting = migrated.events.findIndex((e) => e.logicalId === before.oldId && e.status === 'DELETE_IN_PROGRESS');
  expect(created).toBeGreaterThanOrEqual(0);
  expect(migrated.events[created].phase).toBe('forward');
  expect(migrated.events[deleting].phase).toBe('cleanup');
  expect(deleting).toBeGreaterThan(created);
  expect(scenario().emulator.profiles('demo').map((p) => p.fargateProfileName)).toEqual([stack.physicalId(after.newId!)]);
  expect((await stack.destroy()).stackStatus).toBe('DELETE_COMPLETE');
});
