// Synth-time rules EKS applies to a Fargate profile's pod execution role. Each one is
// otherwise found only when CreateFargateProfile runs, or later when no pod schedules:
// - path: "The role ARN can't include a path other than `/`" (EKS getting-started guide).
//   On an aws-eks cluster a pathed ARN is also written into aws-auth, where EKS does not match it;
// - trust: the role must trust eks-fargate-pods.amazonaws.com; EKS otherwise refuses with
//   "Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com
//   Service Principal" (quoted by hashicorp/terraform-provider-aws, eks/fargate_profile.go);
// - node groups: "A Fargate profile must have a different IAM role than Amazon EC2 node groups"
//   (EKS user guide, pod execution role).
// The path is checked at construction. Trust statements and node groups may be added after the
// profile, so those two are checked at synthesis. What is still a token is skipped, and so is the
// trust of an imported role, which the app cannot read.
import { CfnResource, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { FARGATE_PODS_PRINCIPAL } from './wire-contract';

const FIELD = 'podExecutionRole';
const ADD_PRINCIPAL = `new iam.ServicePrincipal('${FARGATE_PODS_PRINCIPAL}')`;
// Stands for a token inside a partly resolved string; never part of an ARN.
const TOKEN_MARK = '\u0000';

/**
 * Construction-time rule: the role's path must be `/`. Throws an Error naming the profile's
 * path, the field, the role and the rule; returns without effect for a role that passes.
 */
export function checkPodExecutionRole(profile: IConstruct, role: iam.IRole | undefined): void {
  if (role === undefined || role === null) return;
  if (typeof role !== 'object' || typeof role.roleArn !== 'string' || typeof role.node !== 'object') {
    throw new Error(`${profile.node.path}: ${FIELD} must be an iam.IRole (e.g. new iam.Role(...) or `
      + 'iam.Role.fromRoleArn(...)), not a name or ARN string');
  }
  const path = nonRootPath(role);
  if (path === undefined) return;
  const remedy = cfnRoleOf(role)
    ? 'remove `path` from the role (or set path: \'/\')'
    : 'import a role whose ARN is arn:<partition>:iam::<account>:role/<name>';
  throw new Error(`${profile.node.path}: ${FIELD} ${describeRole(role)} has the path "${path}"; `
    + 'EKS requires a pod execution role whose ARN has the path "/" (the EKS getting-started guide: '
    + `"The role ARN can't include a path other than /"). Use a role without a path: ${remedy}`);
}

/**
 * Synthesis-time rules: the role trusts Fargate and is no node group's role in this app.
 * Messages come without the profile's path, which CDK's validation report puts in front.
 */
export function podExecutionRoleProblems(profile: IConstruct, role: iam.IRole | undefined): string[] {
  if (role === undefined || role === null) return [];
  const problems: string[] = [];
  const trust = trustProblem(role);
  if (trust) problems.push(trust);
  problems.push(...nodeRoleProblems(profile, role));
  return problems;
}

/** The role's path when it is known and not `/`, from its CfnRole or its ARN. */
function nonRootPath(role: iam.IRole): string | undefined {
  const declared = cfnRoleOf(role)?.path;
  if (typeof declared === 'string' && !Token.isUnresolved(declared) && declared !== '/') {
    return declared;
  }
  return arnPath(role.roleArn);
}

/**
 * The path in a role ARN `arn:…:role/<path/><name>` when it is not `/` and is written
 * literally; tokens elsewhere in the ARN (partition, account) do not matter.
 */
function arnPath(arn: string): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const marked = Token.isUnresolved(arn)
    ? Tokenization.reverseString(arn)
      .mapTokens({ mapToken: () => TOKEN_MARK })
      .join({ join: (left: unknown, right: unknown) => `${left}${right}` }) as string
    : arn;
  const at = marked.indexOf(':role/');
  if (at < 0) return undefined;
  const resource = marked.slice(at + ':role/'.length);
  const lastSlash = resource.lastIndexOf('/');
  if (lastSlash < 0) return undefined; // role/<name>: the path is "/"
  const path = `/${resource.slice(0, lastSlash + 1)}`;
  return path.includes(TOKEN_MARK) ? undefined : path;
}

