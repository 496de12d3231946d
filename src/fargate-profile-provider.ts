// The custom resource provider behind every FargateProfile in a stack: one per
// stack, shared, so adding profiles never adds Lambda functions. Its handler role
// gains permissions per cluster and per pod execution role as profiles are added;
// what the profiles of one cluster share lives in a ClusterProfiles under it.
//
// Created explicitly (public, with props: VPC, log key, tracing, sizing) before the
// stack's first profile, or by that profile with the defaults.
import * as path from 'path';
import { ArnFormat, Duration, Fn, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { ProfileCluster } from './cluster';
import { ClusterProfiles, PROFILE_ACTIONS } from './cluster-profiles';
import { FargateProfileProviderProps } from './fargate-profile-provider-props';
import { ManagedPolicyRole, moveDefaultPolicyToManaged } from './managed-policy-role';
import { acknowledgeProviderFindings } from './nag-acknowledgments';
import {
  allIsolated, REQUIRED_ENDPOINT_SERVICES, selectProviderSubnets, TRACING_ENDPOINT_SERVICE, warnOnMissingEndpoints,
} from './provider-networking';
import { fail } from './validation';

export { PROFILE_ACTIONS } from './cluster-profiles';
export { fargateProfileArnPattern } from './default-pod-execution-role';

/** Where the bundle lives; resolves from src/ (ts-jest) and from lib/ (compiled). */
const HANDLER_ASSET_DIR = path.join(__dirname, '..', 'assets', 'fargate-profile-handler');

// EKS creates this service-linked role on the first CreateFargateProfile in an account. It trusts
// eks-fargate.amazonaws.com (EKS user guide, "Using roles for Amazon EKS Fargate profiles").
const FARGATE_SERVICE = 'eks-fargate.amazonaws.com';
const FARGATE_SERVICE_LINKED_ROLE = `aws-service-role/${FARGATE_SERVICE}/AWSServiceRoleForAmazonEKSForFargate`;

/**
 * What CreateFargateProfile checks with the caller's permissions on the caller's behalf: it looks up
 * the subnets and their route tables, and refuses with `Missing permissions for "ec2:DescribeSubnets"`
 * otherwise (aws/aws-cdk#6074, #7614, fixed by #7706; aws-cdk-lib's aws-eks creation role grants both
 * on "*"). The Service Authorization Reference for EC2 lists no resource type and no condition key for
 * either action, so `Resource: "*"` is the only form, and no condition is documented to hold on this path.
 */
export const EC2_LOOKUP_ACTIONS = ['ec2:DescribeRouteTables', 'ec2:DescribeSubnets'];
/** Names the statement in the template. */
export const EC2_LOOKUP_SID = 'SubnetLookupsOfCreateFargateProfile';
/** The handler role's ARN, for failure messages (lambda/decide.ts). */
export const HANDLER_ROLE_ARN_ENV = 'HANDLER_ROLE_ARN';

/** Timing of the Provider framework (see the wire contract in README). */
export const ON_EVENT_TIMEOUT = Duration.minutes(2);
export const IS_COMPLETE_TIMEOUT = Duration.minutes(5);
export const QUERY_INTERVAL = Duration.seconds(10);
export const TOTAL_TIMEOUT = Duration.hours(1);
/** Logs are kept a year: long enough to investigate a failed deployment, never forever. */
export const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;
/**
 * The provider's log groups outlive the stack, deliberately: the logs of a failed stack deletion are
 * what explains it, and deleting the stack would delete them with it. LOG_RETENTION bounds what is kept.
 */
export const LOG_REMOVAL_POLICY = RemovalPolicy.RETAIN;
/** The Lambda default, set explicitly: the handler is I/O bound (EKS calls) and runs in it today. */
export const DEFAULT_MEMORY_SIZE = 128;

/**
 * Lambda's VPC network interfaces (Lambda developer guide, "Giving Lambda functions access to resources in
 * an Amazon VPC"): ec2:DescribeNetworkInterfaces works only on Resource "*"; ec2:DescribeSubnets has no
 * resource type (Service Authorization Reference, Amazon EC2).
 */
export const ENI_LOOKUP_ACTIONS = ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'];
/** Scoped to this account and region's EC2 resources, the form the Lambda guide gives ("arn:aws:ec2:<region>:<account>:*\/*"). */
export const ENI_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];
/** What Lambda's active tracing needs; X-Ray has no resource types (Service Authorization Reference, AWS X-Ray). */
export const LAMBDA_XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
/** What a state machine's X-Ray tracing needs (Step Functions developer guide, "IAM policies for using AWS X-Ray"). */
export const STATE_MACHINE_XRAY_ACTIONS = [...LAMBDA_XRAY_ACTIONS, 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];
/**
 * What Step Functions checks of a state machine's role when logging is on ("The state machine IAM Role is not
 * authorized to access the Log Destination" otherwise): the CloudWatch Logs vended-log delivery actions of the
 * Step Functions developer guide ("Using CloudWatch Logs to log execution history"), which have no resource
 * types (Service Authorization Reference, Amazon CloudWatch Logs: "[permission only]" CreateLogDelivery and the like).
 */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
];
/**
 * The key policy statement the CloudWatch Logs guide requires ("Encrypt log data in CloudWatch Logs using
 * AWS Key Management Service", step 2), for the service principal `logs.<region>.amazonaws.com`.
 */
