// The authorization step of the request pipeline: after faults, before the input rules, as AWS
// authorizes a call before it looks at its parameters or resources (the order among the checks
// below, and that the service's own checks on the caller's behalf also come before the parameter
// rules, are our assumption). Two parts, both optional:
// - `emulator.authorizer`, a function a test sets to refuse calls its own way;
// - IAM: once a caller policy is installed (caller-policies.ts), every call is evaluated against it
//   (iam-policy.ts), with what real EKS checks, listed in `IamAuthorizer`.
import type { CallerPolicies } from './caller-policies';
import { EksError } from './errors';
import type { RequestContext } from './http';
import type { AuthorizationRequest, ContextValue } from './iam-policy';
import type { EmulatorState } from './state';
import type { EksOperation } from './types';

/** What an authorizer sees of a call: the operation, what it names, and its raw parameters. */
export interface CallToAuthorize {
  readonly operation: EksOperation;
  readonly cluster?: string;
  readonly profile?: string;
  /** The ARN in the path of a tag operation. */
  readonly resourceArn?: string;
  /** The JSON body (e.g. `podExecutionRoleArn` and `subnets` of a create); an untag's `tagKeys` (query string) as a list. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** A refusal in the service's terms, e.g. `{ error: 'AccessDeniedException', message: '...' }`. */
export interface Denial {
  readonly error: string;
  readonly message: string;
  /** Extra fields of the error shape (clusterName, fargateProfileName). */
  readonly fields?: Record<string, string | undefined>;
}

/** Returns a Denial to refuse the call, undefined to allow it. */
export type Authorizer = (call: CallToAuthorize) => Denial | undefined;

/** Name of the Fargate service-linked role (EKS User Guide, "Using roles for Amazon EKS Fargate"). */
export const FARGATE_SLR_NAME = 'AWSServiceRoleForAmazonEKSForFargate';
/** The service the Fargate service-linked role is for (same guide). */
export const FARGATE_SLR_SERVICE = 'eks-fargate.amazonaws.com';
/**
 * The profile ARN a call about a profile that does not exist is authorized against: its uuid is
 * unknown, so this one stands for it (our assumption; it matches `fargateprofile/<cluster>/<name>/*`).
 */
export const UNKNOWN_PROFILE_UUID = '00000000-0000-0000-0000-000000000000';

/** Throws the first denial of this call, if any: the test's authorizer, then IAM. Unknown routes are left to the input rules. */
export function authorize(authorizers: ReadonlyArray<Authorizer | undefined>, ctx: RequestContext): void {
  if (ctx.operation === 'Unknown') return;
  const call: CallToAuthorize = {
    operation: ctx.operation,
    cluster: ctx.cluster,
    profile: ctx.profile,
    resourceArn: ctx.resourceArn,
    parameters: ctx.operation === 'UntagResource' ? { ...ctx.body, tagKeys: ctx.query.getAll('tagKeys') } : ctx.body,
  };
  for (const authorizer of authorizers) {
    const denial = authorizer?.(call);
    if (denial) throw new EksError(denial.error, denial.message, denial.fields);
  }
}

/**
 * What real EKS checks, with the caller's policies, on each call (only while a caller policy is installed):
 * - every call: its own action (`eks:<Operation>`) on its resource, per the Service Authorization
 *   Reference for Amazon EKS: CreateFargateProfile, ListFargateProfiles and DescribeCluster on the
 *   cluster ARN; Describe/DeleteFargateProfile on the profile ARN; Tag/Untag/ListTagsForResource on
 *   the ARN they name;
 * - tag condition keys, in the request context of those checks (Service Authorization Reference for
 *   Amazon EKS: the `fargateprofile` resource type takes `aws:ResourceTag/${TagKey}`; CreateFargateProfile
 *   and TagResource take `aws:RequestTag/${TagKey}` and `aws:TagKeys`, UntagResource `aws:TagKeys`):
 *   `aws:ResourceTag/<key>` from the profile's current tags on Describe/Delete/Tag/Untag of an existing
 *   profile; `aws:RequestTag/<key>` and `aws:TagKeys` from the tags of a CreateFargateProfile or a
 *   TagResource; `aws:TagKeys` from the keys of an UntagResource (global condition keys, IAM User Guide);
 * - CreateFargateProfile: `eks:TagResource` on the new profile when the request carries tags (the
 *   EKS reference lists it for tag-on-create; "only then" is our assumption), and `iam:PassRole` on
 *   the pod execution role (aws/aws-cdk#8546, #8548; aws-controllers-k8s/community#1821). The
 *   `iam:PassedToService` value in that request context is our assumption: `eks.amazonaws.com`, the
 *   value AWS documents for the roles EKS is passed on CreateCluster and CreateNodegroup (Step
 *   Functions developer guide, "IAM policies for Amazon EKS"); nothing documents it for this call,
 *   so the construct grants PassRole without that condition;
 * - then what the service does with the caller's permissions on a create:
 *   - `ec2:DescribeSubnets` and `ec2:DescribeRouteTables` on "*", to pick or verify private subnets
 *     (aws/aws-cdk#7614, #6074, fixed by #7706). #7706 says they are needed when no subnets are
 *     given; checking them always is our conservative assumption;
 *   - `iam:GetRole` on the Fargate service-linked role (aws-controllers-k8s/community#1821,
 *     awsdocs/amazon-eks-user-guide#279 quote the message), and, while that role does not exist yet
 *     (the first profile of the account), `iam:CreateServiceLinkedRole` on it with
 *     `iam:AWSServiceName` = eks-fargate.amazonaws.com; the role exists from the first create that
 *     passes this check (our assumption: even if the create then fails).
 * Refusals: the IAM checks answer AccessDeniedException (HTTP 403) in IAM's format ("User: <arn> is
 * not authorized to perform: <action> on resource: <arn> because no identity-based policy allows the
 * <action> action", or "... with an explicit deny in an identity-based policy": IAM User Guide,
 * "Troubleshoot access denied error messages"). The service's own checks answer with its messages
 * (see each below).
 */
export class IamAuthorizer {
  /** Whether the Fargate service-linked role exists in the account. */
  public serviceLinkedRoleExists: boolean;

