// The cluster a profile is given, whatever object stands for it: an aws-eks or aws-eks-v2
// Cluster, FargateCluster or import, a CfnCluster, or anything else implementing IClusterRef.
//
// - Name or fail: the profile is created in the cluster its `clusterRef.clusterName` names; an
//   object without one is a synth error, never a template with `fargateprofile/undefined/*`.
// - One identity per cluster: every object standing for the same cluster gets the same `key`,
//   so that a stack's profiles of one cluster share one chain, one handler policy and one
//   default role: the L2, its CfnCluster, an import by the same token, or by the same literal
//   name as the CfnCluster's `name`.
// - The cluster of this app behind the object, when there is one: an aws-eks cluster may own the
//   aws-auth ConfigMap, and a FargateCluster has a default profile to wait for.
// - The resource of this app that creates a cluster an import names by its literal name: a profile
//   given such an import must wait for it as if it had been given the cluster itself.
import { createHash } from 'crypto';
import { CfnParameter, CfnResource, Names, Reference, Stack, Stage, Token, Tokenization } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import type { aws_eks as eksRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { CLUSTER_NAME_PATTERN } from './wire-contract';

/** A cluster defined in this app with one of the CDK's EKS L2s. */
export type InAppCluster = eks.Cluster | eksv2.Cluster;

/** What a profile needs to know about its cluster. */
export interface ProfileCluster {
  /** The name as the template carries it: a `Ref` to the cluster's resource when it is in the app. */
  readonly clusterName: string;
  /** The cluster's ARN (CreateFargateProfile acts on it). */
  readonly clusterArn: string;
  /** Equal for every object that stands for this cluster, as seen from one stack. */
  readonly key: string;
  /**
   * Equal for every object that stands for this cluster anywhere in the app (several stacks of one
   * account and region included), and readable in messages. See {@link appClusterKey}.
   */
  readonly appKey: string;
  /** A construct id derived from `key`, stable whichever object stands for the cluster. */
  readonly id: string;
  /** Names the cluster in messages and descriptions, without tokens. */
  readonly description: string;
  /** The name as written in the app: a literal name, or the literal `name` of the cluster's CfnCluster. */
  readonly literalName?: string;
  /** The aws-eks or aws-eks-v2 cluster of this app the object stands for, when it can be told. */
  readonly definedBy?: InAppCluster;
}

const FIELD = 'cluster';
const KINDS = 'an aws-eks-v2 or aws-eks Cluster or FargateCluster, an import '
  + "(Cluster.fromClusterAttributes(this, 'Cluster', { clusterName: 'my-cluster' })), or an eks.CfnCluster";

/**
 * Reads the cluster of the profile at `profile`. Throws an Error naming the profile's path, the
 * field and the rule when no name can be taken from it, when its literal name is not one EKS
 * accepts, or when it is known to live in another account or region than the profile's stack.
 */
export function profileClusterOf(profile: IConstruct, cluster: eksRefs.IClusterRef): ProfileCluster {
  const path = profile.node.path;
  const reference = clusterReferenceOf(path, cluster);
  const clusterName = reference.clusterName;
  checkEnvironment(path, profile, cluster);

  const token = Token.isUnresolved(clusterName) ? Tokenization.reverse(clusterName, { failConcat: false }) : undefined;
  const target = Reference.isReference(token) ? token : undefined;
  const literalName = Token.isUnresolved(clusterName) ? literalNameOf(target) : clusterName;
  if (literalName !== undefined && !CLUSTER_NAME_PATTERN.test(literalName)) {
    throw new Error(`${path}: ${FIELD} name "${literalName}" is not an EKS cluster name: EKS names a cluster with `
      + "1 to 100 letters, digits, '-' and '_', starting with a letter or digit");
  }
  const definedBy = target ? inAppClusterOf(target) : undefined;
  const { key, id, description } = identify(profile, clusterName, literalName, target, cluster);
  const appKey = appClusterKey(profile, literalName ?? clusterName);
  return { clusterName, clusterArn: reference.clusterArn, key, appKey, id, description, literalName, definedBy };
}

/**
 * A key for the cluster named `clusterName`, as seen from `scope`, readable in messages:
 * - a name written in the app: the name plus the stack's account and region where known
 *   (env-agnostic stacks all get the same key, so they are taken as one account and region);
 * - a reference to a construct of the app (an in-app cluster's name, a `CfnCluster`'s `Ref`,
 *   a `CfnParameter`): that construct's path, unique in the app and the same from every stack
 *   (its resolved `{ Ref }` would not be: two stacks' clusters can have the same logical id);
 * - any other token: its resolved form plus account and region.
 */
export function appClusterKey(scope: IConstruct, clusterName: string): string {
  const reference = Tokenization.reverse(clusterName, { failConcat: false }); // a name like `${token}-x` is no reference
  if (Reference.isReference(reference)) {
    // The L1 under an L2 (`Cluster/Resource/Resource/Default`): name the L2.
    return `cluster ${reference.target.node.path.replace(/(\/(Resource|Default))+$/, '')}`;
  }
  const stack = Stack.of(scope);
  const name = Token.isUnresolved(clusterName) ? JSON.stringify(stack.resolve(clusterName)) : `"${clusterName}"`;
  const where = [['account', stack.account], ['region', stack.region]]
    .map(([what, value]) => (Token.isUnresolved(value) ? `${what} of an env-agnostic stack` : `${what} ${value}`));
  return `cluster ${name} (${where.join(', ')})`;
}

/** The resource of this app that creates a cluster, and the L2 above it when there is one. */
export interface ClusterDefinition {
  /**
   * The resource whose `Ref` is the cluster's name: what a profile given the cluster itself
   * depends on (an `AWS::EKS::Cluster`, or aws-eks's `Custom::AWSCDK-EKS-Cluster`).
   */
  readonly resource: CfnResource;
  /** The aws-eks or aws-eks-v2 cluster the resource belongs to, if any. */
  readonly cluster?: InAppCluster;
}

/** The resource types whose `Ref` is a cluster's name. */
const CLUSTER_RESOURCE_TYPES = [eks.CfnCluster.CFN_RESOURCE_TYPE_NAME, 'Custom::AWSCDK-EKS-Cluster'];

/**
 * The clusters of `scope`'s Stage that create the cluster named `literalName` in the account and
 * region of `scope`'s stack (env-agnostic stacks are taken as one account and region, as in
 * {@link appClusterKey}). Clusters whose name is a token are never found: their name is unknown.
 */
export function clusterDefinitionsNamed(scope: IConstruct, literalName: string): ClusterDefinition[] {
  const stage = Stage.of(scope) ?? scope.node.root;
  const stack = Stack.of(scope);
  const definitions: ClusterDefinition[] = [];
  for (const construct of stage.node.findAll()) {
    if (!CfnResource.isCfnResource(construct) || !CLUSTER_RESOURCE_TYPES.includes(construct.cfnResourceType)) continue;
    if ((Stage.of(construct) ?? construct.node.root) !== stage || !sameEnvironment(Stack.of(construct), stack)) continue;
    const reference = Tokenization.reverse(construct.ref, { failConcat: false });
    if (!Reference.isReference(reference)) continue;
    const cluster = inAppClusterOf(reference);
    if ((literalNameOf(reference) ?? literalPhysicalNameOf(cluster)) === literalName) {
      definitions.push({ resource: construct, cluster });
    }
  }
  return definitions;
}

/** Equal accounts and regions, each either both literal and equal or both unknown (env-agnostic). */
function sameEnvironment(a: Stack, b: Stack): boolean {
  return (['account', 'region'] as const).every((what) => (Token.isUnresolved(a[what])
    ? Token.isUnresolved(b[what])
    : a[what] === b[what]));
}

/** An aws-eks Cluster keeps its literal `clusterName` as its physical name, not in a CfnCluster. */
function literalPhysicalNameOf(cluster: InAppCluster | undefined): string | undefined {
  if (!(cluster instanceof eks.Cluster)) return undefined;
  const name = (cluster as unknown as { readonly physicalName: string }).physicalName;
  return Token.isUnresolved(name) ? undefined : name;
}

/** The default profile of a FargateCluster (aws-eks or aws-eks-v2), which the profiles must wait for. */
export function defaultProfileOf(cluster: InAppCluster | undefined): IConstruct | undefined {
  if (cluster instanceof eks.FargateCluster || cluster instanceof eksv2.FargateCluster) {
    return cluster.defaultProfile;
  }
  return undefined;
}

function clusterReferenceOf(path: string, cluster: eksRefs.IClusterRef): eksRefs.ClusterReference {
  if (typeof cluster !== 'object' || cluster === null) {
    throw new Error(`${path}: ${FIELD} must be a cluster object, got ${describe(cluster)}: pass ${KINDS}`);
  }
  let reference: eksRefs.ClusterReference | undefined;
  try {
    reference = cluster.clusterRef;
  } catch (e) {
    throw new Error(`${path}: ${FIELD} ${describe(cluster)} cannot name its cluster (reading clusterRef failed: `
      + `${(e as Error).message}); pass ${KINDS}`);
  }
  const name: unknown = reference?.clusterName;
  if (typeof name !== 'string' || name === '') {
    throw new Error(`${path}: ${FIELD} ${describe(cluster)} names no cluster (its clusterRef.clusterName is `
      + `${name === '' ? 'empty' : describe(name)}); a Fargate profile is created in a named cluster: pass ${KINDS}`);
  }
  return reference!;
}

/** An import from another account or region (e.g. `CfnCluster.fromClusterArn`) is out of the handler's reach. */
function checkEnvironment(path: string, profile: IConstruct, cluster: eksRefs.IClusterRef): void {
  const stack = Stack.of(profile);
  for (const what of ['account', 'region'] as const) {
    const theirs = cluster.env?.[what];
    const ours = stack[what];
    if (typeof theirs !== 'string' || Token.isUnresolved(theirs) || Token.isUnresolved(ours) || theirs === ours) continue;
    throw new Error(`${path}: ${FIELD} ${describe(cluster)} is in ${what} ${theirs}, the profile's stack in ${what} `
      + `${ours}; the stack's handler manages Fargate profiles in its own account and region: define the profile in a `
      + 'stack of the cluster\'s account and region');
  }
}

/** `Ref` of an AWS::EKS::Cluster returns its name: a literal `name` property is that name. */
function literalNameOf(reference: Reference | undefined): string | undefined {
  const target = reference?.target;
  if (!CfnResource.isCfnResource(target) || target.cfnResourceType !== eks.CfnCluster.CFN_RESOURCE_TYPE_NAME) return undefined;
  if (reference!.displayName !== 'Ref') return undefined;
  // aws-eks's CfnCluster, or aws-eks-v2's own (a separate class in newer aws-cdk-lib releases).
  const name = (target as CfnResource & { readonly name?: unknown }).name;
  return typeof name === 'string' && !Token.isUnresolved(name) ? name : undefined;
}

/** The L2 above the referenced resource whose own name is that reference (its CfnCluster or custom resource). */
function inAppClusterOf(reference: Reference): InAppCluster | undefined {
  for (let scope = reference.target.node.scope; scope; scope = scope.node.scope) {
    if (scope instanceof eks.Cluster || scope instanceof eksv2.Cluster) {
      const own = Tokenization.reverse(scope.clusterName, { failConcat: false });
      return Reference.isReference(own) && own.target === reference.target ? scope : undefined;
    }
  }
  return undefined;
}

function identify(
  profile: IConstruct, name: string, literalName: string | undefined, reference: Reference | undefined, cluster: IConstruct,
): { key: string; id: string; description: string } {
  if (literalName !== undefined) {
    return { key: `name:${literalName}`, id: `Cluster-${literalName}`, description: `the cluster "${literalName}"` };
  }
  if (reference !== undefined) {
    const target = reference.target;
    const named = target instanceof CfnParameter ? 'the cluster named by' : 'the cluster';
    return {
      key: `ref:${target.node.path}:${reference.displayName}`,
      id: `ClusterRef-${Names.uniqueId(target)}`,
      description: `${named} ${target.node.path.replace(/(\/Resource)+$/, '')}`,
    };
  }
  // Another token (a parameter's value is a Reference; this is e.g. a name taken from an ARN):
  // its resolved form, unless it cannot be resolved here (a reference to another stack inside).
  let resolved: string;
  try {
    resolved = JSON.stringify(Stack.of(profile).resolve(name));
  } catch {
    return { key: `object:${cluster.node.path}`, id: `ClusterOf-${Names.uniqueId(cluster)}`, description: `the cluster of ${cluster.node.path}` };
  }
  const hash = createHash('sha256').update(resolved).digest('hex').slice(0, 8);
  return { key: `token:${resolved}`, id: `ClusterToken-${hash}`, description: `the cluster of ${cluster.node.path}` };
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return `the string "${value}"`;
  if (typeof value !== 'object') return `a ${typeof value}`;
  const path = (value as Partial<IConstruct>).node?.path;
  return path !== undefined ? path : `an object without clusterRef (${value.constructor?.name ?? 'Object'})`;
}
