// The example app's stack: a realistic use of FargateProfile against a cluster
// this app does not own, imported with aws-eks-v2 (the CDK's recommended EKS
// module). Reused by the snapshot test.
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { FargateProfile, FargateProfileProvider } from '../../src';

/** A fixed, fake environment: synthesis never looks anything up. */
export const EXAMPLE_ENV = { account: '123456789012', region: 'us-east-1' };
export const EXAMPLE_STACK_NAME = 'FargateProfileExample';

export interface ExampleStackOptions {
  /** Extra default-named profiles on the same cluster (for resource-count checks). @default 0 */
  readonly extraProfiles?: number;
  /**
   * The regulated-account variant: an explicit provider in the VPC's private subnets, its log
   * groups encrypted with a key of the stack. @default false
   */
  readonly regulated?: boolean;
}

export function buildExampleStack(app: App, options: ExampleStackOptions = {}): Stack {
  const stack = new Stack(app, EXAMPLE_STACK_NAME, { env: EXAMPLE_ENV });

  // An existing VPC and cluster, described by literal ids.
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0a1b2c3d4e5f67890',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    publicSubnetIds: ['subnet-0pub0000000000001', 'subnet-0pub0000000000002'],
    publicSubnetRouteTableIds: ['rtb-0pub00000000000001', 'rtb-0pub00000000000001'],
    privateSubnetIds: ['subnet-0priv000000000001', 'subnet-0priv000000000002'],
    privateSubnetRouteTableIds: ['rtb-0priv0000000000001', 'rtb-0priv0000000000002'],
  });
  const cluster = eksv2.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'demo-cluster',
    vpc,
  });

  if (options.regulated) {
    const logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true, description: 'Encrypts the Fargate profile provider\'s logs' });
    // Control Tower's CT.KMS.PR.3: grants of this key only for AWS services.
    logKey.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
    new FargateProfileProvider(stack, FargateProfileProvider.ID, { vpc, logEncryptionKey: logKey });
  }

  // Default name, the stack's default role for the cluster, the cluster's own private subnets.
  new FargateProfile(stack, 'SystemProfile', {
    cluster,
    selectors: [
      { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      { namespace: 'default' },
    ],
    tags: { 'cost-center': 'platform' },
  });

  // Explicit name, one AZ's private subnet, label selectors with a wildcard.
  new FargateProfile(stack, 'BatchProfile', {
    cluster,
    fargateProfileName: 'batch-jobs',
    selectors: [
      { namespace: 'batch-*', labels: { 'app.kubernetes.io/component': 'worker', 'tier': 'spot' } },
    ],
    vpc,
    subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['us-east-1a'] },
    tags: { 'cost-center': 'analytics', 'owner': 'data-team' },
  });

  for (let i = 0; i < (options.extraProfiles ?? 0); i++) {
    new FargateProfile(stack, `ExtraProfile${i}`, { cluster, selectors: [{ namespace: `extra-${i}` }] });
  }

  // Tags from an ancestor reach every profile, sorted with the profile's own.
  Tags.of(stack).add('project', 'fargate-demo');
  return stack;
}
