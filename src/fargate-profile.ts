import { CustomResource, ITaggable, Lazy, RemovalPolicy, TagManager, TagType } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { aws_eks as eksRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { awsAuthOwner, checkAwsAuthMappable, mapPodExecutionRole } from './aws-auth';
import { profileClusterOf } from './cluster';
import { FargateProfileProvider } from './fargate-profile-provider';
import { checkPodExecutionRole, podExecutionRoleProblems } from './pod-execution-role-rules';
import { registerForSchedulingChecks } from './scheduling-warnings';
import { selectProfileSubnetIds } from './subnets';
import { tagProblems, validateFargateProfileProps } from './validation';
import {
  ARN_ATTRIBUTE,
  FARGATE_PROFILE_RESOURCE_TYPE,
  FargateProfileResourceProperties,
  toKeyValueList,
  WireKeyValue,
  WireSelector,
} from './wire-contract';

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
 * Properties of a {@link FargateProfile}.
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
   * ancestor are applied too. Tag changes are applied in place; they never
   * replace the profile.
   *
   * @default - no tags besides those from `Tags.of()`
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the profile when it leaves the stack or is replaced.
   * `RemovalPolicy.RETAIN` leaves it in the cluster.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An Amazon EKS Fargate profile: which pods of a cluster run on AWS Fargate.
 *
 * Works with every cluster the CDK can express: `aws-eks-v2` and `aws-eks`
 * clusters defined in the app or imported, and a `CfnCluster`. Backed by a
 * custom resource (`Custom::EKSFargateProfile`) whose provider is shared by
 * every profile of the stack; profiles of the same cluster are created and
 * deleted one at a time, as EKS requires.
 *
 * @resource Custom::EKSFargateProfile
 * @example
 * import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
 * import { FargateProfile } from 'cdk-eks-fargate-profile';
 *
 * const cluster = eksv2.Cluster.fromClusterAttributes(this, 'Cluster', { clusterName: 'demo-cluster' });
 * new FargateProfile(this, 'Apps', {
 *   cluster,
 *   selectors: [{ namespace: 'apps', labels: { tier: 'web' } }],
 *   tags: { team: 'platform' },
 * });
 */
export class FargateProfile extends Construct implements ITaggable {
  /**
   * The name of the profile (the custom resource's `Ref`).
   * @attribute
   */
  public readonly fargateProfileName: string;

  /**
   * The ARN of the profile.
   * @attribute
   */
  public readonly fargateProfileArn: string;

  /** The pod execution role of the profile: the one given, or the stack's default role for the cluster. */
  public readonly podExecutionRole: iam.IRole;

  /** The cluster the profile belongs to, as given. */
  public readonly cluster: eksRefs.IClusterRef;

  /** Tags of the profile, from `tags` and from `Tags.of()`. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: FargateProfileProps) {
    super(scope, id);
    // Everything is checked before any child construct exists, so a bad
    // profile leaves nothing behind in the tree.
    validateFargateProfileProps(this.node.path, props);
    checkPodExecutionRole(this, props.podExecutionRole);
    const cluster = profileClusterOf(this, props.cluster);
    const subnetIds = selectProfileSubnetIds(this.node.path, props.vpc, props.subnetSelection);
    checkAwsAuthMappable(this.node.path, this, cluster, props.podExecutionRole);

    this.cluster = props.cluster;
    this.tags = new TagManager(TagType.KEY_VALUE, FARGATE_PROFILE_RESOURCE_TYPE, props.tags);
    const provider = FargateProfileProvider.getOrCreate(this);
    const clusterProfiles = provider.clusterProfiles(cluster);
    this.podExecutionRole = props.podExecutionRole ?? clusterProfiles.defaultPodExecutionRole;

    const properties: FargateProfileResourceProperties = {
      ClusterName: cluster.clusterName,
      FargateProfileName: props.fargateProfileName,
      PodExecutionRoleArn: this.podExecutionRole.roleArn,
      Selectors: props.selectors.map(renderSelector),
      Subnets: subnetIds,
      Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as WireKeyValue[],
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: FARGATE_PROFILE_RESOURCE_TYPE,
      properties: properties as unknown as { [key: string]: unknown },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });

    // After the handler's permissions on the cluster, and after the stack's previous profile of
    // the cluster (or its default profile): EKS creates or deletes one profile at a time.
    clusterProfiles.addProfile(resource, this.podExecutionRole, cluster);

    this.fargateProfileName = resource.ref;
    this.fargateProfileArn = resource.getAttString(ARN_ATTRIBUTE);

    const awsAuth = awsAuthOwner(cluster);
    if (awsAuth) mapPodExecutionRole(awsAuth, this.podExecutionRole);

    // Tags.of() tags arrive through aspects, after the constructor: check the rendered set.
    this.node.addValidation({ validate: () => tagProblems(this.tagEntries()) });
    // Trust statements and node groups may be added after the profile: check the role at synthesis.
    this.node.addValidation({ validate: () => podExecutionRoleProblems(this, this.podExecutionRole) });
    registerForSchedulingChecks(this, {
      clusterKey: cluster.appKey,
      explicitName: props.fargateProfileName,
      selectors: props.selectors,
    });
  }

  private tagEntries(): Array<[string, string]> {
    const rendered = (this.tags.renderTags() ?? []) as WireKeyValue[];
    return rendered.map((tag) => [tag.Key, tag.Value]);
  }

  private renderTags(): WireKeyValue[] | undefined {
    const tags = toKeyValueList(this.tagEntries());
    return tags.length > 0 ? tags : undefined;
  }
}

function renderSelector(selector: FargateProfileSelector): WireSelector {
  // Sorted, so reordering labels in code never changes the template.
  const labels = toKeyValueList(selector.labels ?? {});
  return {
    Namespace: selector.namespace,
    Labels: labels.length > 0 ? labels : undefined,
  };
}
