// cdk-nag acknowledgments for the findings that are intrinsic to this construct's design, so
// that an app checked with `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))` sees
// no findings from our resources. Everything fixable is fixed in the construct instead.
//
// Scope: only the provider singleton's subtree (the default pod execution roles included), never
// the user's app, stack or own roles. Each acknowledgment names one exact finding id; IAM5 findings
// are derived from the policies actually synthesized and acknowledged only when they match the
// design (anything else stays visible).
//
// The record is the one `Validations.of(scope).acknowledge({ id, reason })` writes (construct
// metadata under this key, read by cdk-nag 3). It is written directly because `Validations`
// does not exist in the oldest aws-cdk-lib this library supports.
import { Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/** aws-cdk-lib's `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`. */
export const ACKNOWLEDGED_RULES_METADATA_KEY = 'aws:cdk:acknowledged-rules';

/** The managed policy the default pod execution role carries. */
export const POD_EXECUTION_ROLE_POLICY = 'AmazonEKSFargatePodExecutionRolePolicy';

/** Every reason, by rule; README's "Security" section quotes them. */
export const NAG_REASONS = {
  podExecutionRoleManagedPolicy:
    `${POD_EXECUTION_ROLE_POLICY} is the AWS managed policy the Amazon EKS documentation prescribes for Fargate pod `
    + 'execution roles: it grants only the ECR image-pull actions (ecr:GetAuthorizationToken, '
    + 'ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer, ecr:BatchGetImage) and AWS keeps it in step '
    + 'with what Fargate needs. The role trusts eks-fargate-pods.amazonaws.com only for the Fargate profiles of '
    + 'this cluster (aws:SourceArn condition). Pass podExecutionRole to use a role of your own instead.',
  fargateProfileArnWildcard:
    'A Fargate profile ARN ends in an ID that EKS assigns at creation (fargateprofile/{cluster}/{name}/{id}) and '
    + 'profiles without an explicit name are named at deploy time, so the handler\'s Describe, Delete, Tag and '
    + 'Untag permissions name the Fargate profiles of this one cluster with a trailing wildcard: the narrowest '
    + 'ARN that can be written before deployment. The handler only ever acts on the profile named by its '
    + 'CloudFormation event.',
  subnetLookups:
    'CreateFargateProfile looks up the profile\'s subnets and their route tables with the caller\'s own permissions, '
    + 'and fails with \'Missing permissions for "ec2:DescribeSubnets"\' without them (aws/aws-cdk#6074 and #7614, '
    + 'fixed in aws-cdk-lib by #7706, whose aws-eks cluster creation role grants both on "*"). The Service '
    + 'Authorization Reference for Amazon EC2 lists no resource type and no condition key for ec2:DescribeSubnets '
    + 'and ec2:DescribeRouteTables, so Resource "*" is the only form they can be granted in. Both are read-only.',
  frameworkInvokeWildcard:
    'Granted by the aws-cdk-lib custom-resources Provider framework: lambda:InvokeFunction on a function that '
    + 'this construct creates, plus its versions and aliases ({function ARN}:*). The statement names that one '
    + 'function; the wildcard covers only its qualifiers.',
  networkInterfaceLookups:
    'Lambda creates the network interfaces of a function in a VPC with the function\'s execution role, and the Lambda '
    + 'developer guide says ec2:DescribeNetworkInterfaces works only when allowed on all resources ("Resource": "*"); '
    + 'the Service Authorization Reference for Amazon EC2 lists no resource type for ec2:DescribeNetworkInterfaces and '
    + 'ec2:DescribeSubnets. Both are read-only, and granted only when the provider is given a VPC.',
  networkInterfaces:
    'Lambda creates, deletes and assigns addresses to the network interfaces of a function in a VPC with the function\'s '
    + 'execution role, under IDs EC2 assigns at that moment, so no ARN can be written before deployment. The Lambda '
    + 'developer guide ("Giving Lambda functions access to resources in an Amazon VPC") gives this form, every EC2 '
    + 'resource of this account and region (arn:aws:ec2:<region>:<account>:*/*), instead of "*". Granted only when '
    + 'the provider is given a VPC.',
  tracing:
    'X-Ray tracing of the provider\'s functions and waiter state machine needs xray:PutTraceSegments and '
    + 'xray:PutTelemetryRecords (the state machine also xray:GetSamplingRules and xray:GetSamplingTargets). The '
    + 'Service Authorization Reference for AWS X-Ray lists no resource type for any of them, so Resource "*" is the only '
    + 'form they can be granted in. Pass tracing: false to the FargateProfileProvider to drop them.',
  logDelivery:
    'The waiter state machine logs to its own log group through CloudWatch Logs vended-log delivery, and Step Functions '
    + 'refuses the state machine unless its role may call logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, '
    + 'DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups (Step '
    + 'Functions developer guide, "Using CloudWatch Logs to log execution history"). These are permission-only actions '
    + 'without a resource type in the Service Authorization Reference for CloudWatch Logs, so Resource "*" is their only '
    + 'form; the log writes themselves are scoped to the waiter\'s log group.',
  synchronousDlq:
    'This function is only ever invoked synchronously (RequestResponse): by the Provider framework\'s functions through '
    + 'lambda:InvokeFunction, or by the waiter state machine\'s Task states. Lambda sends events to a dead-letter queue '
    + 'only after an asynchronous invocation fails (Lambda developer guide, "Adding a dead-letter queue"): for a synchronous '
    + 'one the caller gets the error and reports it to CloudFormation, so a queue would receive nothing.',
  cloudFormationDlq:
    'CloudFormation invokes this function asynchronously with the custom resource event, whose ResponseURL is a '
    + 'pre-signed S3 URL that decides the resource\'s outcome for whoever holds it. A dead-letter queue would keep '
    + 'that URL for up to 14 days, where this construct never writes it anywhere (the handler does not even log it), '
    + 'and replaying an event after the stack operation has failed or timed out changes nothing: CloudFormation has '
    + 'already moved on. A failed invocation shows as the stack operation failing with the function\'s log.',
  concurrency:
    'A reserved concurrency is also a cap, and it takes from the account: Lambda refuses a reservation that leaves the '
    + 'account fewer than 100 unreserved executions (Lambda developer guide, "Configuring reserved concurrency"), so a '
    + 'default reservation would fail deployments in accounts with a low concurrency quota, and a low one would throttle '
    + 'the provider when CloudFormation changes the profiles of several clusters at once, failing the deployment. Set '
    + 'reservedConcurrentExecutions on the FargateProfileProvider to choose one for your account.',
} as const;

/** Acknowledges the default pod execution role's managed policy (AwsSolutions-IAM4). */
export function acknowledgePodExecutionRoleFindings(role: iam.Role): void {
  acknowledge(role, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${POD_EXECUTION_ROLE_POLICY}]`,
    NAG_REASONS.podExecutionRoleManagedPolicy);
}

/** What the provider tells the acknowledgments about itself. */
export interface ProviderDesign {
  /** The handler role's actions on `fargateprofile/<cluster>/*` (AwsSolutions-IAM5). */
  readonly profileActions: string[];
  /** Actions on `Resource: "*"` by reason: none supports resource-level permissions (AwsSolutions-IAM5). */
  readonly unscopedActions: { readonly [reason in UnscopedReason]: string[] };
  /** Lambda's network interface actions, on `arn:<partition>:ec2:<region>:<account>:*\/*` (AwsSolutions-IAM5). */
  readonly networkInterfaceActions: string[];
  /** The function CloudFormation invokes (the framework's onEvent): its ARN token. */
  readonly entrypoint: string;
  /** Whether the user chose a reserved concurrency (then nothing to acknowledge). */
  readonly reservedConcurrency: boolean;
}

/** The reasons of the `Resource: "*"` actions. */
export type UnscopedReason = 'subnetLookups' | 'networkInterfaceLookups' | 'tracing' | 'logDelivery';

/** The packs that ask for a dead-letter queue and a reserved concurrency on every function (cdk-nag 3 rule ids). */
export const DLQ_RULES = ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'Serverless-LambdaDLQ'];
export const CONCURRENCY_RULES = ['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency'];

