// Synth-time warnings about how a cluster's Fargate profiles share pods: two profiles that can
// take the same pod (which one runs it is decided by name order, or by nothing known at synth),
// and more profiles per cluster than EKS's default quota.
//
// Every FargateProfile registers here from its constructor; one aspect per Stage checks all of
// the Stage's profiles together at synthesis. Per Stage, because each Stage synthesizes on its
// own and aspects do not cross Stage boundaries.
import { Annotations, AspectPriority, Aspects, IAspect, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { FargatePod } from './fargate-pod';
import type { FargateProfileSelector } from './fargate-profile-props';
import { FargateScheduling } from './fargate-scheduling';
import { commonPod } from './selector-matching';

/** Id of the warning that two profiles can take the same pod (for `Annotations.acknowledgeWarning`). */
export const OVERLAP_WARNING_ID = 'cdk-eks-fargate-profile:profileOverlap';
/** Id of the warning that a cluster gets more profiles than the default quota. */
export const QUOTA_WARNING_ID = 'cdk-eks-fargate-profile:profilesPerClusterQuota';

/** EKS quota "Fargate profiles per cluster" (L-33415657): 10 by default, adjustable. */
export const DEFAULT_PROFILES_PER_CLUSTER = 10;
const PROFILES_PER_CLUSTER_QUOTA_CODE = 'L-33415657';

/** What a profile tells the checks about itself. */
export interface SchedulingRegistration {
  /**
   * Identifies the profile's cluster; profiles with equal keys share a cluster. Also names the
   * cluster in messages. See `ProfileCluster.appKey` (cluster.ts).
   */
  readonly clusterKey: string;
  /** The name given in props; undefined when EKS's name is generated at deploy time. */
  readonly explicitName?: string;
  readonly selectors: readonly FargateProfileSelector[];
}

interface RegisteredProfile extends SchedulingRegistration {
  readonly profile: IConstruct;
}

const registries = new WeakMap<IConstruct, RegisteredProfile[]>();

/** Adds a profile to the checks of its Stage. Call once per profile, from its constructor. */
export function registerForSchedulingChecks(profile: IConstruct, registration: SchedulingRegistration): void {
  const scope = Stage.of(profile) ?? profile.node.root;
  let profiles = registries.get(scope);
  if (profiles === undefined) {
    profiles = [];
    registries.set(scope, profiles);
    Aspects.of(scope).add(new SchedulingChecks(scope, profiles), { priority: AspectPriority.READONLY });
  }
  profiles.push({ ...registration, profile });
}

/** Runs once, when synthesis visits the Stage: every profile of the Stage is known by then. */
class SchedulingChecks implements IAspect {
  constructor(private readonly scope: IConstruct, private readonly profiles: readonly RegisteredProfile[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.scope) return;
    for (const clusterProfiles of groupByCluster(this.profiles)) {
      warnAboveQuota(clusterProfiles);
      clusterProfiles.forEach((later, i) => {
        for (const earlier of clusterProfiles.slice(0, i)) warnOnOverlap(earlier, later);
      });
    }
  }
}

function groupByCluster(profiles: readonly RegisteredProfile[]): RegisteredProfile[][] {
  const groups = new Map<string, RegisteredProfile[]>();
  for (const profile of profiles) {
    groups.set(profile.clusterKey, [...(groups.get(profile.clusterKey) ?? []), profile]);
  }
  return [...groups.values()];
}

/** One warning per cluster, on the first profile beyond the quota. */
function warnAboveQuota(clusterProfiles: readonly RegisteredProfile[]): void {
  const count = clusterProfiles.length;
  if (count <= DEFAULT_PROFILES_PER_CLUSTER) return;
  Annotations.of(warningScope(clusterProfiles[DEFAULT_PROFILES_PER_CLUSTER])).addWarningV2(QUOTA_WARNING_ID,
    `The ${clusterProfiles[0].clusterKey} gets ${count} Fargate profiles in this app, more than ` +
    `${DEFAULT_PROFILES_PER_CLUSTER}, the default EKS quota of Fargate profiles per cluster (profiles created outside ` +
    'this app count too): EKS rejects the profiles beyond the quota. The quota is adjustable: request an increase ' +
    'in the Service Quotas console (Amazon Elastic Kubernetes Service (Amazon EKS), "Fargate profiles per cluster") ' +
    'or with `aws service-quotas request-service-quota-increase --service-code eks ' +
    `--quota-code ${PROFILES_PER_CLUSTER_QUOTA_CODE} --desired-value ${count}\` in the cluster's account and region.`);
}

/** One warning per overlapping pair, on the profile defined later. */
function warnOnOverlap(earlier: RegisteredProfile, later: RegisteredProfile): void {
  const pod = firstCommonPod(earlier, later);
  if (pod === undefined) return;
  Annotations.of(warningScope(later)).addWarningV2(OVERLAP_WARNING_ID,
    `Fargate profiles ${earlier.profile.node.path} and ${later.profile.node.path} of the ${later.clusterKey} can ` +
    `take the same pods, for example a pod in namespace "${pod.namespace}" ${describeLabels(pod)}. ` +
    whoRunsIt(pod, earlier, later));
}

/**
 * A pod both profiles take and neither pins, or undefined. Selectors that still hold tokens
 * are skipped: their values are only known at deploy time.
 */
function firstCommonPod(a: RegisteredProfile, b: RegisteredProfile): FargatePod | undefined {
  for (const selectorA of a.selectors.filter(isResolved)) {
    for (const selectorB of b.selectors.filter(isResolved)) {
      const pod = commonPod(selectorA, selectorB);
      // A selector that requires the pin label literally takes only pinned pods, and a pinned
      // pod runs with the profile it names: the two profiles never compete for it.
      if (pod !== undefined && pod.labels?.[FargateScheduling.PROFILE_LABEL] === undefined) return pod;
    }
  }
  return undefined;
}

function whoRunsIt(pod: FargatePod, a: RegisteredProfile, b: RegisteredProfile): string {
  const pinAdvice = `pin pods to a profile with the label ${FargateScheduling.PROFILE_LABEL}: <name>`;
  const unnamed = [a, b].filter((p) => p.explicitName === undefined || Token.isUnresolved(p.explicitName));
  if (unnamed.length > 0) {
    return `Which of them runs such a pod is not known at synth time: the name of ${unnamed.map(pathOf).join(' and ')} ` +
      'is only known at deploy time, and Fargate picks the profile whose name sorts first. Give both profiles an ' +
      `explicit fargateProfileName, or ${pinAdvice}.`;
  }
  const selections = [a, b].map((p) => ({ fargateProfileName: p.explicitName!, selectors: [...p.selectors] }));
  const winnerName = FargateScheduling.profileFor(pod, selections);
  const winner = [a, b].find((p) => p.explicitName === winnerName)!;
  return `EKS runs it with "${winnerName}" (${pathOf(winner)}), the name that sorts first in character-code order; ` +
    `to choose otherwise, ${pinAdvice}, or make the selectors disjoint.`;
}

function describeLabels(pod: FargatePod): string {
  const labels = Object.entries(pod.labels ?? {});
  if (labels.length === 0) return 'with any labels';
  return `with the labels ${labels.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ')}`;
}

function isResolved(selector: FargateProfileSelector): boolean {
  const labels = selector.labels ?? {};
  return !Token.isUnresolved(selector.namespace) && !Token.isUnresolved(labels) &&
    Object.entries(labels).every(([key, value]) => !Token.isUnresolved(key) && !Token.isUnresolved(value));
}

/**
 * Where a profile's warnings are attached: its custom resource, a child of the profile, so that
 * acknowledging the id on the profile (or any scope above it) always suppresses them. Before the
 * fix of aws/aws-cdk#38820, an acknowledgment made on the very construct a warning is later added
 * to was ignored; one made on an ancestor was not.
 */
function warningScope(registered: RegisteredProfile): IConstruct {
  return registered.profile.node.tryFindChild('Resource') ?? registered.profile;
}

function pathOf(profile: RegisteredProfile): string {
  return profile.profile.node.path;
}
