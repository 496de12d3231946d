import { CustomResource, ITaggable, Lazy, RemovalPolicy, TagManager, TagType } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { aws_eks as eksRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { awsAuthOwner, checkAwsAuthMappable, mapPodExecutionRole } from './aws-auth';
import { profileClusterOf } from './cluster';
import type { FargateProfileProps, FargateProfileSelector } from './fargate-profile-props';
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
