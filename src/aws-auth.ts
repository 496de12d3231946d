// The aws-auth ConfigMap entry of a profile's pod execution role.
//
// EKS adds the role to aws-auth itself when it creates a profile, but a cluster defined
// with the CDK owns that ConfigMap as a manifest and overwrites it on its next update,
// dropping the entry: Fargate pods then never schedule (aws/aws-cdk#7981). So for such a
// cluster the role is mapped in the CDK's manifest too. In API mode EKS creates an access
// entry instead, and an imported cluster's aws-auth is not this app's to manage.
import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** True for a cluster defined in this app whose authentication mode reads the aws-auth ConfigMap. */
export function usesAwsAuthConfigMap(cluster: eks.ICluster): cluster is eks.Cluster {
  if (!(cluster instanceof eks.Cluster)) return false;
  const mode = cluster.authenticationMode;
  return mode === undefined
    || mode === eks.AuthenticationMode.CONFIG_MAP
    || mode === eks.AuthenticationMode.API_AND_CONFIG_MAP;
}

/**
 * The aws-auth manifest lives in the cluster's stack and may only reference a role of that
 * stack (anything else is a circular dependency). Throws, before anything is created, when a
 * profile in another stack would need such a mapping for a role outside the cluster's stack.
 */
export function checkAwsAuthMappable(path: string, profile: IConstruct, cluster: eks.ICluster, role: iam.IRole | undefined): void {
  if (!usesAwsAuthConfigMap(cluster)) return;
  const clusterStack = Stack.of(cluster);
  if (Stack.of(profile) === clusterStack) return;
  const remedy = `the role must be mapped in the aws-auth ConfigMap of the cluster's stack "${clusterStack.node.path}": `
    + 'define the role in that stack and pass it as podExecutionRole, or define the profile in that stack';
  if (role === undefined) {
    throw new Error(`${path}: podExecutionRole is required when the cluster is an eks.Cluster of another stack that uses `
      + `the aws-auth ConfigMap; ${remedy}`);
  }
  if (Stack.of(role) !== clusterStack) {
    throw new Error(`${path}: podExecutionRole ${role.node.path} must be defined in the cluster's stack; ${remedy}`);
  }
}

/** Maps the pod execution role the way EKS itself does for Fargate nodes. */
export function mapPodExecutionRole(cluster: eks.Cluster, role: iam.IRole): void {
  cluster.awsAuth.addRoleMapping(role, {
    username: 'system:node:{{SessionName}}',
    groups: ['system:bootstrappers', 'system:nodes', 'system:node-proxier'],
  });
}
