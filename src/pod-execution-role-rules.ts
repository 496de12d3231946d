// Synth-time rules EKS applies to a Fargate profile's pod execution role. Each one is
// otherwise found only when CreateFargateProfile runs, or later when no pod schedules:
// - path: "The role ARN can't include a path other than `/`" (EKS getting-started guide).
//   On an aws-eks cluster a pathed ARN is also written into aws-auth, where EKS does not match it;
// - trust: the role must trust eks-fargate-pods.amazonaws.com; EKS otherwise refuses with
//   "Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com
//   Service Principal" (quoted by hashicorp/terraform-provider-aws, eks/fargate_profile.go);
// - source ARN: Fargate assumes the role for a profile with that profile's ARN as aws:SourceArn;
//   the trust policy may limit it with `arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/*`
//   (EKS user guide, pod execution role), and a condition naming another cluster, region or
//   account lets no pod of this profile start;
// - node groups: "A Fargate profile must have a different IAM role than Amazon EC2 node groups"
//   (EKS user guide, pod execution role);
// - image pull (a warning): Fargate pulls the pods' images as the role, which needs the AWS managed
//   policy AmazonEKSFargatePodExecutionRolePolicy or the same ECR actions (images from public
//   registries need none, hence not an error).
// The path is checked at construction. Trust statements, policies and node groups may be added
// after the profile, so the others are checked at synthesis. What is still a token is skipped,
// and so are the trust and policies of an imported role, which the app cannot read.
import { Annotations, CfnResource, IAspect, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { flattenCfnReference, POD_EXECUTION_ROLE_POLICY } from './nag-acknowledgments';
import { oncePerValidationPass } from './validation-pass';
import { FARGATE_PODS_PRINCIPAL } from './wire-contract';

/** Id of the warning that a pod execution role grants no ECR image pull (for `Annotations.acknowledgeWarning`). */
export const ECR_PULL_WARNING_ID = 'cdk-eks-fargate-profile:podExecutionRoleEcrPull';

/** The cluster whose profiles the role is for, as far as it is known at synthesis. */
export interface PodExecutionRoleCluster {
  /** The cluster's name when written in the app (`ProfileCluster.literalName`). */
  readonly literalName?: string;
}

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
 * Synthesis-time rules: the role trusts Fargate for the profiles of `cluster` and is no node
 * group's role in this app. Messages come without the profile's path, which CDK's validation
 * report puts in front.
 */
export function podExecutionRoleProblems(profile: IConstruct, role: iam.IRole | undefined, cluster: PodExecutionRoleCluster = {}): string[] {
  if (role === undefined || role === null) return [];
  const problems: string[] = [];
  const trust = trustProblem(role, profileArnsOf(profile, cluster));
  if (trust) problems.push(trust);
  // The node-group scan reads the whole app: once per role and validation pass, not per profile.
  problems.push(...oncePerValidationPass(profile, role, () => nodeRoleProblems(profile, role)));
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

/** A policy statement (of the trust policy, or of a permissions policy) as resolved. */
interface StatementJson {
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Condition?: unknown;
}

function trustProblem(role: iam.IRole, profileArns: ProfileArns | undefined): string | undefined {
  const cfnRole = cfnRoleOf(role);
  if (!cfnRole) return undefined; // imported: its trust policy is not in the app
  const document = Stack.of(cfnRole).resolve(cfnRole.assumeRolePolicyDocument);
  const statements = statementsOf(document);
  if (statements === undefined) return undefined;

  let allowed = false;
  let unknown = false;
  let denied = false;
  let otherProfiles: string | undefined; // the first condition that lets only other profiles in
  for (const statement of statements) {
    const applies = both(principalTrustsFargate(statement), actionAllowsAssumeRole(statement));
    if (applies === 'no') continue;
    if (statement.Effect === 'Deny') {
      // Only a Deny certain to apply counts: unconditional, with a literal principal and action.
      if (applies === 'yes' && statement.Condition === undefined) denied = true;
    } else if (statement.Effect === 'Allow' && applies === 'yes') {
      const conflict = profileArns && sourceArnConflict(statement, profileArns);
      if (conflict === undefined) allowed = true;
      else otherProfiles ??= conflict;
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
  if (otherProfiles !== undefined && profileArns !== undefined) {
    const cluster = `the cluster "${profileArns.clusterName}"`
      + (profileArns.account && profileArns.region ? ` (account ${profileArns.account}, region ${profileArns.region})` : '');
    return `${subject} trusts ${FARGATE_PODS_PRINCIPAL} only under the condition ${otherProfiles}, which no Fargate `
      + `profile of ${cluster} matches: Fargate assumes the role for a profile with that profile's ARN as `
      + 'aws:SourceArn, so the pods of this profile would never start. The condition must match '
      + 'arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/* (EKS user guide, pod execution role): use '
      + `arn:<partition>:eks:${profileArns.region ?? '<region>'}:${profileArns.account ?? '<account>'}:fargateprofile/`
      + `${profileArns.clusterName}/*, or give this profile a role of its own`;
  }
  return `${subject} does not trust ${FARGATE_PODS_PRINCIPAL}: no Allow statement of its trust policy gives that `
    + `service principal sts:AssumeRole; ${consequence}. Add ${ADD_PRINCIPAL} to the role's trust policy `
    + '(assumedBy, or role.assumeRolePolicy.addStatements with action sts:AssumeRole)';
}

// ---- Source ARN ------------------------------------------------------------------------

/** What the profile ARNs of the profile's cluster are known to contain at synthesis. */
interface ProfileArns {
  readonly clusterName: string;
  readonly region?: string;
  readonly account?: string;
}

/** Undefined when the cluster's name is not written in the app: no condition can be judged then. */
function profileArnsOf(profile: IConstruct, cluster: PodExecutionRoleCluster): ProfileArns | undefined {
  const clusterName = cluster.literalName;
  if (clusterName === undefined || Token.isUnresolved(clusterName)) return undefined;
  const stack = Stack.of(profile); // a profile's cluster is in its stack's account and region (cluster.ts)
  const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  return { clusterName, region: known(stack.region), account: known(stack.account) };
}

/**
 * How the operators that can name the profiles compare aws:SourceArn (aws:SourceAccount and other
 * keys do not matter here). IAM's condition operators reference: ArnEquals and ArnLike match "each
 * of the six colon-delimited components of the ARN" separately, with the wildcards `*` and `?`;
 * StringLike matches the whole string with them. StringEquals is taken as StringLike: that only
 * ever finds fewer conflicts. The `IfExists` forms behave the same, since Fargate sets the key.
 */
const SOURCE_ARN_OPERATORS: Record<string, 'components' | 'string'> = {
  ArnLike: 'components',
  ArnEquals: 'components',
  StringLike: 'string',
  StringEquals: 'string',
  ArnLikeIfExists: 'components',
  ArnEqualsIfExists: 'components',
  StringLikeIfExists: 'string',
  StringEqualsIfExists: 'string',
};

/**
 * The first aws:SourceArn condition of the statement that no profile ARN of the cluster can
 * satisfy, described (`ArnLike aws:SourceArn "arn:…"`); undefined when each may. Conditions
 * whose values are all tokens are skipped; a token inside a value matches anything.
 */
function sourceArnConflict(statement: StatementJson, profiles: ProfileArns): string | undefined {
  const condition = statement.Condition;
  if (typeof condition !== 'object' || condition === null) return undefined;
  for (const [operator, entries] of Object.entries(condition as Record<string, unknown>)) {
    const mode = SOURCE_ARN_OPERATORS[operator];
    if (mode === undefined || typeof entries !== 'object' || entries === null) continue;
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
      if (key.toLowerCase() !== 'aws:sourcearn') continue; // condition keys are case-insensitive
      const patterns = (Array.isArray(value) ? value : [value]).map(literalPattern);
      if (patterns.some((p) => p === undefined)) continue;
      if (patterns.some((p) => mayMatchProfileArn(mode, p!.pattern, profiles))) continue;
      const shown = patterns.map((p) => JSON.stringify(p!.shown));
      return `${operator} aws:SourceArn ${shown.length === 1 ? shown[0] : `[${shown.join(', ')}]`}`;
    }
  }
  return undefined;
}

/**
 * A resolved policy value as a wildcard pattern, each token in it replaced by `*`, and as shown in
 * messages (tokens as `<AWS::Partition>`, the way cdk-nag names them); undefined for a value without any literal part (`{ Ref }`, a list token, ...).
 */
function literalPattern(value: unknown): { pattern: string; shown: string } | undefined {
  if (typeof value === 'string') return { pattern: value, shown: value };
  // A token in the app becomes an Fn::Join of literal parts and references once resolved.
  const join = (value as { 'Fn::Join'?: unknown } | null)?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) return undefined;
  const parts: unknown[] = join[1];
  if (!parts.some((part) => typeof part === 'string' && part !== '')) return undefined;
  return {
    pattern: parts.map((part) => (typeof part === 'string' ? part : '*')).join(''),
    shown: flattenCfnReference(value),
  };
}

/**
 * Whether some ARN `arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/<name>/<id>`
 * of the cluster's profiles can match `pattern`. Compared without case, so that a doubt about
 * case never becomes an error. An ARN pattern that does not have six components is not judged.
 */
function mayMatchProfileArn(mode: 'components' | 'string', pattern: string, profiles: ProfileArns): boolean {
  const expected: ArnPart[][] = [
    literal('arn'), [SEGMENT], literal('eks'),
    profiles.region !== undefined ? literal(profiles.region) : [SEGMENT],
    profiles.account !== undefined ? literal(profiles.account) : [SEGMENT],
    [...literal(`fargateprofile/${profiles.clusterName}/`), SEGMENT], // <name>/<id>
  ];
  const value = pattern.toLowerCase();
  if (mode === 'string') return globMeetsArn([...value], expected.flatMap((part, i) => (i === 0 ? part : [...literal(':'), ...part])));
  const components = value.split(':');
  if (components.length < 6) return true;
  const resource = components.slice(5).join(':');
  return [...components.slice(0, 5), resource].every((component, i) => globMeetsArn([...component], expected[i]));
}

/** A character of an ARN's literal part, or SEGMENT: a free part of a component (any run of characters but `:`). */
type ArnPart = string | typeof SEGMENT;
const SEGMENT = Symbol('segment');

function literal(text: string): ArnPart[] {
  return [...text.toLowerCase()];
}

/**
 * Whether an IAM wildcard pattern (`*` any run of characters, `:` included; `?` any one) and an
 * ARN shape have a string in common: a search over pairs of positions, memoized.
 */
function globMeetsArn(glob: readonly string[], arn: readonly ArnPart[]): boolean {
  const memo = new Map<number, boolean>();
  const meets = (i: number, j: number): boolean => {
    const key = i * (arn.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false); // no cycles: every step advances i or j
    let result: boolean;
    if (i === glob.length && j === arn.length) {
      result = true;
    } else if (glob[i] === '*') {
      // The `*` ends here, or it takes what the ARN's next part spells (a SEGMENT it can take whole).
      result = meets(i + 1, j) || (j < arn.length && meets(i, j + 1));
    } else if (arn[j] === SEGMENT) {
      result = meets(i, j + 1) || (i < glob.length && glob[i] !== ':' && meets(i + 1, j));
    } else {
      result = i < glob.length && j < arn.length && (glob[i] === '?' || glob[i] === arn[j]) && meets(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return meets(0, 0);
}

function statementsOf(document: unknown): StatementJson[] | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const statements = (document as { Statement?: unknown }).Statement;
  if (!Array.isArray(statements)) return undefined;
  return statements.filter((s): s is StatementJson => typeof s === 'object' && s !== null);
}

function both(a: Verdict, b: Verdict): Verdict {
  if (a === 'no' || b === 'no') return 'no';
  return a === 'yes' && b === 'yes' ? 'yes' : 'unknown';
}

/** Whether the statement names the Fargate pods service (or any principal). */
function principalTrustsFargate(statement: StatementJson): Verdict {
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
function actionAllowsAssumeRole(statement: StatementJson): Verdict {
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

// ---- Image pull ------------------------------------------------------------------------

/**
 * What Fargate needs to pull images from private ECR repositories: the actions of the AWS managed
 * policy AmazonEKSFargatePodExecutionRolePolicy (AWS Managed Policy Reference, version v1: Allow
 * these four on Resource "*").
 */
const ECR_PULL_ACTIONS = [
  'ecr:GetAuthorizationToken',
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
];

/** `arn:<partition>:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy`, the partition possibly a token (`*`). */
const FARGATE_POD_POLICY_ARN = new RegExp(`^arn:[^:]*:iam::aws:policy/${POD_EXECUTION_ROLE_POLICY}$`);

/**
 * An aspect that warns, on `warningScope`, when the profile's role is defined in the app and grants
 * no ECR image pull. It runs when synthesis visits `profile`, once every policy has been attached.
 */
export function ecrPullCheck(profile: IConstruct, role: iam.IRole, warningScope: IConstruct): IAspect {
  return {
    visit(node: IConstruct): void {
      if (node !== profile) return;
      const missing = missingEcrPullActions(role);
      if (missing === undefined || missing.length === 0) return;
      Annotations.of(warningScope).addWarningV2(ECR_PULL_WARNING_ID,
        `${FIELD} ${describeRole(role)} has neither the AWS managed policy ${POD_EXECUTION_ROLE_POLICY} nor a grant `
        + `of the ECR actions it holds (${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not allowed by any `
        + 'policy of the role): Fargate pulls the pods\' images as the pod execution role, so images from private '
        + 'Amazon ECR repositories would not pull. Add iam.ManagedPolicy.fromAwsManagedPolicyName'
        + `('${POD_EXECUTION_ROLE_POLICY}') to the role, or grant those actions (e.g. repository.grantPull(role)); `
        + 'acknowledge this warning if the pods only use images from other registries.');
    },
  };
}

/**
 * The ECR pull actions that no policy of the role allows, or undefined when that cannot be told:
 * an imported role, a managed policy the app cannot read, a token where an action should be.
 * Resources and conditions are not judged: a grant on some repositories counts.
 */
function missingEcrPullActions(role: iam.IRole): string[] | undefined {
  const cfnRole = cfnRoleOf(role);
  if (!cfnRole) return undefined;
  let statements: StatementJson[] | undefined;
  try {
    statements = statementsOfRole(cfnRole);
  } catch {
    return undefined; // e.g. a reference to another stack, which resolves only once the app is prepared
  }
  if (statements === undefined) return undefined;
  const missing: string[] = [];
  for (const action of ECR_PULL_ACTIONS) {
    const verdicts = statements.filter((s) => s.Effect === 'Allow').map((s) => statementAllows(s, action));
    if (verdicts.includes('yes')) continue;
    if (verdicts.includes('unknown')) return undefined;
    missing.push(action);
  }
  return missing;
}

/**
 * Every statement of the role's policies: inline (`Policies`), `AWS::IAM::Policy` and
 * `AWS::IAM::ManagedPolicy` resources of its stack attached to it, and managed policies by ARN.
 * Undefined when the role carries the AWS managed policy, or a managed policy the app cannot read.
 */
function statementsOfRole(cfnRole: iam.CfnRole): StatementJson[] | undefined {
  const stack = Stack.of(cfnRole);
  const managedArns = asList(stack.resolve(cfnRole.managedPolicyArns));
  if (managedArns.some((arn) => FARGATE_POD_POLICY_ARN.test(literalPattern(arn)?.pattern ?? ''))) return undefined;
  const documents: unknown[] = [];
  for (const inline of asList(stack.resolve(cfnRole.policies))) {
    // The L1's own form (policyDocument), or a resolved object written in CloudFormation's (PolicyDocument).
    const policy = inline as { policyDocument?: unknown; PolicyDocument?: unknown } | null;
    documents.push(policy?.policyDocument ?? policy?.PolicyDocument);
  }
  const roleRef = JSON.stringify(stack.resolve(cfnRole.ref));
  const managedInApp = new Map<string, unknown>();
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof iam.CfnPolicy || construct instanceof iam.CfnManagedPolicy)) continue;
    if (Stack.of(construct) !== stack) continue; // a nested stack's resources cannot name the role by Ref
    const document = stack.resolve(construct.policyDocument);
    if (construct instanceof iam.CfnManagedPolicy) managedInApp.set(JSON.stringify(stack.resolve(construct.ref)), document);
    if (asList(stack.resolve(construct.roles)).some((name) => JSON.stringify(name) === roleRef)) documents.push(document);
  }
  for (const arn of managedArns) {
    const document = managedInApp.get(JSON.stringify(arn));
    if (document === undefined) return undefined; // another AWS managed or an imported policy: not readable here
    documents.push(document);
  }
  return documents.flatMap((document) => statementsOf(document) ?? []);
}

/** Whether an Allow statement's Action (or NotAction) covers `action`; IAM wildcards, case-insensitive. */
function statementAllows(statement: StatementJson, action: string): Verdict {
  const listed = statement.Action ?? statement.NotAction;
  const patterns = asList(listed);
  if (listed === undefined || patterns.some((p) => typeof p !== 'string')) return 'unknown';
  const matched = patterns.some((p) => wildcardMatches(p as string, action));
  return matched === (statement.Action !== undefined) ? 'yes' : 'no';
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
