// The pod execution role a profile gets when it is given none: one per (stack, cluster), shared by
// that stack's default-role profiles of the cluster (eksctl shares one role per cluster too). Fargate
// may assume it only for the profiles of that cluster (aws:SourceArn, a confused-deputy guard).
import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledgePodExecutionRoleFindings, POD_EXECUTION_ROLE_POLICY } from './nag-acknowledgments';
import { FARGATE_PODS_PRINCIPAL } from './wire-contract';

/** Construct id of the default role, under the cluster's shared constructs. */
export const DEFAULT_POD_EXECUTION_ROLE_ID = 'PodExecutionRole';

/** `arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/*`: every profile of one cluster. */
export function fargateProfileArnPattern(scope: IConstruct, clusterName: string): string {
  return Stack.of(scope).formatArn({
    partition: Aws.PARTITION,
    service: 'eks',
    resource: 'fargateprofile',
    resourceName: `${clusterName}/*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/**
 * Creates the default role of the profiles of `clusterName` under `scope`: trusted by Fargate for
 * that cluster's profiles only, with the AWS managed policy EKS prescribes.
 */
export function createDefaultPodExecutionRole(scope: Construct, clusterName: string, clusterDescription: string): iam.Role {
  const principal = new iam.ServicePrincipal(FARGATE_PODS_PRINCIPAL).withConditions({
    ArnLike: { 'aws:SourceArn': fargateProfileArnPattern(scope, clusterName) },
  });
  const role = new iam.Role(scope, DEFAULT_POD_EXECUTION_ROLE_ID, {
    assumedBy: principal,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(POD_EXECUTION_ROLE_POLICY)],
    description: `Pod execution role of this stack's Fargate profiles of ${clusterDescription} that have no role of their own`,
  });
  acknowledgePodExecutionRoleFindings(role); // cdk-nag: the AWS managed policy EKS prescribes
  return role;
}
