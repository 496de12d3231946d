// What a stack's profiles of one cluster share: one ClusterProfiles per (stack, cluster), under
// the stack's provider, found by the cluster's identity (src/cluster.ts) whichever object stands
// for the cluster.
// - The handler's permissions on that cluster: one policy, ordered with the profiles.
// - The default pod execution role, created when the first profile without a role asks for it,
//   and retained as soon as one of the profiles that use it is retained: a retained profile keeps
//   pointing at its role, whose pods could never start again once the role was deleted.
// - The order of the profiles: EKS creates or deletes one profile of a cluster at a time, so
//   the profiles form a chain, whose first waits for a FargateCluster's default profile.
// - The cluster itself: a profile given the cluster (or a reference to it) depends on it through
//   its `Ref`; when the chain's first profile was given an import by a literal name, it depends on
//   the app's resource that creates the cluster of that name, found at synthesis (the cluster may
//   be defined after the profiles).
import { AspectPriority, Aspects, Aws, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { clusterDefinitionsNamed, defaultProfileOf, InAppCluster, ProfileCluster } from './cluster';
import { createDefaultPodExecutionRole, fargateProfileArnPattern } from './default-pod-execution-role';
import { OWNER_TAG_KEY, ownerTagPrefix } from './wire-contract';

/** What the handler does to the profiles of a cluster, on `fargateprofile/<cluster>/*`. */
export const PROFILE_ACTIONS = [
  'eks:DescribeFargateProfile',
  'eks:DeleteFargateProfile',
  'eks:TagResource',
  'eks:UntagResource',
];

/** Of {@link PROFILE_ACTIONS}, those allowed only on profiles that carry this stack's ownership marker. */
export const OWNED_PROFILE_ACTIONS = ['eks:DeleteFargateProfile', 'eks:TagResource', 'eks:UntagResource'];

/**
 * The conditions that scope the handler to its own stack's profiles, by the ownership marker (a tag
 * whose value starts with the stack's StackId, see the wire contract). The Service Authorization
 * Reference for Amazon EKS lists `aws:ResourceTag/${TagKey}` for the `fargateprofile` resource type
 * (DeleteFargateProfile, TagResource, UntagResource act on it), and `aws:RequestTag/${TagKey}` and
 * `aws:TagKeys` for CreateFargateProfile and TagResource (`aws:TagKeys` for UntagResource too).
 */
function ownership(): { readonly stackMarker: string; readonly resourceTag: string; readonly requestTag: string } {
  return {
    stackMarker: `${ownerTagPrefix(Aws.STACK_ID)}*`,
    resourceTag: `aws:ResourceTag/${OWNER_TAG_KEY}`,
    requestTag: `aws:RequestTag/${OWNER_TAG_KEY}`,
  };
}

/** The constructs a stack's profiles of one cluster share. */
export class ClusterProfiles extends Construct {
  /**
   * The handler's permissions on this cluster. Every profile depends on it, so CloudFormation
   * creates it before the first profile, and deletes it after the last one (cleanup phase).
   * Customer-managed, not inline (the HIPAA, NIST 800-53 and PCI DSS packs' IAMNoInlinePolicy).
   */
  public readonly permissions: iam.ManagedPolicy;

  private readonly passRole = new iam.PolicyStatement({ actions: ['iam:PassRole'] });
  private readonly passedRoles = new Set<string>();
  private defaultRole?: iam.Role;
  private firstProfile?: IConstruct;
  private lastProfile?: IConstruct;
  private defaultProfile?: IConstruct;
  /** The chain's first profile was given the cluster by a literal name, which orders nothing. */
  private firstGivenByName = false;

  constructor(scope: Construct, id: string, private readonly cluster: ProfileCluster, handlerRole: iam.IRole) {
    super(scope, id);
    const profiles = fargateProfileArnPattern(this, cluster.clusterName);
    const { stackMarker, resourceTag, requestTag } = ownership();
    this.permissions = new iam.ManagedPolicy(this, 'Permissions', {
      roles: [handlerRole],
      statements: [
        // Exactly the calls the handler makes. CreateFargateProfile acts on the cluster, and only
        // for a profile that carries this stack's marker (the handler always sets it on create).
        new iam.PolicyStatement({
          actions: ['eks:CreateFargateProfile'],
          resources: [cluster.clusterArn],
          conditions: { StringLike: { [requestTag]: stackMarker } },
        }),
        // Unconditioned: the handler must see any profile under its name, to name its owner.
        new iam.PolicyStatement({
          actions: ['eks:DescribeFargateProfile'],
          resources: [profiles],
        }),
        // Only this stack's profiles, and never their marker (no tag call may name its key).
        new iam.PolicyStatement({
          actions: OWNED_PROFILE_ACTIONS,
          resources: [profiles],
          conditions: {
            'StringLike': { [resourceTag]: stackMarker },
            'ForAllValues:StringNotEquals': { 'aws:TagKeys': [OWNER_TAG_KEY] },
          },
        }),
        // A profile with no marker may only be given this stack's: tag-on-create (EKS authorizes the
        // create's tags as eks:TagResource) and the marking of a profile created before markers existed.
        new iam.PolicyStatement({
          actions: ['eks:TagResource'],
          resources: [profiles],
          conditions: { Null: { [resourceTag]: 'true' }, StringLike: { [requestTag]: stackMarker } },
        }),
        // Filled with each profile's pod execution role as profiles are added.
        this.passRole,
      ],
    });
    if (cluster.literalName !== undefined) {
      const literalName = cluster.literalName;
      Aspects.of(this).add({
        visit: (node) => { if (node === this) this.waitForClusterNamed(literalName); },
      }, { priority: AspectPriority.MUTATING });
    }
  }

  /** The role of this stack's profiles of the cluster that are given none, created on first use. */
  public get defaultPodExecutionRole(): iam.IRole {
    this.defaultRole ??= createDefaultPodExecutionRole(this, this.cluster.clusterName, this.cluster.description);
    return this.defaultRole;
  }

  /**
   * Adds a profile's resource: it depends on the handler's permissions and on the profile added
   * before it (or, for the first, on the cluster's default profile), and the handler may pass
   * its pod execution role. `cluster` is the object this profile was given for the cluster. A
   * profile whose `removalPolicy` keeps it (anything but DESTROY) and that uses the default role
   * retains the role too (its managed policy is attached by the role itself, so it stays).
   */
  public addProfile(resource: IConstruct, podExecutionRole: iam.IRole, cluster: ProfileCluster, removalPolicy: RemovalPolicy): void {
    if (removalPolicy !== RemovalPolicy.DESTROY && this.defaultRole !== undefined && podExecutionRole === this.defaultRole) {
      this.defaultRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    this.waitForDefaultProfileOf(cluster.definedBy);
    resource.node.addDependency(this.permissions);
    if (this.lastProfile) {
      resource.node.addDependency(this.lastProfile);
    } else {
      this.firstProfile = resource;
      this.firstGivenByName = !Token.isUnresolved(cluster.clusterName);
      if (this.defaultProfile) resource.node.addDependency(this.defaultProfile);
    }
    this.lastProfile = resource;
    if (!this.passedRoles.has(podExecutionRole.roleArn)) {
      this.passedRoles.add(podExecutionRole.roleArn);
      this.passRole.addResources(podExecutionRole.roleArn);
    }
  }

  /**
   * A FargateCluster's default profile may become known only with a later profile (the first ones
   * given an import by the cluster's literal name): the chain's first profile then waits for it.
   */
  private waitForDefaultProfileOf(cluster: InAppCluster | undefined): void {
    const defaultProfile = defaultProfileOf(cluster);
    if (!defaultProfile || this.defaultProfile) return;
    this.defaultProfile = defaultProfile;
    this.firstProfile?.node.addDependency(defaultProfile);
  }

  /**
   * Runs at synthesis: when the chain's first profile was given an import by a literal name, it
   * waits for what the app defines under that name (in this stack, or in another stack of the
   * same account and region, which this stack then depends on), exactly as it would have if it
   * had been given the cluster: its resource, and a FargateCluster's default profile.
   */
  private waitForClusterNamed(literalName: string): void {
    if (!this.firstProfile || !this.firstGivenByName) return;
    for (const definition of clusterDefinitionsNamed(this, literalName)) {
      this.firstProfile.node.addDependency(definition.resource);
      this.waitForDefaultProfileOf(definition.cluster);
    }
  }
}
