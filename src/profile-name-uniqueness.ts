// Synth-time rule: an explicit fargateProfileName names one profile of its cluster in the whole
// app. EKS refuses a second profile of the same name in a cluster ("A Fargate Profile already
// exists with this name in this cluster.", quoted in eksctl-io/eksctl#2591), and two resources
// that claim one profile could take it over and delete it under each other's pods.
//
// The cluster's identity is the one the scheduling warnings use (ProfileCluster.appKey): the same
// construct, or the same name in the same account and region. The check spans the app, not one
// Stage: two Stages whose stacks name the same account, region and cluster deploy to the same
// cluster. Env-agnostic stacks are taken as one account and region only within their Stage (as
// the scheduling warnings take them); across Stages they are usually deployed to different
// accounts, so their names are not compared. Each profile checks itself during its Stage's
// validation, when every profile of the app has been constructed; the later one reports.
import { Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

interface NamedProfile {
  readonly profile: IConstruct;
  /** Equal for profiles that name the same cluster. */
  readonly clusterKey: string;
  /** Names the cluster in messages. */
  readonly clusterDescription: string;
  readonly name: string;
}

/**
 * The first profile of the app with each literal name on each cluster, by the app's root and
 * `<cluster key>\n<name>`. Profiles register in order of construction, so the first one kept is
 * the one defined first, and each later one finds it in one lookup.
 */
const firstNamed = new WeakMap<IConstruct, Map<string, NamedProfile>>();

/**
 * Adds a profile with an explicit name to the app-wide check; a name that is a token (known only at
 * deploy time) or absent (generated at deploy time) is skipped. Call once, from the constructor.
 * `clusterAppKey` is the cluster's `ProfileCluster.appKey`.
 */
export function registerProfileName(profile: IConstruct, clusterAppKey: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const root = profile.node.root;
  let first = firstNamed.get(root);
  if (first === undefined) {
    first = new Map();
    firstNamed.set(root, first);
  }
  const stack = Stack.of(profile);
  const envAgnostic = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region);
  const clusterKey = envAgnostic ? `${Stage.of(profile)?.node.path ?? ''}\n${clusterAppKey}` : clusterAppKey;
  const entry: NamedProfile = { profile, clusterKey, clusterDescription: clusterAppKey, name };
  const key = `${clusterKey}\n${name}`;
  const earlier = first.get(key);
  if (earlier === undefined) {
    first.set(key, entry);
    return;
  }
  profile.node.addValidation({ validate: () => [duplicateNameProblem(earlier, entry)] });
}

/** The problem of a profile whose name an earlier profile of the same cluster already has. */
function duplicateNameProblem(earlier: NamedProfile, entry: NamedProfile): string {
  return `fargateProfileName "${entry.name}" is also the name of the Fargate profile ${earlier.profile.node.path} `
    + `of the same ${entry.clusterDescription}; a profile name is unique within a cluster (EKS refuses the second `
    + 'one: "A Fargate Profile already exists with this name in this cluster."), and two resources managing one '
    + `profile could delete it under each other's pods. Give ${entry.profile.node.path} another fargateProfileName, `
    + 'or omit it to get a generated, unique name';
}