  constructor(private readonly state: EmulatorState, private readonly policies: CallerPolicies, serviceLinkedRoleExists: boolean) {
    this.serviceLinkedRoleExists = serviceLinkedRoleExists;
  }

  /** The ARN of the Fargate service-linked role (its path: IAM User Guide, service-linked roles). */
  public get serviceLinkedRoleArn(): string {
    return `arn:aws:iam::${this.state.accountId}:role/aws-service-role/${FARGATE_SLR_SERVICE}/${FARGATE_SLR_NAME}`;
  }

  /** The Authorizer of the pipeline. */
  public readonly check: Authorizer = (call) => {
    if (!this.policies.active) return undefined;
    const resource = this.resourceOf(call);
    const denied = this.refusal({ action: `eks:${call.operation}`, resource, context: this.tagContext(call) });
    if (denied || call.operation !== 'CreateFargateProfile') return denied;
    return this.createChecks(call);
  };

  private createChecks(call: CallToAuthorize): Denial | undefined {
    const fields = { clusterName: call.cluster, fargateProfileName: call.profile };
    const params = call.parameters;
    const tags = requestTags(params.tags);
    if (Object.keys(tags).length > 0) {
      // Tag-on-create: the tags are authorized for the new profile, which has none yet (our assumption:
      // no aws:ResourceTag in this context, even when the name is taken).
      const resource = `arn:aws:eks:${this.state.region}:${this.state.accountId}:fargateprofile/${call.cluster}/${call.profile ?? ''}/${UNKNOWN_PROFILE_UUID}`;
      const denied = this.refusal({ action: 'eks:TagResource', resource, context: requestTagContext(tags) });
      if (denied) return denied;
    }
    if (typeof params.podExecutionRoleArn === 'string') {
      const denied = this.refusal({
        action: 'iam:PassRole',
        resource: params.podExecutionRoleArn,
        context: { 'iam:PassedToService': 'eks.amazonaws.com' },
      });
      if (denied) return denied;
    }
    // The service's message (aws/aws-cdk#7614, #6074); the exception type is not shown there:
    // InvalidRequestException is our assumption (the type of the service-linked role refusal below).
    for (const action of ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables']) {
      if (!this.allows({ action, resource: '*' })) {
        return { error: 'InvalidRequestException', message: `Missing permissions for "${action}"`, fields };
      }
    }
    // The service's message and type (aws-controllers-k8s/community#1821).
    if (!this.allows({ action: 'iam:GetRole', resource: this.serviceLinkedRoleArn })) {
      return {
        error: 'InvalidRequestException',
        message: `Failed to validate if SLR: ${FARGATE_SLR_NAME} already exists due to missing permissions for 'iam:GetRole'`,
        fields,
      };
    }
    if (!this.serviceLinkedRoleExists) {
      const request = {
        action: 'iam:CreateServiceLinkedRole',
        resource: this.serviceLinkedRoleArn,
        context: { 'iam:AWSServiceName': FARGATE_SLR_SERVICE },
      };
      // Our wording, by analogy with the iam:GetRole message above.
      if (!this.allows(request)) {
        return {
          error: 'InvalidRequestException',
          message: `Failed to create SLR: ${FARGATE_SLR_NAME} due to missing permissions for 'iam:CreateServiceLinkedRole'`,
          fields,
        };
      }
      this.serviceLinkedRoleExists = true;
    }
    return undefined;
  }

