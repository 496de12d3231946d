// Who the profile provider's handler is, from the template, while the lifecycle runner deploys:
// - its identity policy, installed on the EKS emulator (when the runner is given one): each policy
//   that holds part of it is installed when CloudFormation creates (or updates) its resource and
//   removed when it deletes it, so the emulator authorizes the handler's calls with exactly what the
//   stack has granted at that moment, ordering included;
// - its function's `Environment.Variables`, resolved, which the runner sets before each invocation
//   (Lambda's environment), e.g. the handler role's ARN the handler names in its failures.
//
// Which role: the Lambda functions behind the ServiceToken of every Custom::EKSFargateProfile. A
// Provider framework function (aws-cdk-lib custom-resources) calls the user functions named by its
// USER_ON_EVENT_FUNCTION_ARN / USER_IS_COMPLETE_FUNCTION_ARN variables, and their `Role` is the one
// EKS sees; a plain function is its own. Its identity policy: the role's inline `Policies`, and
// every AWS::IAM::Policy or AWS::IAM::ManagedPolicy whose `Roles` include it. AWS managed policies
// (ManagedPolicyArns) are not modelled: what they grant is not in the template.
// The caller is `arn:aws:sts::<account>:assumed-role/<role name>/<function name>` (Lambda's session
// name is the function name; the emulator does not tell the two functions apart, see caller-policies.ts).
import { CfnTemplate, fakePhysicalId, ResolveContext, resolveValue } from './cfn-template';
import type { CallerPolicy } from './eks-emulator';
import { checkStatements } from './eks-emulator/iam-policy';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../../src/wire-contract';

/** Where the policies go: the EKS emulator. */
export interface CallerPolicySink {
  addCallerPolicy(id: string, policy: CallerPolicy): void;
  removeCallerPolicy(id: string): void;
}

const USER_FUNCTION_VARIABLES = ['USER_ON_EVENT_FUNCTION_ARN', 'USER_IS_COMPLETE_FUNCTION_ARN'];
const POLICY_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'];

export class HandlerIdentity {
  /** The handler functions' environment variables, resolved (set once their function is created). */
  public readonly environment: Record<string, string> = {};
  /** Logical id -> ids of the policies installed for it. */
  private readonly installed = new Map<string, string[]>();

  constructor(private readonly stackId: string, private readonly sink?: CallerPolicySink) {}

  /**
   * The resource `logicalId` of `ctx.template` was created or updated: installs what it holds of the
   * handler role's identity policy (replacing what it held before). Returns why it cannot (a policy
   * that does not resolve, or that the emulator cannot evaluate): the resource fails with that reason.
   */
  public apply(logicalId: string, ctx: ResolveContext): string | undefined {
    try {
      this.install(logicalId, ctx);
      return undefined;
    } catch (e: any) {
      return e.message;
    }
  }

  /** The resource `logicalId` was deleted: what it held of the policy no longer applies. */
  public deleted(logicalId: string): void {
    for (const id of this.installed.get(logicalId) ?? []) this.sink?.removeCallerPolicy(id);
    this.installed.delete(logicalId);
  }

  private install(logicalId: string, ctx: ResolveContext): void {
    this.deleted(logicalId);
    const resource = ctx.template.Resources[logicalId];
    const where = `${logicalId}.Properties`;
    if (resource.Type === 'AWS::Lambda::Function' && handlerFunctions(ctx.template).includes(logicalId)) {
      const variables = resolveValue((resource.Properties?.Environment as any)?.Variables ?? {}, ctx, `${where}.Environment.Variables`);
      Object.assign(this.environment, variables);
    }
    if (!this.sink) return;
    const roles = handlerRoles(ctx.template);
    const found: Array<{ readonly role: string; readonly name: string; readonly document: unknown }> = [];
    if (resource.Type === 'AWS::IAM::Role' && roles.has(logicalId)) {
      const inline = (resource.Properties?.Policies ?? []) as Array<Record<string, unknown>>;
      inline.forEach((policy, i) => found.push({ role: logicalId, name: `Policies[${i}]`, document: policy.PolicyDocument }));
    }
    if (POLICY_TYPES.includes(resource.Type)) {
      const attachedTo = resolveValue(resource.Properties?.Roles ?? [], ctx, `${where}.Roles`) as string[];
      for (const role of roles.keys()) {
        if (attachedTo.includes(ctx.physicalId(role) ?? '')) found.push({ role, name: role, document: resource.Properties?.PolicyDocument });
      }
    }
    const ids: string[] = [];
    for (const { role, name, document } of found) {
      const resolved = resolveValue(document, ctx, `${where}.PolicyDocument`) as { Statement?: unknown } | undefined;
      const statements = checkStatements(resolved?.Statement ?? [], `${where}.PolicyDocument.Statement`);
      const session = roles.get(role)!;
      const callerArn = `arn:aws:sts::${ctx.accountId}:assumed-role/${ctx.physicalId(role)}/${fakePhysicalId(session, 'AWS::Lambda::Function', ctx)}`;
      const id = `${this.stackId}/${logicalId}/${name}`;
      this.sink.addCallerPolicy(id, { callerArn, statements });
      ids.push(id);
    }
    if (ids.length > 0) this.installed.set(logicalId, ids);
  }
}

/** Logical ids of the Lambda functions that run the handler of the template's profiles. */
export function handlerFunctions(template: CfnTemplate): string[] {
  const functions = new Set<string>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== FARGATE_PROFILE_RESOURCE_TYPE) continue;
    const framework = getAttTarget(resource.Properties?.ServiceToken);
    if (!framework || template.Resources[framework]?.Type !== 'AWS::Lambda::Function') continue;
    const variables = ((template.Resources[framework].Properties?.Environment as any)?.Variables ?? {}) as Record<string, unknown>;
    const userFunctions = USER_FUNCTION_VARIABLES.map((name) => getAttTarget(variables[name])).filter((f): f is string => f !== undefined);
    for (const fn of userFunctions.length > 0 ? userFunctions : [framework]) functions.add(fn);
  }
  return [...functions];
}

/** Role logical id -> the logical id of a handler function that runs with it (its session name). */
export function handlerRoles(template: CfnTemplate): Map<string, string> {
  const roles = new Map<string, string>();
  for (const fn of handlerFunctions(template)) {
    const role = getAttTarget(template.Resources[fn]?.Properties?.Role);
    if (role && template.Resources[role]?.Type === 'AWS::IAM::Role' && !roles.has(role)) roles.set(role, fn);
  }
  return roles;
}

/** The logical id X of `{ "Fn::GetAtt": [X, "Arn"] }` (or "X.Arn"), else undefined. */
function getAttTarget(value: unknown): string | undefined {
  const arg = (value as Record<string, unknown> | undefined)?.['Fn::GetAtt'];
  if (Array.isArray(arg) && arg[1] === 'Arn' && typeof arg[0] === 'string') return arg[0];
  if (typeof arg === 'string' && arg.endsWith('.Arn')) return arg.slice(0, -'.Arn'.length);
  return undefined;
}
