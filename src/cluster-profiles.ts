// What a stack's profiles of one cluster share: one ClusterProfiles per (stack, cluster), under
// the stack's provider, found by the cluster's identity (src/cluster.ts) whichever object stands
// for the cluster.
// - The handler's permissions on that cluster: one policy, ordered with the profiles.
// - The default pod execution role, created when the first profile without a role asks for it.
// - The order of the profiles: EKS creates or deletes one profile of a cluster at a time, so
//   the profiles form a chain, whose first waits for a FargateCluster's default profile.
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { defaultProfileOf, ProfileCluster } from './cluster';
import { createDefaultPodExecutionRole, fargateProfileArnPattern } from './default-pod-execution-role';

/** What the handler does to the profiles of a cluster, on `fargateprofile/<cluster>/*`. */
export const PROFILE_ACTIONS = [
  'eks:DescribeFargateProfile',
  'eks:DeleteFargateProfile',
  'eks:TagResource',
  'eks:UntagResource',
];

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

  constructor(scope: Construct, id: string, private readonly cluster: ProfileCluster, handlerRole: iam.IRole) {
    super(scope, id);
    this.permissions = new iam.ManagedPolicy(this, 'Permissions', {
      roles: [handlerRole],
      statements: [
        // Exactly the calls the handler makes. CreateFargateProfile acts on the cluster;
        // the others on its profiles (the handler reads tags from DescribeFargateProfile).
        new iam.PolicyStatement({
          actions: ['eks:CreateFargateProfile'],
          resources: [cluster.clusterArn],
        }),
        new iam.PolicyStatement({
          actions: PROFILE_ACTIONS,
          resources: [fargateProfileArnPattern(this, cluster.clusterName)],
        }),
        // Filled with each profile's pod execution role as profiles are added.
        this.passRole,
      ],
    });
  }

  /** The role of this stack's profiles of the cluster that are given none, created on first use. */
  public get defaultPodExecutionRole(): iam.IRole {
    this.defaultRole ??= createDefaultPodExecutionRole(this, this.cluster.clusterName, this.cluster.description);
    return this.defaultRole;
  }

  /**
   * Adds a profile's resource: it depends on the handler's permissions and on the profile added
   * before it (or, for the first, on the cluster's default profile), and the handler may pass
   * its pod execution role. `cluster` is the object this profile was given for the cluster.
   */
  public addProfile(resource: IConstruct, podExecutionRole: iam.IRole, cluster: ProfileCluster): void {
    this.waitForDefaultProfileOf(cluster);
    resource.node.addDependency(this.permissions);
    if (this.lastProfile) {
      resource.node.addDependency(this.lastProfile);
    } else {
      this.firstProfile = resource;
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
  private waitForDefaultProfileOf(cluster: ProfileCluster): void {
    const defaultProfile = defaultProfileOf(cluster.definedBy);
    if (!defaultProfile || this.defaultProfile) return;
    this.defaultProfile = defaultProfile;
    this.firstProfile?.node.addDependency(defaultProfile);
  }
}
