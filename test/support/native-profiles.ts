// The native way to declare Fargate profiles, for the measurements that compare with it
// (measure-template, measure-synth): one CfnFargateProfile and one pod execution role per profile
// (what aws-eks-v2's FargateProfile synthesizes without a podExecutionRole), chained, since EKS
// creates one profile of a cluster at a time.
import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { FargateProfileSelector } from '../../src';

/**
 * Native profiles numbered `first` to `end - 1` on the cluster `demo`; profile i gets
 * `selectorsOf(i)` and, when given, the name `nameOf(i)`.
 */
export function nativeProfiles(stack: Stack, [first, end]: [number, number], selectorsOf: (i: number) => FargateProfileSelector[],
  nameOf?: (i: number) => string): void {
  let previous: eks.CfnFargateProfile | undefined;
  for (let i = first; i < end; i++) {
    const role = new iam.Role(stack, `Profile${i}Role`, {
      assumedBy: new iam.ServicePrincipal('eks-fargate-pods.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSFargatePodExecutionRolePolicy')],
    });
    const profile = new eks.CfnFargateProfile(stack, `Profile${i}`, {
      clusterName: 'demo',
      fargateProfileName: nameOf?.(i),
      podExecutionRoleArn: role.roleArn,
      selectors: selectorsOf(i).map((selector) => ({
        namespace: selector.namespace,
        labels: selector.labels ? Object.entries(selector.labels).map(([key, value]) => ({ key, value })) : undefined,
      })),
    });
    if (previous) profile.node.addDependency(previous);
    previous = profile;
  }
}