  private resourceOf(call: CallToAuthorize): string {
    switch (call.operation) {
      case 'CreateFargateProfile':
      case 'ListFargateProfiles':
      case 'DescribeCluster':
        return this.state.clusters.get(call.cluster!)?.arn ?? `arn:aws:eks:${this.state.region}:${this.state.accountId}:cluster/${call.cluster}`;
      case 'DescribeFargateProfile':
      case 'DeleteFargateProfile':
        return this.profileArn(call.cluster!, call.profile!);
      case 'TagResource':
      case 'UntagResource':
      case 'ListTagsForResource':
        return call.resourceArn ?? '';
    }
  }

  /** The tag condition keys of a call (see the class comment). */
  private tagContext(call: CallToAuthorize): Record<string, ContextValue> {
    const profile = call.cluster !== undefined && call.profile !== undefined
      ? this.state.clusters.get(call.cluster)?.profiles.get(call.profile)
      : undefined;
    // A tag call names its profile by ARN: the profile is the one with that ARN (a recreated profile has another).
    const existing = call.resourceArn !== undefined && profile?.arn !== call.resourceArn ? undefined : profile;
    const context: Record<string, ContextValue> = {};
    if (existing && call.operation !== 'CreateFargateProfile') {
      for (const [key, value] of Object.entries(existing.tags)) context[`aws:ResourceTag/${key}`] = value;
    }
    switch (call.operation) {
      case 'CreateFargateProfile':
      case 'TagResource':
        return { ...context, ...requestTagContext(requestTags(call.parameters.tags)) };
      case 'UntagResource': {
        const keys = call.parameters.tagKeys;
        return { ...context, 'aws:TagKeys': Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [] };
      }
      default:
        return context;
    }
  }

  /** The profile's ARN (arn:aws:eks:<region>:<account>:fargateprofile/<cluster>/<name>/<uuid>, API reference). */
  private profileArn(cluster: string, name: string): string {
    return this.state.clusters.get(cluster)?.profiles.get(name)?.arn
      ?? `arn:aws:eks:${this.state.region}:${this.state.accountId}:fargateprofile/${cluster}/${name}/${UNKNOWN_PROFILE_UUID}`;
  }

  private allows(request: AuthorizationRequest): boolean {
    return this.policies.decide(request, this.state.clock()).allowed;
  }

  /** An AccessDeniedException in IAM's format, or undefined when the request is allowed. */
  private refusal(request: AuthorizationRequest): Denial | undefined {
    const outcome = this.policies.decide(request, this.state.clock());
    if (outcome.allowed) return undefined;
    const why = outcome.decision === 'ExplicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${request.action} action`;
    return {
      error: 'AccessDeniedException',
      message: `User: ${outcome.callerArn} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`,
    };
  }
}

/** The tags of a request body (a map of strings), or none. */
function requestTags(raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** `aws:RequestTag/<key>` for each tag, and `aws:TagKeys`, their keys. */
function requestTagContext(tags: Record<string, string>): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const [key, value] of Object.entries(tags)) context[`aws:RequestTag/${key}`] = value;
  if (Object.keys(tags).length > 0) context['aws:TagKeys'] = Object.keys(tags);
  return context;
}