export const LOGS_KEY_ACTIONS = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'];
export const LOGS_KEY_SID = 'CloudWatchLogsOfTheEksFargateProfileProvider';

/** Per stack: its provider, and the profile that created it by default (if one did). */
const PROVIDERS = new WeakMap<Stack, { readonly provider: FargateProfileProvider; readonly createdFor?: IConstruct }>();

/**
 * The custom resource provider of a stack's Fargate profiles: the handler's Lambda functions and role,
 * and aws-cdk-lib's Provider framework (its functions, roles and waiter state machine).
 *
 * A stack has one, shared by all its profiles. Create it explicitly, before the stack's first
 * `FargateProfile`, to choose its VPC, the key of its log groups, tracing and sizing; otherwise the
 * first profile creates one with the defaults.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const logKey: kms.IKey;
 * new FargateProfileProvider(this, 'FargateProfileProvider', {
 *   vpc,
 *   vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
 *   logEncryptionKey: logKey,
 * });
 */
export class FargateProfileProvider extends Construct {
  /** The construct id of the default provider, directly under the stack. */
  public static readonly ID = 'EksFargateProfileProvider';

  /**
   * The provider of `scope`'s stack: the one created explicitly, else a default one, created now.
   * @internal
   */
  public static _of(scope: IConstruct): FargateProfileProvider {
    const stack = Stack.of(scope);
    const registered = PROVIDERS.get(stack);
    if (registered) return registered.provider;
    const existing = stack.node.tryFindChild(FargateProfileProvider.ID);
    if (existing) {
      throw new Error(`${stack.node.path}: the construct id "${FargateProfileProvider.ID}" is reserved for the Fargate profile provider`);
    }
    const provider = new FargateProfileProvider(stack, FargateProfileProvider.ID);
    PROVIDERS.set(stack, { provider, createdFor: scope });
    return provider;
  }

  /** `ServiceToken` of every profile's CustomResource. */
  public readonly serviceToken: string;
  /** The role of the handler's onEvent and isComplete functions. */
  public readonly handlerRole: iam.IRole;

  /** By the cluster's identity: every object standing for one cluster finds the same. */
  private readonly clusters = new Map<string, ClusterProfiles>();

