// The identity policy of the role that runs the profile provider's handler, read from the template
// and installed on the EKS emulator while the lifecycle runner deploys: each policy that holds part
// of it is installed when CloudFormation creates (or updates) its resource and removed when it
// deletes it, so the emulator authorizes the handler's calls with exactly what the stack has granted
// at that moment, ordering included.
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
  /** Logical id -> ids of the policies installed for it. */
  private readonly installed = new Map<string, string[]>();

  constructor(private readonly sink: CallerPolicySink, private readonly stackId: string) {}

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
    for (const id of this.installed.get(logicalId) ?? []) this.sink.removeCallerPolicy(id);
    this.installed.delete(logicalId);
  }

  private install(logicalId: string, ctx: ResolveContext): void {
    this.deleted(logicalId);
    const resource = ctx.template.Resources[logicalId];
    const roles = handlerRoles(ctx.template);
    const where = `${logicalId}.Properties`;
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

/** Role logical id -> the logical id of a function that runs with it (its session name), for the handlers of the profiles. */
export function handlerRoles(template: CfnTemplate): Map<string, string> {
  const roles = new Map<string, string>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== FARGATE_PROFILE_RESOURCE_TYPE) continue;
    const framework = getAttTarget(resource.Properties?.ServiceToken);
    if (!framework || !template.Resources[framework]) continue;
    const variables = ((template.Resources[framework].Properties?.Environment as any)?.Variables ?? {}) as Record<string, unknown>;
    const userFunctions = USER_FUNCTION_VARIABLES.map((name) => getAttTarget(variables[name])).filter((f): f is string => f !== undefined);
    for (const fn of userFunctions.length > 0 ? userFunctions : [framework]) {
      const role = getAttTarget(template.Resources[fn]?.Properties?.Role);
      if (role && template.Resources[role]?.Type === 'AWS::IAM::Role' && !roles.has(role)) roles.set(role, fn);
    }
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
