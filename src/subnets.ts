// Which subnets a profile launches pods into, checked at synth time: EKS only
// accepts private subnets (Fargate pods never get a public IP), and rejects the
// whole profile at deploy time otherwise.
//
// A `Vpc.fromLookup` whose context is not recorded yet is a placeholder with subnets in dummy
// zones: the CLI performs the lookup after this synthesis and synthesizes again. Like aws-cdk-lib's
// own subnet selection, nothing taken from such a VPC is checked until the real values are there.
import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { fail } from './validation';

/**
 * The subnet ids to send, or `undefined` to send none (EKS then uses the
 * cluster's private subnets).
 *
 * - no `vpc`: `undefined` (a `subnetSelection` without `vpc` is an error).
 * - `vpc` without `subnetSelection`: the VPC's PRIVATE_WITH_EGRESS subnets, or its
 *   PRIVATE_ISOLATED subnets when it has none.
 * - otherwise the selection, which must select at least one subnet and no public one.
 *
 * Throws an Error prefixed with `path` on any violation.
 */
export function selectProfileSubnetIds(
  path: string,
  vpc: ec2.IVpc | undefined,
  selection: ec2.SubnetSelection | undefined,
): string[] | undefined {
  if (!vpc) {
    if (selection) {
      fail(path, 'subnetSelection requires vpc: give the VPC the subnets belong to, or remove subnetSelection to use the cluster\'s private subnets');
    }
    return undefined;
  }
  const effective = selection ?? (isPendingLookup(vpc) ? {} : defaultSelection(path, vpc));
  if (effective.subnetType === ec2.SubnetType.PUBLIC) {
    fail(path, 'subnetSelection selects PUBLIC subnets; Fargate profiles accept private subnets only');
  }

  if (isPendingLookup(vpc)) {
    // The placeholder's subnets, for a template the CLI throws away once the lookup is done.
    return pendingSelection(vpc, effective);
  }

  let subnets: ec2.ISubnet[];
  try {
    subnets = vpc.selectSubnets(effective).subnets;
  } catch (e) {
    return fail(path, `subnetSelection selects no subnets: ${(e as Error).message}`);
  }
  if (subnets.length === 0) {
    fail(path, 'subnetSelection selects no subnets; a Fargate profile needs at least one private subnet');
  }

  const publicIds = new Set(vpc.publicSubnets.map((s) => s.subnetId));
  const publicOnes = subnets.filter((s) => publicIds.has(s.subnetId));
  if (publicOnes.length > 0) {
    fail(path, `subnetSelection selects public subnet(s) ${publicOnes.map(describeSubnet).join(', ')}; `
      + 'Fargate profiles accept private subnets only');
  }
  return subnets.map((s) => s.subnetId);
}

/**
 * A `Vpc.fromLookup` still waiting for its context (the stack reports it missing). aws-cdk-lib
 * marks it with `incompleteSubnetDefinition`, the flag its own subnet selection reads to skip
 * its checks on the placeholder; it is protected, so it is read here by name.
 */
function isPendingLookup(vpc: ec2.IVpc): boolean {
  return (vpc as unknown as { readonly incompleteSubnetDefinition?: unknown }).incompleteSubnetDefinition === true;
}

function pendingSelection(vpc: ec2.IVpc, selection: ec2.SubnetSelection): string[] {
  try {
    return vpc.selectSubnets(selection).subnetIds;
  } catch {
    return [];
  }
}

/** Private subnets with egress first (pods usually pull images), isolated ones as the fallback. */
function defaultSelection(path: string, vpc: ec2.IVpc): ec2.SubnetSelection {
  if (vpc.privateSubnets.length > 0) {
    return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  }
  if (vpc.isolatedSubnets.length > 0) {
    return { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  }
  return fail(path, 'vpc has no private subnets (PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED); give a subnetSelection of private subnets');
}

/** The subnet id when known, else its construct path. */
export function describeSubnet(subnet: ec2.ISubnet): string {
  return Token.isUnresolved(subnet.subnetId) ? subnet.node.path : subnet.subnetId;
}
