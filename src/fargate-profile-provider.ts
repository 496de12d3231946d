// The custom resource provider behind every FargateProfile in a stack: one per
// stack, shared, so adding profiles never adds Lambda functions. Its handler role
// gains permissions per cluster and per pod execution role as profiles are added;
// what the profiles of one cluster share lives in a ClusterProfiles under it.
import * as path from 'path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { ProfileCluster } from './cluster';
import { ClusterProfiles, PROFILE_ACTIONS } from './cluster-profiles';
import { acknowledgeProviderFindings } from './nag-acknowledgments';

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
 * The stack-wide provider. Use {@link FargateProfileProvider.getOrCreate}.
 * @internal
 */
export class FargateProfileProvider extends Construct {
  /** Fixed id under the Stack, so every profile in the stack finds the same one. */
  public static readonly ID = 'EksFargateProfileProvider';

  /** The provider of `scope`'s stack, created on first use. */
  public static getOrCreate(scope: IConstruct): FargateProfileProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(FargateProfileProvider.ID);
    if (existing) {
      if (!(existing instanceof FargateProfileProvider)) {
        throw new Error(`${stack.node.path}: the construct id "${FargateProfileProvider.ID}" is reserved for the Fargate profile provider`);
      }
      return existing;
    }
    return new FargateProfileProvider(stack, FargateProfileProvider.ID);
  }

  /** `ServiceToken` of every profile's CustomResource. */
  public readonly serviceToken: string;
  /** Shared by the onEvent and isComplete functions. */
  public readonly handlerRole: iam.Role;

  /** By the cluster's identity: every object standing for one cluster finds the same. */
  private readonly clusters = new Map<string, ClusterProfiles>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    this.handlerRole = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Creates, tags and deletes the EKS Fargate profiles of this stack',
    });

    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', { retention: LOG_RETENTION });
    // Written through this grant only; no managed policy with logs:* on every log group.
    handlerLogs.grantWrite(this.handlerRole);

    const code = lambda.Code.fromAsset(HANDLER_ASSET_DIR);
    const handlerProps = {
      code,
      // The current Node.js LTS runtime, which the bundle targets (esbuild --target=node24, .projenrc.ts).
      runtime: lambda.Runtime.NODEJS_24_X,
      role: this.handlerRole,
      logGroup: handlerLogs,
      environment: { [HANDLER_ROLE_ARN_ENV]: this.handlerRole.roleArn },
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
    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', { retention: LOG_RETENTION });
    const frameworkRole = (roleId: string, runs: string) => {
      const role = new iam.Role(this, roleId, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runs the provider framework's ${runs} function of the EKS Fargate profiles of this stack`,
      });
      providerLogs.grantWrite(role);
      return role;
    };
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: providerLogs,
      frameworkOnEventRole: frameworkRole('FrameworkOnEventRole', 'onEvent'),
      frameworkCompleteAndTimeoutRole: frameworkRole('FrameworkCompleteRole', 'isComplete and onTimeout'),
      // Off in every aws-cdk-lib version (older ones default to on): enabling it grants the waiter's
      // role logs:PutLogEvents and log-delivery actions on Resource '*'. See nag-acknowledgments.ts.
      disableWaiterStateMachineLogging: true,
    });
    this.serviceToken = provider.serviceToken;
    // cdk-nag: design-intrinsic findings only, see nag-acknowledgments.ts
    acknowledgeProviderFindings(this, { profileActions: PROFILE_ACTIONS, unscopedActions: EC2_LOOKUP_ACTIONS });

    // Not per cluster: the same lookups whichever cluster a profile is created in.
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: EC2_LOOKUP_SID,
      actions: EC2_LOOKUP_ACTIONS,
      resources: ['*'],
    }));

    // EKS needs the Fargate service-linked role; the caller creates it on first use.
    const serviceLinkedRoleArn = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: FARGATE_SERVICE_LINKED_ROLE,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [serviceLinkedRoleArn],
      conditions: { StringEquals: { 'iam:AWSServiceName': FARGATE_SERVICE } },
    }));
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:GetRole'],
      resources: [serviceLinkedRoleArn],
    }));
  }

  /** What this stack's profiles of `cluster` share, created with the first of them. */
  public clusterProfiles(cluster: ProfileCluster): ClusterProfiles {
    let shared = this.clusters.get(cluster.key);
    if (!shared) {
      shared = new ClusterProfiles(this, cluster.id, cluster, this.handlerRole);
      this.clusters.set(cluster.key, shared);
    }
    return shared;
  }
}
