import { App, CfnParameter, Stack, Stage } from 'aws-cdk-lib';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import type { aws_eks as eksRefs } from 'aws-cdk-lib/interfaces';
import { FargateProfile } from '../src';

const ENV = { account: '123456789012', region: 'us-east-1' };
const CLUSTER = 'cluster "demo" (account 123456789012, region us-east-1)';

function imported(stack: Stack, clusterName = 'demo'): eksRefs.IClusterRef {
  return eksv2.Cluster.fromClusterAttributes(stack, `Cluster-${clusterName}`, { clusterName });
}

function profile(stack: Stack, id: string, cluster: eksRefs.IClusterRef, fargateProfileName?: string): FargateProfile {
  return new FargateProfile(stack, id, { cluster, selectors: [{ namespace: id.toLowerCase() }], fargateProfileName });
}

/** The lines of the validation report that `synth()` throws, or [] when it synthesizes. */
function synthErrors(stage: Stage): string[] {
  try {
    stage.synth();
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
  return [];
}

const duplicate = (later: string, earlier: string, cluster = CLUSTER) =>
  `[${later}] fargateProfileName "apps" is also the name of the Fargate profile ${earlier} of the same ${cluster}; `
  + 'a profile name is unique within a cluster (EKS refuses the second one: "A Fargate Profile already exists with '
  + 'this name in this cluster."), and two resources managing one profile could delete it under each other\'s pods. '
  + `Give ${later} another fargateProfileName, or omit it to get a generated, unique name`;

describe('an explicit fargateProfileName is used once per cluster in the app', () => {
  test('twice in one stack: an error on the later profile, naming both profiles and the cluster', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const cluster = imported(stack);
    profile(stack, 'First', cluster, 'apps');
    profile(stack, 'Second', cluster, 'apps');
    expect(synthErrors(app)).toEqual([duplicate('Stack/Second', 'Stack/First')]);
  });

  test('in three stacks, through the L2, its CfnCluster and an import by the same literal name: one cluster', () => {
    const app = new App();
    const clusterStack = new Stack(app, 'ClusterStack', { env: ENV });
    const cluster = new eksv2.Cluster(clusterStack, 'Cluster', { version: eksv2.KubernetesVersion.V1_32, clusterName: 'demo' });
    profile(clusterStack, 'ByL2', cluster, 'apps');
    const second = new Stack(app, 'Second', { env: ENV });
    profile(second, 'ByCfnCluster', cluster.node.defaultChild as unknown as eksRefs.IClusterRef, 'apps');
    const third = new Stack(app, 'Third', { env: ENV });
    profile(third, 'ByName', imported(third), 'apps');

    expect(synthErrors(app)).toEqual([
      duplicate('Second/ByCfnCluster', 'ClusterStack/ByL2'),
      duplicate('Third/ByName', 'ClusterStack/ByL2'),
    ].sort());
  });

  test('in two Stages of one app, in the same account and region: the Stage synthesized with the later profile fails', () => {
    const app = new App();
    const blue = new Stage(app, 'Blue', { env: ENV });
    const green = new Stage(app, 'Green', { env: ENV });
    for (const stage of [blue, green]) {
      const stack = new Stack(stage, 'Stack');
      profile(stack, 'Apps', imported(stack), 'apps');
    }
    expect(synthErrors(blue)).toEqual([]);
    expect(synthErrors(green)).toEqual([duplicate('Green/Stack/Apps', 'Blue/Stack/Apps')]);
  });

  test('env-agnostic stacks: one account and region within a Stage, not across Stages', () => {
    const app = new App();
    const envAgnostic = 'cluster "demo" (account of an env-agnostic stack, region of an env-agnostic stack)';
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    profile(first, 'Apps', imported(first), 'apps');
    profile(second, 'Apps', imported(second), 'apps');
    const stage = new Stage(app, 'Dev');
    const inStage = new Stack(stage, 'Stack');
    profile(inStage, 'Apps', imported(inStage), 'apps');

    expect(synthErrors(stage)).toEqual([]);
    expect(synthErrors(app)).toEqual([duplicate('Second/Apps', 'First/Apps', envAgnostic)]);
  });

  test('a third profile of the name reports the first one', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const cluster = imported(stack);
    ['A', 'B', 'C'].forEach((id) => profile(stack, id, cluster, 'apps'));
    expect(synthErrors(app)).toEqual([duplicate('Stack/B', 'Stack/A'), duplicate('Stack/C', 'Stack/A')]);
  });

  test.each<[string, (app: App) => void]>([
    ['the same name on two clusters', (app) => {
      const stack = new Stack(app, 'Stack', { env: ENV });
      profile(stack, 'First', imported(stack, 'blue'), 'apps');
      profile(stack, 'Second', imported(stack, 'green'), 'apps');
    }],
    ['the same cluster name in another region', (app) => {
      const first = new Stack(app, 'First', { env: ENV });
      const second = new Stack(app, 'Second', { env: { ...ENV, region: 'eu-west-1' } });
      profile(first, 'Apps', imported(first), 'apps');
      profile(second, 'Apps', imported(second), 'apps');
    }],
    ['two generated names', (app) => {
      const stack = new Stack(app, 'Stack', { env: ENV });
      const cluster = imported(stack);
      profile(stack, 'First', cluster);
      profile(stack, 'Second', cluster);
    }],
    ['two names given as the same token (known only at deploy time)', (app) => {
      const stack = new Stack(app, 'Stack', { env: ENV });
      const cluster = imported(stack);
      const name = new CfnParameter(stack, 'Name').valueAsString;
      profile(stack, 'First', cluster, name);
      profile(stack, 'Second', cluster, name);
    }],
  ])('no error for %s', (_name, define) => {
    const app = new App();
    define(app);
    // A duplicate on another cluster, beside the profiles under test: its error is the only one.
    const control = new Stack(app, 'Control', { env: ENV });
    const cluster = imported(control, 'control');
    profile(control, 'First', cluster, 'apps');
    profile(control, 'Second', cluster, 'apps');
    expect(synthErrors(app)).toEqual([
      duplicate('Control/Second', 'Control/First', 'cluster "control" (account 123456789012, region us-east-1)'),
    ]);
  });
});