/** The L1 role behind a role defined in this app (also behind `role.withoutPolicyUpdates()`). */
function cfnRoleOf(role: iam.IRole): iam.CfnRole | undefined {
  const child = role.node.defaultChild;
  return child instanceof iam.CfnRole ? child : undefined;
}

function describeRole(role: iam.IRole): string {
  const arn = role.roleArn;
  return typeof arn === 'string' && !Token.isUnresolved(arn) ? `${role.node.path} (${arn})` : role.node.path;
}

// ---- Trust ----------------------------------------------------------------------------

type Verdict = 'yes' | 'no' | 'unknown';

interface TrustStatement {
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Condition?: unknown;
}

function trustProblem(role: iam.IRole): string | undefined {
  const cfnRole = cfnRoleOf(role);
  if (!cfnRole) return undefined; // imported: its trust policy is not in the app
  const document = Stack.of(cfnRole).resolve(cfnRole.assumeRolePolicyDocument);
  const statements = statementsOf(document);
  if (statements === undefined) return undefined;

  let allowed = false;
  let unknown = false;
  let denied = false;
  for (const statement of statements) {
    const applies = both(principalTrustsFargate(statement), actionAllowsAssumeRole(statement));
    if (applies === 'no') continue;
    if (statement.Effect === 'Deny') {
      // Only a Deny certain to apply counts: unconditional, with a literal principal and action.
      if (applies === 'yes' && statement.Condition === undefined) denied = true;
    } else if (statement.Effect === 'Allow' && applies === 'yes') {
      allowed = true;
    } else {
      unknown = true; // a token in the Effect, Principal or Action of a statement that may allow
    }
  }

  const subject = `${FIELD} ${describeRole(role)}`;
  const consequence = 'Fargate assumes the pod execution role as that principal, and without it CreateFargateProfile '
    + 'fails with "Misconfigured PodExecutionRole Trust Policy"';
  if (denied) {
    return `${subject} denies sts:AssumeRole to ${FARGATE_PODS_PRINCIPAL} in an unconditional Deny statement of its `
      + `trust policy; ${consequence}. Remove that Deny statement from the role's trust policy`;
  }
  if (allowed || unknown) return undefined;
  return `${subject} does not trust ${FARGATE_PODS_PRINCIPAL}: no Allow statement of its trust policy gives that `
    + `service principal sts:AssumeRole; ${consequence}. Add ${ADD_PRINCIPAL} to the role's trust policy `
    + '(assumedBy, or role.assumeRolePolicy.addStatements with action sts:AssumeRole)';
}

function statementsOf(document: unknown): TrustStatement[] | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const statements = (document as { Statement?: unknown }).Statement;
  if (!Array.isArray(statements)) return undefined;
  return statements.filter((s): s is TrustStatement => typeof s === 'object' && s !== null);
}

function both(a: Verdict, b: Verdict): Verdict {
  if (a === 'no' || b === 'no') return 'no';
  return a === 'yes' && b === 'yes' ? 'yes' : 'unknown';
}

/** Whether the statement names the Fargate pods service (or any principal). */
function principalTrustsFargate(statement: TrustStatement): Verdict {
  if (statement.NotPrincipal !== undefined) return 'unknown';
  const principal = statement.Principal;
  // Our assumption: "*" and { AWS: "*" } (equivalent, per the IAM policy reference) cover
  // service principals too, so a wildcard trust is not reported here.
  if (principal === '*') return 'yes';
  if (typeof principal !== 'object' || principal === null) return 'unknown';
  let verdict: Verdict = 'no';
  for (const [kind, value] of Object.entries(principal as Record<string, unknown>)) {
    for (const name of Array.isArray(value) ? value : [value]) {
      if ((kind === 'Service' && name === FARGATE_PODS_PRINCIPAL) || (kind === 'AWS' && name === '*')) return 'yes';
      // Only a Service token may turn out to be Fargate; an AWS token (account, role ARN) is never "*".
      if (kind === 'Service' && typeof name !== 'string') verdict = 'unknown';
    }
  }
  return verdict;
}

