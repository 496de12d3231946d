// The one definition of what the construct writes into the template and the
// handler reads back, and of the EKS rules both sides check. Imported by src/
// (synth) and lambda/ (deploy); not part of the public jsii API (not exported
// from index.ts), and free of Node-only APIs because jsii compiles it too.
//
// Property names mirror AWS::EKS::FargateProfile so templates read like
// CloudFormation's own resource.

/** CloudFormation resource type of every profile this library synthesizes. */
export const FARGATE_PROFILE_RESOURCE_TYPE = 'Custom::EKSFargateProfile';

/** `Fn::GetAtt` attribute that returns the profile ARN. (`Ref` returns the name.) */
export const ARN_ATTRIBUTE = 'Arn';

/** EKS: "You may specify up to five selectors in a Fargate profile." */
export const MAX_SELECTORS = 5;

/** The service principal that assumes pod execution roles: the trust the construct writes, and the handler names in its failures. */
export const FARGATE_PODS_PRINCIPAL = 'eks-fargate-pods.amazonaws.com';

/** EKS profile names: at most 100 characters. */
export const MAX_PROFILE_NAME_LENGTH = 100;

/**
 * EKS profile (and cluster) names: a letter or digit first, then letters, digits, `-` and `_`,
 * at most {@link MAX_PROFILE_NAME_LENGTH} characters.
 */
export const PROFILE_NAME_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]{0,${MAX_PROFILE_NAME_LENGTH - 1}}$`);

/** EKS cluster names (CreateCluster) follow the same rule: 1 to 100 letters, digits, `-` and `_`, a letter or digit first. */
export const CLUSTER_NAME_PATTERN = PROFILE_NAME_PATTERN;

/** EKS keeps profile names starting with `eks-` (in any case) for itself. */
export function hasReservedProfileNamePrefix(name: string): boolean {
  return name.toLowerCase().startsWith('eks-');
}

/** A `{ Key, Value }` pair, used for tags and selector labels. */
export interface WireKeyValue {
  readonly Key: string;
  readonly Value: string;
}

export interface WireSelector {
  readonly Namespace: string;
  /** Omitted when the selector has no labels. */
  readonly Labels?: WireKeyValue[];
}

/**
 * `ResourceProperties` of a `Custom::EKSFargateProfile` (besides `ServiceToken`).
 * CloudFormation delivers every scalar as a string.
 */
export interface FargateProfileResourceProperties {
  readonly ClusterName: string;
  /** Present only when the user gave a name; otherwise the handler generates one. */
  readonly FargateProfileName?: string;
  readonly PodExecutionRoleArn: string;
  readonly Selectors: WireSelector[];
  /** Omitted to let EKS use the cluster's private subnets. */
  readonly Subnets?: string[];
  /** Sorted by key. */
  readonly Tags?: WireKeyValue[];
}

/** Keys of {@link FargateProfileResourceProperties}, for code that must name them. */
export const PROPERTY = {
  clusterName: 'ClusterName',
  fargateProfileName: 'FargateProfileName',
  podExecutionRoleArn: 'PodExecutionRoleArn',
  selectors: 'Selectors',
  subnets: 'Subnets',
  tags: 'Tags',
} as const;

/**
 * The order of every sorted list in the contract (Tags and Labels by Key): code points,
 * independent of any locale, so synth and the handler agree.
 */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A selector as either side holds it: a namespace and a map of labels. */
export interface SelectorLike {
  readonly namespace: string;
  readonly labels?: { readonly [key: string]: string };
}

/**
 * Identity of a selector: its namespace and its labels, whatever their order. Selectors with
 * the same key match the same pods, so a profile holds each one once.
 */
export function selectorKey(selector: SelectorLike): string {
  return JSON.stringify([selector.namespace, sortedEntries(Object.entries(selector.labels ?? {}))]);
}

/** A map (or its entries) as the contract's `{ Key, Value }` list, sorted by key. */
export function toKeyValueList(pairs: { readonly [key: string]: string } | Array<[string, string]>): WireKeyValue[] {
  const entries = Array.isArray(pairs) ? pairs : Object.entries(pairs);
  return sortedEntries(entries).map(([Key, Value]) => ({ Key, Value }));
}

function sortedEntries(entries: Array<[string, string]>): Array<[string, string]> {
  return [...entries].sort(([a], [b]) => compareKeys(a, b));
}

/**
 * The ownership marker: a tag the handler sets on every profile it creates, whose value names the
 * owning resource (see {@link ownerTagPrefix}). The handler adopts, tags or deletes only a profile
 * that carries its own resource's marker, and the handler role's policy allows deleting and untagging
 * only profiles that carry its stack's (see src/cluster-profiles.ts). Users cannot set this key.
 */
export const OWNER_TAG_KEY = 'cdk-eks-fargate-profile:owner';

/**
 * EKS tag values: at most 256 characters, of letters, digits, spaces and `+ - = . _ : / @`
 * (AWS::EKS::FargateProfile Tag, CloudFormation template reference).
 */
export const MAX_TAG_VALUE_LENGTH = 256;

/**
 * How every marker of one stack starts: its StackId and a `/`, then the resource's logical ID (or,
 * when that would exceed {@link MAX_TAG_VALUE_LENGTH}, `sha256-` and a hash of it; see
 * lambda/naming.ts). The StackId carries a UUID, so a stack deleted and created again under the same
 * name is another owner. The handler role's IAM conditions match `<StackId>/*`.
 */
export function ownerTagPrefix(stackId: string): string {
  return `${stackId}/`;
}
