// The authorization step of the request pipeline: after faults, before the input rules, as AWS
// authorizes a call before it looks at its parameters or resources. With no authorizer set every
// call is allowed. Issue 7 plugs IAM in here: the handler role's policy, evaluated for the call's
// action and resource and for the checks EKS makes on the caller's behalf.
import { EksError } from './errors';
import type { RequestContext } from './http';
import type { EksOperation } from './types';

/** What an authorizer sees of a call: the operation, what it names, and its raw parameters. */
export interface CallToAuthorize {
  readonly operation: EksOperation;
  readonly cluster?: string;
  readonly profile?: string;
  /** The ARN in the path of a tag operation. */
  readonly resourceArn?: string;
  /** The JSON body (e.g. `podExecutionRoleArn` and `subnets` of a create). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** A refusal in the service's terms, e.g. `{ error: 'AccessDeniedException', message: '...' }`. */
export interface Denial {
  readonly error: string;
  readonly message: string;
}

/** Returns a Denial to refuse the call, undefined to allow it. */
export type Authorizer = (call: CallToAuthorize) => Denial | undefined;

/** Throws the authorizer's denial of this call, if any. Unknown routes are left to the input rules. */
export function authorize(authorizer: Authorizer | undefined, ctx: RequestContext): void {
  if (!authorizer || ctx.operation === 'Unknown') return;
  const denial = authorizer({
    operation: ctx.operation,
    cluster: ctx.cluster,
    profile: ctx.profile,
    resourceArn: ctx.resourceArn,
    parameters: ctx.body,
  });
  if (denial) throw new EksError(denial.error, denial.message);
}