/** Whether the statement's actions cover sts:AssumeRole (IAM wildcards, case-insensitive). */
function actionAllowsAssumeRole(statement: TrustStatement): Verdict {
  if (statement.NotAction !== undefined) return 'unknown';
  let verdict: Verdict = 'no';
  const actions = statement.Action;
  for (const action of Array.isArray(actions) ? actions : [actions]) {
    if (typeof action !== 'string') {
      verdict = 'unknown';
    } else if (wildcardMatches(action, 'sts:AssumeRole')) {
      return 'yes';
    }
  }
  return verdict;
}

function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'i').test(value);
}

// ---- Node groups ------------------------------------------------------------------------

/** Managed node groups (any L1 AWS::EKS::Nodegroup) and Auto Scaling groups whose role is this role. */
function nodeRoleProblems(profile: IConstruct, role: iam.IRole): string[] {
  const problems: string[] = [];
  const rule = 'EKS requires a Fargate profile\'s pod execution role to be different from the IAM role of EC2 nodes '
    + '(EKS user guide, pod execution role). Give the profile a role of its own, or omit podExecutionRole to get one';
  for (const construct of profile.node.root.node.findAll()) {
    if (CfnResource.isCfnResource(construct) && construct.cfnResourceType === 'AWS::EKS::Nodegroup') {
      const nodeRole = (construct as unknown as { nodeRole?: unknown }).nodeRole;
      if (sameRoleArn(role, nodeRole, construct)) {
        problems.push(`${FIELD} ${describeRole(role)} is also the node role of the managed node group `
          + `${ownerPath(construct)}; ${rule}`);
      }
    } else if (construct instanceof autoscaling.AutoScalingGroup) {
      const instanceRole = roleOfAutoScalingGroup(construct);
      if (instanceRole && (instanceRole === role || sameRoleArn(role, instanceRole.roleArn, construct))) {
        problems.push(`${FIELD} ${describeRole(role)} is also the instance role of the Auto Scaling group `
          + `${construct.node.path} (self-managed EC2 nodes); ${rule}`);
      }
    }
  }
  return problems;
}

/** The ASG's instance role; `role` throws when a launch template does not expose one. */
function roleOfAutoScalingGroup(group: autoscaling.AutoScalingGroup): iam.IRole | undefined {
  try {
    return group.role;
  } catch {
    return undefined;
  }
}

/** An L2's path when the L1 is its default child (`Stack/Cluster/Nodegroup`), else the L1's. */
function ownerPath(resource: IConstruct): string {
  const owner = resource.node.scope;
  return owner && owner.node.defaultChild === resource ? owner.node.path : resource.node.path;
}

/**
 * Whether `arn` (as seen from `arnScope`) is the role's ARN: the same string (the same
 * token, or the same literal), or the same value once resolved in one stack. Resolved
 * values of different stacks are compared only when literal, since a `Ref` or a logical
 * id means something else in another stack.
 */
function sameRoleArn(role: iam.IRole, arn: unknown, arnScope: IConstruct): boolean {
  if (typeof arn !== 'string') return false;
  if (arn === role.roleArn) return true;
  const roleStack = Stack.of(role);
  const arnStack = Stack.of(arnScope);
  const ours = roleStack.resolve(role.roleArn);
  const theirs = arnStack.resolve(arn);
  if (roleStack === arnStack) return JSON.stringify(ours) === JSON.stringify(theirs);
  return typeof ours === 'string' && ours === theirs;
}
