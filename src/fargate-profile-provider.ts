// The custom resource provider behind every FargateProfile in a stack: one per
// stack, shared, so adding profiles never adds Lambda functions. Its handler role
// gains permissions per cluster and per pod execution role as profiles are added.
import * as path from 'path';
import { ArnFormat, Aws, Duration, Names, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeProviderFindings } from './nag-acknowledgments';

/** Where the bundle lives; resolves from src/ (ts-jest) and from lib/ (compiled). */
const HANDLER_ASSET_DIR = path.join(__dirname, '..', 'assets', 'fargate-profile-handler');

/** The Fargate service principal that assumes pod execution roles. */
export const FARGATE_PODS_PRINCIPAL = 'eks-fargate-pods.amazonaws.com';

// EKS creates this service-linked role on the first CreateFargateProfile in an account.
const FARGATE_SERVICE = 'eks-fargate.amazonaws.com';
const FARGATE_SERVICE_LINKED_ROLE = `aws-service-role/${FARGATE_SERVICE}/AWSServiceRoleForAmazonEKSForFargate`;

/** Timing of the Provider framework (see the wire contract in README). */
export const ON_EVENT_TIMEOUT = Duration.minutes(2);
export const IS_COMPLETE_TIMEOUT = Duration.minutes(5);
export const QUERY_INTERVAL = Duration.seconds(10);
export const TOTAL_TIMEOUT = Duration.hours(1);
/** What the handler does to the profiles of a cluster, on `fargateprofile/<cluster>/*`. */
export const PROFILE_ACTIONS = [
  'eks:DescribeFargateProfile',
  'eks:DeleteFargateProfile',
  'eks:TagResource',
  'eks:UntagResource',
];
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

  private readonly clusters = new Map<eks.ICluster, ClusterGrants>();

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
    acknowledgeProviderFindings(this, { profileActions: PROFILE_ACTIONS });

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

  /**
   * Lets the handler manage the profiles of `cluster` and pass `podExecutionRole`.
   *
   * Returns the policy holding those permissions, which the profile must depend on,
   * and the profile registered last for the same cluster, which it must wait for.
   */
  public registerProfile(cluster: eks.ICluster, profile: IConstruct, podExecutionRole: iam.IRole): ProfileRegistration {
    const grants = this.clusters.get(cluster) ?? this.grantCluster(cluster);
    const previous = grants.lastProfile;
    grants.lastProfile = profile;
    if (!grants.passedRoles.has(podExecutionRole.roleArn)) {
      grants.passedRoles.add(podExecutionRole.roleArn);
      grants.passRole.addResources(podExecutionRole.roleArn);
    }
    return { permissions: grants.policy, previousProfile: previous };
  }

  /**
   * One policy per cluster, so that CloudFormation orders it with the profiles: it exists
   * before the first of them is created, and when the last one leaves the stack, the
   * profile is deleted (cleanup phase) before the permissions to delete it are.
   */
  private grantCluster(cluster: eks.ICluster): ClusterGrants {
    const passRole = new iam.PolicyStatement({ actions: ['iam:PassRole'] });
    const policy = new iam.Policy(this, `Permissions${Names.uniqueId(cluster)}`, {
      roles: [this.handlerRole],
      statements: [
        // Exactly the calls the handler makes. CreateFargateProfile acts on the cluster;
        // the others on its profiles (the handler reads tags from DescribeFargateProfile).
        new iam.PolicyStatement({
          actions: ['eks:CreateFargateProfile'],
          resources: [cluster.clusterArn],
        }),
        new iam.PolicyStatement({
          actions: PROFILE_ACTIONS,
          resources: [fargateProfileArnPattern(this, cluster.clusterName)],
        }),
        // Filled with each profile's pod execution role as profiles are registered.
        passRole,
      ],
    });
    const grants: ClusterGrants = { policy, passRole, passedRoles: new Set() };
    this.clusters.set(cluster, grants);
    return grants;
  }
}

/** What a profile needs from the provider to be ordered correctly. */
export interface ProfileRegistration {
  /** The handler's permissions for the profile's cluster. */
  readonly permissions: IConstruct;
  /** The profile registered before this one for the same cluster, if any. */
  readonly previousProfile?: IConstruct;
}

interface ClusterGrants {
  readonly policy: iam.Policy;
  readonly passRole: iam.PolicyStatement;
  readonly passedRoles: Set<string>;
  lastProfile?: IConstruct;
}

/** `arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/*`: every profile of one cluster. */
export function fargateProfileArnPattern(scope: IConstruct, clusterName: string): string {
  return Stack.of(scope).formatArn({
    partition: Aws.PARTITION,
    service: 'eks',
    resource: 'fargateprofile',
    resourceName: `${clusterName}/*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