/**
 * Acknowledges the provider's design-intrinsic findings. Policies are acknowledged in an aspect
 * (at synthesis), because the handler role's policy grows with every profile and logical ids
 * are final only then.
 */
export function acknowledgeProviderFindings(provider: IConstruct, design: ProviderDesign): void {
  // No AwsSolutions-L1 (latest runtime) to acknowledge: the handlers run on nodejs24.x, the newest Node.js
  // runtime of aws-cdk-lib when this was written; a newer one comes with a release of this library.
  Aspects.of(provider).add(new ProviderAcknowledgments(provider, design));
}

class ProviderAcknowledgments implements IAspect {
  private readonly acknowledged = new WeakMap<iam.CfnPolicy | iam.CfnManagedPolicy, Set<string>>();

  constructor(private readonly provider: IConstruct, private readonly design: ProviderDesign) {}

  public visit(node: IConstruct): void {
    if (node instanceof lambda.CfnFunction) {
      this.acknowledgeFunction(node);
    } else if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) {
      // Not now: a reference to another stack (a cluster defined there) is rendered as an import,
      // Fn::ImportValue or Fn::GetStackOutput, only after aspects, and cdk-nag names the finding by
      // that form. Validation runs once references are final, and before cdk-nag 3 reads the tree.
      const policy = node;
      policy.node.addValidation({ validate: () => { this.acknowledgeWildcardResources(policy); return []; } });
    }
  }

  /** DLQ (no queue can receive anything useful) and, unless the user chose one, reserved concurrency. */
  private acknowledgeFunction(fn: lambda.CfnFunction): void {
    const stack = Stack.of(fn);
    const invokedByCloudFormation = JSON.stringify(stack.resolve(fn.getAtt('Arn')))
      === JSON.stringify(stack.resolve(this.design.entrypoint));
    for (const rule of DLQ_RULES) {
      acknowledge(fn, rule, invokedByCloudFormation ? NAG_REASONS.cloudFormationDlq : NAG_REASONS.synchronousDlq);
    }
    if (!this.design.reservedConcurrency) {
      for (const rule of CONCURRENCY_RULES) acknowledge(fn, rule, NAG_REASONS.concurrency);
    }
  }

  /**
   * IAM5 findings, one per wildcard resource, only for the three patterns the design needs. cdk-nag
   * names a finding by the resource alone, so a finding is acknowledged only when every Allow
   * statement of the policy that has that resource fits the design: an extra action on the same
   * resource (say, one added to the handler role by hand) keeps it visible.
   */
  private acknowledgeWildcardResources(policy: iam.CfnPolicy | iam.CfnManagedPolicy): void {
    const stack = Stack.of(policy);
    const ownFunctions = new Set(this.provider.node.findAll()
      .filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)
      .map((fn) => `<${stack.resolve(fn.logicalId)}.Arn>:*`));
    const document = stack.resolve(policy.policyDocument) as { Statement?: PolicyStatementJson[] };
    // Every statement with the finding's resource must fit the design; their reasons are joined.
    const reasons = new Map<string, Array<string[] | undefined>>();
    for (const statement of document.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      const actions = asArray(statement.Action);
      for (const resource of asArray(statement.Resource).map(flattenCfnReference)) {
        if (!resource.includes('*')) continue;
        const id = `AwsSolutions-IAM5[Resource::${resource}]`;
        reasons.set(id, [...reasons.get(id) ?? [], this.reasonFor(resource, actions, ownFunctions)]);
      }
    }
    const done = this.acknowledged.get(policy) ?? new Set<string>();
    this.acknowledged.set(policy, done);
    for (const [id, found] of reasons) {
      // Once each: an app may be synthesized more than once.
      if (done.has(id) || !found.every((r): r is string[] => r !== undefined)) continue;
      acknowledge(policy, id, [...new Set(found.flat())].join(' '));
      done.add(id);
    }
  }

  /** Why this statement's wildcard resource is part of the design, or undefined when it is not. */
  private reasonFor(resource: string, actions: string[], ownFunctions: Set<string>): string[] | undefined {
    if (ownFunctions.has(resource) && actions.every((a) => a === 'lambda:InvokeFunction')) {
      return [NAG_REASONS.frameworkInvokeWildcard];
    }
    if (/:fargateprofile\/[^*]+\/\*$/.test(resource) && actions.every((a) => this.design.profileActions.includes(a))) {
      return [NAG_REASONS.fargateProfileArnWildcard];
    }
    if (/:ec2:[^:]*:[^:]*:\*\/\*$/.test(resource) && actions.every((a) => this.design.networkInterfaceActions.includes(a))) {
      return [NAG_REASONS.networkInterfaces];
    }
    if (resource === '*') {
      // The one reason that covers the whole statement, else one per action (merged statements).
      const groups = Object.keys(this.design.unscopedActions) as UnscopedReason[];
      const covers = (r: UnscopedReason, a: string) => this.design.unscopedActions[r].includes(a);
      const whole = groups.find((r) => actions.every((a) => covers(r, a)));
      const reasonsOf = whole ? [whole] : actions.map((a) => groups.find((r) => covers(r, a)));
      if (!reasonsOf.every((r): r is UnscopedReason => r !== undefined)) return undefined;
      return reasonsOf.map((r) => NAG_REASONS[r]);
    }
    return undefined;
  }
}

interface PolicyStatementJson {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  scope.node.addMetadata(ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * A resolved ARN as cdk-nag names it in finding ids: `{Ref: X}` -> `<X>`,
 * `{Fn::GetAtt: [X, Y]}` -> `<X.Y>`, `Fn::Join` concatenated (cdk-nag's flattenCfnReference).
 */
export function flattenCfnReference(reference: unknown): string {
  if (reference === undefined) return '';
  if (typeof reference === 'string') return reference.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = reference as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenCfnReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenCfnReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenCfnReference(node.Ref)}>`;
  return JSON.stringify(reference);
}
