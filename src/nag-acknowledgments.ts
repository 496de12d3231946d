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
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
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
  waiterLogging:
    'The waiter state machine belongs to the aws-cdk-lib Provider framework, and this construct keeps its '
    + 'CloudWatch logging off (disableWaiterStateMachineLogging). Turning it on makes the framework grant '
    + 'the state machine role logs:CreateLogStream, logs:PutLogEvents and the log-delivery actions on '
    + 'Resource "*", a broader permission than this finding is worth: the waiter only invokes the '
    + 'isComplete and onTimeout functions, Step Functions keeps each execution\'s history for 90 days, and '
    + 'the handler logs every step to CloudWatch Logs with one-year retention.',
  waiterTracing:
    'The aws-cdk-lib Provider framework offers no X-Ray tracing for its waiter state machine, and tracing would '
    + 'need xray:PutTraceSegments and xray:PutTelemetryRecords on Resource "*". The waiter is a fixed retry '
    + 'loop around the isComplete function, whose every invocation is logged (one-year retention), so traces '
    + 'would add permissions and cost without diagnostic value.',
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
  /** The handler role's actions on `Resource: "*"`: none supports resource-level permissions (AwsSolutions-IAM5). */
  readonly unscopedActions: string[];
}

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
  private readonly acknowledged = new WeakMap<iam.CfnPolicy, Set<string>>();

  constructor(private readonly provider: IConstruct, private readonly design: ProviderDesign) {}

  public visit(node: IConstruct): void {
    if (node instanceof sfn.CfnStateMachine) {
      // The only state machine under the provider is the framework's waiter.
      acknowledge(node, 'AwsSolutions-SF1', NAG_REASONS.waiterLogging);
      acknowledge(node, 'AwsSolutions-SF2', NAG_REASONS.waiterTracing);
    } else if (node instanceof iam.CfnPolicy) {
      // Not now: a reference to another stack (a cluster defined there) is rendered as an import,
      // Fn::ImportValue or Fn::GetStackOutput, only after aspects, and cdk-nag names the finding by
      // that form. Validation runs once references are final, and before cdk-nag 3 reads the tree.
      const policy = node;
      policy.node.addValidation({ validate: () => { this.acknowledgeWildcardResources(policy); return []; } });
    }
  }

  /**
   * IAM5 findings, one per wildcard resource, only for the three patterns the design needs. cdk-nag
   * names a finding by the resource alone, so a finding is acknowledged only when every Allow
   * statement of the policy that has that resource fits the design: an extra action on the same
   * resource (say, one added to the handler role by hand) keeps it visible.
   */
  private acknowledgeWildcardResources(policy: iam.CfnPolicy): void {
    const stack = Stack.of(policy);
    const ownFunctions = new Set(this.provider.node.findAll()
      .filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)
      .map((fn) => `<${stack.resolve(fn.logicalId)}.Arn>:*`));
    const document = stack.resolve(policy.policyDocument) as { Statement?: PolicyStatementJson[] };
    const reasons = new Map<string, string | undefined>();
    for (const statement of document.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      const actions = asArray(statement.Action);
      for (const resource of asArray(statement.Resource).map(flattenCfnReference)) {
        if (!resource.includes('*')) continue;
        const id = `AwsSolutions-IAM5[Resource::${resource}]`;
        const reason = this.reasonFor(resource, actions, ownFunctions);
        reasons.set(id, reasons.has(id) && reasons.get(id) !== reason ? undefined : reason);
      }
    }
    const done = this.acknowledged.get(policy) ?? new Set<string>();
    this.acknowledged.set(policy, done);
    for (const [id, reason] of reasons) {
      // Once each: an app may be synthesized more than once.
      if (reason === undefined || done.has(id)) continue;
      acknowledge(policy, id, reason);
      done.add(id);
    }
  }

  /** Why this statement's wildcard resource is part of the design, or undefined when it is not. */
  private reasonFor(resource: string, actions: string[], ownFunctions: Set<string>): string | undefined {
    if (ownFunctions.has(resource) && actions.every((a) => a === 'lambda:InvokeFunction')) {
      return NAG_REASONS.frameworkInvokeWildcard;
    }
    if (/:fargateprofile\/[^*]+\/\*$/.test(resource) && actions.every((a) => this.design.profileActions.includes(a))) {
      return NAG_REASONS.fargateProfileArnWildcard;
    }
    if (resource === '*' && actions.every((a) => this.design.unscopedActions.includes(a))) {
      return NAG_REASONS.subnetLookups;
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