  constructor(scope: Construct, id: string, props: FargateProfileProviderProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const registered = PROVIDERS.get(stack);
    if (registered?.createdFor) {
      fail(this.node.path, 'a FargateProfileProvider must be created before the Fargate profiles of its stack: the profile '
        + `${registered.createdFor.node.path} already created the default provider ${registered.provider.node.path}. `
        + 'Create this provider before the stack\'s first FargateProfile.');
    }
    if (registered) {
      fail(this.node.path, `the stack already has a FargateProfileProvider, ${registered.provider.node.path}; `
        + 'a stack has one provider, shared by all its profiles');
    }
    PROVIDERS.set(stack, { provider: this });
    validateProps(this.node.path, props);

    const tracing = props.tracing ?? true;
    const network = this.network(props, tracing);
    const logGroups = new ProviderLogGroups(this, props.logEncryptionKey);

    const handlerRole = new ManagedPolicyRole(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Creates, tags and deletes the EKS Fargate profiles of this stack',
    });
    this.handlerRole = handlerRole;
    // Written through this grant only; no managed policy with logs:* on every log group.
    logGroups.handler.grantWrite(handlerRole);

    const code = lambda.Code.fromAsset(HANDLER_ASSET_DIR);
    const handlerProps = {
      code,
      // The current Node.js LTS runtime, which the bundle targets (esbuild --target=node24, .projenrc.ts).
      runtime: lambda.Runtime.NODEJS_24_X,
      role: handlerRole,
      logGroup: logGroups.handler,
      environment: { [HANDLER_ROLE_ARN_ENV]: handlerRole.roleArn },
      memorySize: props.memorySize ?? DEFAULT_MEMORY_SIZE,
      tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...network?.functionProps,
    };
    const onEvent = new lambda.Function(this, 'OnEventHandler', {
      ...handlerProps,
      handler: 'index.onEvent',
      timeout: ON_EVENT_TIMEOUT,
      description: 'onEvent handler of Custom::EKSFargateProfile',
    });
    const isComplete = new lambda.Function(this, 'IsCompleteHandler', {
      ...handlerProps,
      handler: 'index.isComplete',
      timeout: IS_COMPLETE_TIMEOUT,
      description: 'isComplete handler of Custom::EKSFargateProfile',
    });

