// The TypeScript reference: the stacks every language app (test/languages/<lang>) synthesizes, written as
// a TypeScript user writes them, against the package by name. test/languages/run.ts installs this file
// into a scratch project with the npm tarball just built and the aws-cdk-lib each language app pins,
// runs it, and hands its output directory to the language's tests:
//   <out>/<StackName>.template.json  one template per reference stack (Template.fromStack(...).toJSON())
//   <out>/expected.json              the synth-time error messages and the FargateScheduling answer
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FargateProfile, FargateScheduling } from 'cdk-eks-fargate-profile';

const ENV = { account: '123456789012', region: 'us-east-1' };

function stacks(app: App): Stack[] {
  // Imports from both EKS modules.
  const imports = new Stack(app, 'ImportedClusters', { env: ENV });
  const v2 = eksv2.Cluster.fromClusterAttributes(imports, 'V2', { clusterName: 'demo-cluster' });
  new FargateProfile(imports, 'OnV2', { cluster: v2, selectors: [{ namespace: 'default' }] });
  const v1 = eks.Cluster.fromClusterAttributes(imports, 'V1', { clusterName: 'legacy-cluster' });
  new FargateProfile(imports, 'OnV1', { cluster: v1, selectors: [{ namespace: 'legacy' }] });

  // A CfnCluster defined in the stack.
  const cfn = new Stack(app, 'CfnClusterProfile', { env: ENV });
  const cluster = new eks.CfnCluster(cfn, 'Cluster', {
    name: 'cfn-cluster',
    roleArn: 'arn:aws:iam::123456789012:role/cluster-role',
    resourcesVpcConfig: { subnetIds: ['subnet-0priv000000000001', 'subnet-0priv000000000002'] },
  });
  new FargateProfile(cfn, 'Profile', {
    cluster,
    selectors: [{ namespace: 'apps', labels: { 'app.kubernetes.io/part-of': 'shop', 'tier': 'web' } }],
  });

  // The user's own pod execution role.
  const own = new Stack(app, 'OwnPodExecutionRole', { env: ENV });
  const role = new iam.Role(own, 'PodRole', {
    assumedBy: new iam.ServicePrincipal('eks-fargate-pods.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSFargatePodExecutionRolePolicy')],
  });
  new FargateProfile(own, 'Profile', {
    cluster: eksv2.Cluster.fromClusterAttributes(own, 'Cluster', { clusterName: 'demo-cluster' }),
    selectors: [{ namespace: 'batch-*' }],
    podExecutionRole: role,
  });

  // A name and tags.
  const tagged = new Stack(app, 'TaggedProfile', { env: ENV });
  new FargateProfile(tagged, 'Profile', {
    cluster: eksv2.Cluster.fromClusterAttributes(tagged, 'Cluster', { clusterName: 'demo-cluster' }),
    fargateProfileName: 'web',
    selectors: [{ namespace: 'web' }, { namespace: 'web-canary', labels: { track: 'canary' } }],
    tags: { 'cost-center': 'platform', 'team': 'web' },
  });

  // A subnet selection on a VPC defined in the stack.
  const subnets = new Stack(app, 'SubnetSelection', { env: ENV });
  const vpc = new ec2.Vpc(subnets, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 1 });
  new FargateProfile(subnets, 'Profile', {
    cluster: eksv2.Cluster.fromClusterAttributes(subnets, 'Cluster', { clusterName: 'demo-cluster', vpc }),
    selectors: [{ namespace: 'jobs' }],
    vpc,
    subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['us-east-1a'] },
  });

  return [imports, cfn, own, tagged, subnets];
}

function errorMessage(define: (stack: Stack) => void): string {
  try {
    define(new Stack(new App(), 'Mistakes'));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a synth-time error');
}

const out = process.argv[2];
fs.mkdirSync(out, { recursive: true });
for (const stack of stacks(new App({ analyticsReporting: false }))) {
  const template = Template.fromStack(stack).toJSON();
  fs.writeFileSync(path.join(out, `${stack.stackName}.template.json`), JSON.stringify(template, undefined, 2));
}
const cluster = (stack: Stack) => eksv2.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'demo-cluster' });
const expected = {
  badNamespace: errorMessage((stack) => new FargateProfile(stack, 'BadNamespace', {
    cluster: cluster(stack),
    selectors: [{ namespace: 'Prod_Apps' }],
  })),
  sixSelectors: errorMessage((stack) => new FargateProfile(stack, 'SixSelectors', {
    cluster: cluster(stack),
    selectors: ['a', 'b', 'c', 'd', 'e', 'f'].map((namespace) => ({ namespace })),
  })),
  profileFor: FargateScheduling.profileFor(
    { namespace: 'prod-api', labels: { tier: 'web' } },
    [
      { fargateProfileName: 'web', selectors: [{ namespace: 'prod-*', labels: { tier: 'web' } }] },
      { fargateProfileName: 'all-prod', selectors: [{ namespace: 'prod-*' }] },
    ],
  ),
};
fs.writeFileSync(path.join(out, 'expected.json'), JSON.stringify(expected, undefined, 2));
