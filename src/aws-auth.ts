// The aws-auth ConfigMap entry of a profile's pod execution role, by authentication mode.
//
// EKS itself lets a profile's pods in when it creates the profile: it creates an access entry of
// type FARGATE_LINUX when the mode includes the API (API, API_AND_CONFIG_MAP), and adds the role
// to aws-auth in CONFIG_MAP mode (EKS user guide, access entries; CreateAccessEntry API
// reference). The app has nothing to add, with one exception: an aws-eks Cluster defined with the
// CDK owns aws-auth as a manifest and overwrites it on its next update, dropping EKS's entry:
// Fargate pods then never schedule (aws/aws-cdk#7981). So for such a cluster in a mode that reads
// aws-auth (CONFIG_MAP, the aws-eks default, or API_AND_CONFIG_MAP) the role is mapped in the
// CDK's manifest too, whichever of the two entries EKS wrote.
//
// aws-eks-v2 has no aws-auth construct (its README: "Remove AwsAuth construct. Permissions to the
// cluster will be managed by Access Entry") and creates every cluster in API mode; a CfnCluster or
// an import has no CDK-managed aws-auth either. For those, in every mode (an escape-hatch override
// of AccessConfig.AuthenticationMode included), EKS's own entry stands and nothing is added.
import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ProfileCluster } from './cluster';

/** The aws-eks Cluster of this app behind `cluster` whose authentication mode reads the CDK-managed aws-auth. */
export function awsAuthOwner(cluster: ProfileCluster): eks.Cluster | undefined {
  const owner = cluster.definedBy;
  if (!(owner instanceof eks.Cluster)) return undefined;
  const mode = owner.authenticationMode;
  const readsConfigMap = mode === undefined
    || mode === eks.AuthenticationMode.CONFIG_MAP
    || mode === eks.AuthenticationMode.API_AND_CONFIG_MAP;
  return readsConfigMap ? owner : undefined;
}

/**
 * The aws-auth manifest lives in the cluster's stack and may only reference a role of that
 * stack (anything else is a circular dependency). Throws, before anything is created, when a
 * profile in another stack would need such a mapping for a role outside the cluster's stack.
 */
export function checkAwsAuthMappable(path: string, profile: IConstruct, cluster: ProfileCluster, role: iam.IRole | undefined): void {
  const owner = awsAuthOwner(cluster);
  if (!owner) return;
  const clusterStack = Stack.of(owner);
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

const mapped = new WeakMap<eks.Cluster, Set<string>>();

/** Maps the pod execution role the way EKS itself does for Fargate nodes, once per cluster and role. */
export function mapPodExecutionRole(cluster: eks.Cluster, role: iam.IRole): void {
  const roles = mapped.get(cluster) ?? new Set<string>();
  mapped.set(cluster, roles);
  if (roles.has(role.roleArn)) return;
  roles.add(role.roleArn);
  cluster.awsAuth.addRoleMapping(role, {
    username: 'system:node:{{SessionName}}',
    groups: ['system:bootstrappers', 'system:nodes', 'system:node-proxier'],
  });
}
