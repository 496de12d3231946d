// The public input types of FargateProfile, in a file of their own so that validation, subnets
// and the scheduling checks can read them without importing the construct.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { aws_eks as eksRefs } from 'aws-cdk-lib/interfaces';

/**
 * Which pods run on Fargate: pods in `namespace` that carry every one of `labels`.
 */
export interface FargateProfileSelector {
  /**
   * The Kubernetes namespace the selector matches. A lowercase RFC 1123 label
   * (at most 63 characters); the wildcards `*` and `?` are allowed, e.g. `prod-*`.
   */
  readonly namespace: string;

  /**
   * Kubernetes labels a pod must all carry to match (at most 5). Keys and
   * values follow Kubernetes label syntax; the wildcards `*` and `?` are allowed.
   *
   * @default - every pod in the namespace matches
   */
  readonly labels?: { [key: string]: string };
}

/**
 * Properties of a `FargateProfile`.
 */
export interface FargateProfileProps {
  /**
   * The cluster the profile belongs to, from either EKS module of aws-cdk-lib:
   * an `aws-eks-v2` or `aws-eks` `Cluster` or `FargateCluster`, an imported
   * cluster (`Cluster.fromClusterAttributes` of either module, only
   * `clusterName` is needed; `CfnCluster.fromClusterName` or
   * `CfnCluster.fromClusterArn`), or an `eks.CfnCluster`.
   *
   * The profile is created in the cluster named by its `clusterRef.clusterName`,
   * in the account and region of the profile's stack. This stack's profiles
   * of one cluster are created one at a time, whatever object stands for the
   * cluster (the L2, its `CfnCluster`, or an import by the same name), and
   * after the default profile of a `FargateCluster`.
   */
  readonly cluster: eksRefs.IClusterRef;

  /**
   * Which pods run on Fargate with this profile: 1 to 5 selectors, each
   * unique. A pod that matches any selector runs on Fargate.
   */
  readonly selectors: FargateProfileSelector[];

  /**
   * The name of the profile: 1 to 100 letters, digits, `-` and `_`, starting
   * with a letter or digit, not starting with `eks-`.
   *
   * With an explicit name, a change that needs a new profile (anything but
   * tags) fails at update time without touching anything, because the new
   * profile cannot take the old one's name: change or remove the name together
   * with such a change.
   *
   * @default - a unique name generated at deploy time (at most 100 characters,
   * never starting with `eks-`), and a new one on every replacement
   */
  readonly fargateProfileName?: string;

  /**
   * The role Fargate's kubelet uses to register pods as nodes and pull images.
   * Must trust `eks-fargate-pods.amazonaws.com`.
   *
   * EKS lets the profile's pods in itself (an access entry, or an `aws-auth`
   * entry in `CONFIG_MAP` mode). Only when the cluster is an `aws-eks`
   * `Cluster` (or `FargateCluster`) defined in this app whose authentication
   * mode uses the `aws-auth` ConfigMap (unset, `CONFIG_MAP` or
   * `API_AND_CONFIG_MAP`) is the role also mapped in the cluster's `aws-auth`
   * ConfigMap; otherwise the CDK-managed ConfigMap would overwrite the entry
   * EKS adds and pods would never be scheduled. `aws-eks-v2` clusters, a
   * `CfnCluster` and imported clusters get nothing added, in every mode.
   *
   * The `aws-auth` manifest lives in the cluster's stack, so for such a cluster
   * in another stack this role is required and must be defined in the
   * cluster's stack (otherwise the stacks would depend on each other).
   *
   * @default - one role per stack and cluster, shared by the stack's profiles
   * of that cluster that are given no role: trusted by
   * `eks-fargate-pods.amazonaws.com` for this cluster's profiles only
   * (`aws:SourceArn` condition), with the AWS managed policy
   * `AmazonEKSFargatePodExecutionRolePolicy`
   */
  readonly podExecutionRole?: iam.IRole;

  /**
   * The VPC whose subnets the pods run in. Required with `subnetSelection`.
   *
   * @default - no subnets are sent and EKS uses the cluster's private subnets
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Which of the `vpc`'s subnets the pods run in. Must select at least one
   * subnet and only private ones (EKS rejects public subnets).
   *
   * @default - the VPC's `PRIVATE_WITH_EGRESS` subnets, or its `PRIVATE_ISOLATED`
   * subnets if it has none (requires `vpc`)
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Tags of the profile. Tags added with `Tags.of(scope).add()` on any
   * ancestor are applied too, and win over these on the same key (priority
   * 100 by default against 50 for these; a `Tags.of()` tag with a priority
   * below 50 does not override). Tag changes are applied in place; they never
   * replace the profile.
   *
   * @default - no tags besides those from `Tags.of()`
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the profile when it leaves the stack or is replaced.
   *
   * `RemovalPolicy.RETAIN` leaves it in the cluster. A retained profile
   * keeps pointing at its pod execution role. When it uses
   * the stack's default role for its cluster (no `podExecutionRole` given),
   * that role is retained too (`DeletionPolicy` and `UpdateReplacePolicy`
   * `Retain`, with its managed policy, which the role itself attaches), as long
   * as a retained profile that uses it is in the app. A role you pass as
   * `podExecutionRole` is yours to retain. On an `aws-eks` cluster whose
   * `aws-auth` the CDK manages, the role's mapping leaves `aws-auth` when no
   * profile of the app uses the role any more.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}