    // The framework's functions get roles that write only to the provider's log group,
    // instead of the default roles' AWSLambdaBasicExecutionRole (logs on every log group).
    // Two roles, as aws-cdk-lib requires: one shared role would form a dependency cycle.
    const frameworkRole = (roleId: string, runs: string) => {
      const role = new ManagedPolicyRole(this, roleId, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runs the provider framework's ${runs} function of the EKS Fargate profiles of this stack`,
      });
      logGroups.framework.grantWrite(role);
      return role;
    };
    const frameworkRoles = [
      frameworkRole('FrameworkOnEventRole', 'onEvent'),
      frameworkRole('FrameworkCompleteRole', 'isComplete and onTimeout'),
    ];
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: logGroups.framework,
      frameworkOnEventRole: frameworkRoles[0],
      frameworkCompleteAndTimeoutRole: frameworkRoles[1],
      // The framework's own logging grants the waiter's role logs:PutLogEvents on Resource "*" (every
      // aws-cdk-lib version); the waiter's logging is configured below instead, scoped to its log group.
      disableWaiterStateMachineLogging: true,
      ...network?.providerProps,
    });
    this.serviceToken = provider.serviceToken;

    // What the Provider framework offers no option for, set on its resources: memory, tracing, concurrency.
    const frameworkFunctions = provider.node.findAll().filter((c): c is lambda.Function => c instanceof lambda.Function);
    for (const fn of frameworkFunctions) {
      const cfn = fn.node.defaultChild as lambda.CfnFunction;
      cfn.memorySize = DEFAULT_MEMORY_SIZE;
      if (tracing) cfn.tracingConfig = { mode: lambda.Tracing.ACTIVE };
      if (props.reservedConcurrentExecutions !== undefined) cfn.reservedConcurrentExecutions = props.reservedConcurrentExecutions;
    }
    for (const role of frameworkRoles) {
      if (tracing) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: LAMBDA_XRAY_ACTIONS, resources: ['*'] }));
    }
    this.configureWaiter(provider, logGroups.waiter, tracing);

    if (network) {
      for (const role of [handlerRole, ...frameworkRoles]) {
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ENI_LOOKUP_ACTIONS, resources: ['*'] }));
        role.addToPrincipalPolicy(new iam.PolicyStatement({
          actions: ENI_ACTIONS,
          resources: [stack.formatArn({ service: 'ec2', resource: '*', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
        }));
      }
    }

    // cdk-nag: design-intrinsic findings only, see nag-acknowledgments.ts
    acknowledgeProviderFindings(this, {
      profileActions: PROFILE_ACTIONS,
      unscopedActions: {
        subnetLookups: EC2_LOOKUP_ACTIONS,
        networkInterfaceLookups: ENI_LOOKUP_ACTIONS,
        tracing: STATE_MACHINE_XRAY_ACTIONS,
        logDelivery: LOG_DELIVERY_ACTIONS,
      },
      networkInterfaceActions: ENI_ACTIONS,
      entrypoint: provider.serviceToken,
      reservedConcurrency: props.reservedConcurrentExecutions !== undefined,
    });

    // Not per cluster: the same lookups whichever cluster a profile is created in.
    handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: EC2_LOOKUP_SID,
      actions: EC2_LOOKUP_ACTIONS,
      resources: ['*'],
    }));

    // EKS needs the Fargate service-linked role; the caller creates it on first use.
    const serviceLinkedRoleArn = stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: FARGATE_SERVICE_LINKED_ROLE,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [serviceLinkedRoleArn],
      conditions: { StringEquals: { 'iam:AWSServiceName': FARGATE_SERVICE } },
    }));
    handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:GetRole'],
      resources: [serviceLinkedRoleArn],
    }));
  }

  /** The functions' VPC placement, checked; undefined without a VPC. */
  private network(props: FargateProfileProviderProps, tracing: boolean) {
    if (!props.vpc) {
      if (props.vpcSubnets) fail(this.node.path, 'vpcSubnets requires vpc: give the VPC the subnets belong to');
      if (props.securityGroups) fail(this.node.path, 'securityGroups requires vpc: give the VPC the security groups belong to');
      return undefined;
    }
    const selected = selectProviderSubnets(this.node.path, props.vpc, props.vpcSubnets);
    if (allIsolated(props.vpc, selected)) {
      warnOnMissingEndpoints(this, props.vpc, tracing ? [...REQUIRED_ENDPOINT_SERVICES, TRACING_ENDPOINT_SERVICE] : REQUIRED_ENDPOINT_SERVICES);
    }
    const placement = { vpc: props.vpc, vpcSubnets: { subnets: selected.subnets }, securityGroups: props.securityGroups };
    return { functionProps: placement, providerProps: placement };
  }

  /**
   * The waiter state machine logs every state transition (never execution data: the event carries
   * CloudFormation's pre-signed response URL) to its log group, and traces with X-Ray. Its role, created
   * by the framework, gets the permissions, and its inline policy becomes a managed one.
   */
  private configureWaiter(provider: cr.Provider, waiterLogs: logs.LogGroup, tracing: boolean): void {
    const stateMachine = provider.node.findAll().find((c): c is sfn.CfnStateMachine => c instanceof sfn.CfnStateMachine);
    const role = stateMachine?.node.scope?.node.tryFindChild('Role');
    if (!stateMachine || !(role instanceof iam.Role)) {
      throw new Error(`${this.node.path}: the Provider framework of this aws-cdk-lib version has no waiter state machine with a role`);
    }
    stateMachine.loggingConfiguration = {
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: waiterLogs.logGroupArn } }],
      includeExecutionData: false,
      level: sfn.LogLevel.ALL,
    };
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: LOG_DELIVERY_ACTIONS, resources: ['*'] }));
    waiterLogs.grantWrite(role);
    if (tracing) {
      stateMachine.tracingConfiguration = { enabled: true };
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: STATE_MACHINE_XRAY_ACTIONS, resources: ['*'] }));
    }
    moveDefaultPolicyToManaged(role);
  }

  /**
   * What this stack's profiles of `cluster` share, created with the first of them.
   * @internal
   */
  public _clusterProfiles(cluster: ProfileCluster): ClusterProfiles {
    let shared = this.clusters.get(cluster.key);
    if (!shared) {
      shared = new ClusterProfiles(this, cluster.id, cluster, this.handlerRole);
      this.clusters.set(cluster.key, shared);
    }
    return shared;
  }
}

function validateProps(where: string, props: FargateProfileProviderProps): void {
  const { memorySize, reservedConcurrentExecutions } = props;
  // Lambda's limits (Lambda developer guide, "Lambda quotas"): memory 128 to 10,240 MiB.
  if (memorySize !== undefined && !Token.isUnresolved(memorySize) && (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240)) {
    fail(where, `memorySize is ${memorySize}; Lambda accepts an integer from 128 to 10240 (MiB)`);
  }
  if (reservedConcurrentExecutions !== undefined && !Token.isUnresolved(reservedConcurrentExecutions)
    && (!Number.isInteger(reservedConcurrentExecutions) || reservedConcurrentExecutions < 1)) {
    fail(where, `reservedConcurrentExecutions is ${reservedConcurrentExecutions}; give a positive integer (0 would stop every deployment)`);
  }
}

/**
 * The provider's log groups: one year, retained with the stack deleted, and encrypted with the user's key
 * when given. Their names are fixed before deployment, so the key's policy can name exactly them; the
 * stack's own id in each name keeps a re-created stack clear of the retained groups of an earlier one.
 */
class ProviderLogGroups {
  public readonly handler: logs.LogGroup;
  public readonly framework: logs.LogGroup;
  public readonly waiter: logs.LogGroup;

  constructor(scope: Construct, key: kms.IKey | undefined) {
    const stack = Stack.of(scope);
    // The last part of arn:...:stack/<name>/<uuid>: unique per stack creation.
    const stackUuid = Fn.select(2, Fn.split('/', stack.stackId));
    const names = {
      handler: `/aws/lambda/${stack.stackName}-EksFargateProfileHandler-${stackUuid}`,
      framework: `/aws/lambda/${stack.stackName}-EksFargateProfileFramework-${stackUuid}`,
      // Vended logs (Step Functions) go to names under /aws/vendedlogs/, which CloudWatch Logs lets
      // them write to without growing the account's resource policy (Step Functions developer guide).
      waiter: `/aws/vendedlogs/states/${stack.stackName}-EksFargateProfileWaiter-${stackUuid}`,
    };
    if (key) allowCloudWatchLogs(scope, key, Object.values(names));
    const group = (id: string, logGroupName: string) => new logs.LogGroup(scope, id, {
      logGroupName,
      retention: LOG_RETENTION,
      removalPolicy: LOG_REMOVAL_POLICY,
      encryptionKey: key,
    });
    this.handler = group('HandlerLogs', names.handler);
    this.framework = group('ProviderLogs', names.framework);
    this.waiter = group('WaiterLogs', names.waiter);
  }
}

/** The key policy statement of the CloudWatch Logs guide, for exactly these log groups. */
function allowCloudWatchLogs(scope: Construct, key: kms.IKey, logGroupNames: string[]): void {
  const stack = Stack.of(scope);
  if (Resource.isOwnedResource(key) && Stack.of(key) !== stack) {
    fail(scope.node.path, `logEncryptionKey ${key.node.path} belongs to another stack: its policy would have to name this stack's `
      + 'log groups, and this stack would depend on the key, a cycle. Create the key in this stack, or import it '
      + '(kms.Key.fromKeyArn) and allow CloudWatch Logs in its policy yourself (see the README\'s "Regulated accounts").');
  }
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: LOGS_KEY_SID,
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: LOGS_KEY_ACTIONS,
    // In a key policy, "*" is this key.
    resources: ['*'],
    conditions: {
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': logGroupNames.map((resourceName) => stack.formatArn({
          service: 'logs', resource: 'log-group', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        })),
      },
    },
  }));
}
