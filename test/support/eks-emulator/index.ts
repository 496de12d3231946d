/**
 * In-process emulator of the Amazon EKS Fargate-profile API, for tests and benchmarks: an HTTP
 * server on 127.0.0.1 (random port) that the real `@aws-sdk/client-eks` reaches through
 * `AWS_ENDPOINT_URL_EKS`, raising its real exception classes.
 *
 * ## Public API (stable: add, don't rename)
 * ```ts
 * const emulator = await EksEmulator.start({ createDelayMs: 300, deleteDelayMs: 300, seed: 1, clock? });
 * emulator.endpoint                       // 'http://127.0.0.1:<port>'
 * const restore = emulator.useInProcessEnv(); // sets AWS_ENDPOINT_URL_EKS, AWS_REGION, fake creds
 * emulator.environment()                  // the same variables as a record (child processes)
 * emulator.clientConfig()                 // { endpoint, region, credentials } for `new EKSClient(...)`
 * emulator.addCluster('demo', { privateSubnets? });  emulator.markSubnetPublic('subnet-pub');
 * emulator.createDelayMs = 50; emulator.deleteDelayMs = 50;        // emulator-wide defaults
 * emulator.setProfileDelays('p', { createDelayMs?, deleteDelayMs? }); // per profile name
 *   (delays are fixed when a create/delete is accepted; later changes affect later requests only)
 * emulator.deleteBlockedByCreating = false; emulator.maxProfilesPerCluster = 10;
 *
 * // Faults (faults.ts): one options shape; `cluster`, `profile` and `times` (default 1) are optional.
 * emulator.injectFault({ operation: 'CreateFargateProfile', profile: 'p', healthIssues: issue }); // ends CREATE_FAILED
 * emulator.injectFault({ operation: 'DeleteFargateProfile', cluster: 'demo', healthIssues: [a, b] }); // DELETE_FAILED
 * emulator.injectFault({ error: 'ThrottlingException', operation: 'DescribeFargateProfile', times: 2 }); // call errors
 * emulator.injectFault({ error: 'ServerException', message: 'boom' });                       // any next call
 * emulator.faults.iamPropagationMs / .throttleProbability / .serverErrorProbability
 * emulator.seeRole(roleArn)                   // start a role's IAM propagation window now
 * emulator.setClusterUpdating('demo', true)   // "currently has an update in progress"
 * emulator.deleteClusterOutOfBand('demo'); emulator.deleteProfileOutOfBand('demo', 'p');
 * emulator.untagProfileOutOfBand('demo', 'p', ['key'])   // e.g. a profile made before ownership markers
 * emulator.authorizer = call => denial | undefined  // a test's own refusals (authorization.ts); none by default
 *
 * // IAM (authorization.ts, caller-policies.ts, iam-policy.ts): off until a caller policy is installed;
 * // then every call is authorized as that caller, with what real EKS checks (see IamAuthorizer).
 * // Statements are plain strings (intrinsics resolved); one set per AWS::IAM::Policy or inline policy.
 * emulator.setCallerPolicy({ callerArn, statements, effectiveAfterMs? })        // the caller's only policy
 * emulator.addCallerPolicy('Stack/HandlerPolicy', { callerArn, statements, effectiveAfterMs? }) // one more set
 * emulator.removeCallerPolicy('Stack/HandlerPolicy')   // stops applying at once
 * emulator.clearCallerPolicies()                      // no policy at all: authorization off again
 * emulator.policyPropagationMs = 2_000   // a set installed at t takes effect at t + this (default 0, option too)
 * emulator.fargateServiceLinkedRoleExists  // false until a create may create it (option: start with true)
 * emulator.callerPolicies()               // the installed sets, with installedAt / effectiveAt
 *
 * // Observation (no HTTP)
 * emulator.describe('demo', 'p') / emulator.profiles('demo')   // snapshots
 * emulator.calls / emulator.callCount({ operation?, cluster?, profile?, outcome? }) / emulator.counters()
 * emulator.clearCalls()
 * emulator.timeline('demo', 'p') / emulator.timelines()        // createRequestedAt, activeAt, goneAt, ...
 * await emulator.stop();
 * ```
 *
 * ## Where things live
 * - http.ts: routes, the REST-JSON wire format, error responses, the call log entry of each request.
 * - Each request then runs this pipeline (`handle` below): due status transitions (state.ts), faults
 *   (faults.ts), authorization (authorization.ts), input rules (input-rules.ts), the operation
 *   (operations.ts, with the conflict rules).
 * - state.ts: clusters, profiles, lazy status transitions from timestamps, timelines.
 * - authorization.ts: the authorization step and what EKS authorizes; caller-policies.ts: the installed
 *   caller policies and their propagation; iam-policy.ts: IAM policy evaluation.
 * - types.ts: the public types; errors.ts: error types and their HTTP statuses; call-log.ts: the call log.
 * Every modelled behaviour cites its source next to the code, or says it is our assumption.
 */
import { seededRandom } from '../prng';
import { Authorizer, authorize, IamAuthorizer } from './authorization';
import { CallLog } from './call-log';
import { CallerPolicies, CallerPolicy, InstalledCallerPolicy } from './caller-policies';
import { FaultInjector, FaultOptions } from './faults';
import { HttpFrontEnd, Reply, RequestContext } from './http';
import { checkInput } from './input-rules';
import { Operations, ServiceSettings } from './operations';
import { DEFAULT_PRIVATE_SUBNETS, EmulatorState, nonNegative } from './state';
import type {
  CallFilter, CallRecord, ClusterOptions, EksEmulatorOptions, EmulatedProfile, EmulatorFaults,
  ProfileDelays, ProfileTimeline,
} from './types';

export type { Authorizer, CallToAuthorize, Denial } from './authorization';
export { FARGATE_SLR_NAME, FARGATE_SLR_SERVICE, UNKNOWN_PROFILE_UUID } from './authorization';
export type { CallerPolicy, InstalledCallerPolicy } from './caller-policies';
export type { AuthorizationRequest, Decision, PolicyStatement } from './iam-policy';
export type { CallErrorFault, FaultOptions, HealthIssueFault } from './faults';
export { IAM_TRUST_POLICY_MESSAGE } from './operations';
export { DEFAULT_PRIVATE_SUBNETS } from './state';
export type {
  CallFilter, CallRecord, ClusterOptions, EksEmulatorOptions, EksOperation, EmulatedProfile, EmulatorFaults, HealthIssue,
  ProfileDelays, ProfileSelector, ProfileStatus, ProfileTimeline,
} from './types';

const FAKE_CREDENTIALS = { accessKeyId: 'emulator-fake', secretAccessKey: 'emulator-fake' };

export class EksEmulator implements ServiceSettings {
  /** Starts the HTTP server on 127.0.0.1 with a random port. */
  public static async start(options: EksEmulatorOptions = {}): Promise<EksEmulator> {
    const emulator = new EksEmulator(options);
    emulator.http = await HttpFrontEnd.listen((ctx) => emulator.handle(ctx), emulator.callLog, emulator.state.clock);
    return emulator;
  }

  /** Emulator-wide default delay CREATING -> ACTIVE, ms. */
  public createDelayMs: number;
  /** Emulator-wide default delay DELETING -> gone, ms. */
  public deleteDelayMs: number;
  public readonly region: string;
  public readonly accountId: string;
  public deleteBlockedByCreating: boolean;
  public maxProfilesPerCluster: number;
  /** The probabilistic faults and the IAM propagation window, read on every request. */
  public readonly faults: EmulatorFaults;
  /** A test's own refusals, asked before IAM. Unset: none. */
  public authorizer?: Authorizer;

  private readonly state: EmulatorState;
  private readonly injector: FaultInjector;
  private readonly operations: Operations;
  private readonly callLog = new CallLog();
  private readonly policies = new CallerPolicies();
  private readonly iam: IamAuthorizer;
  private http!: HttpFrontEnd;

  private constructor(options: EksEmulatorOptions) {
    this.createDelayMs = nonNegative('createDelayMs', options.createDelayMs ?? 300);
    this.deleteDelayMs = nonNegative('deleteDelayMs', options.deleteDelayMs ?? 300);
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.deleteBlockedByCreating = options.deleteBlockedByCreating ?? true;
    this.maxProfilesPerCluster = options.maxProfilesPerCluster ?? 10; // the service quota's default
    const seed = options.seed ?? 1;
    // Two PRNG streams, so that adding profiles does not shift the fault sequence.
    this.injector = new FaultInjector(seededRandom(seed));
    this.state = new EmulatorState(this.region, this.accountId, options.clock ?? Date.now, seededRandom(seed + 0x5eed));
    this.faults = this.injector.knobs;
    this.operations = new Operations(this.state, this.injector, this);
    this.policies.propagationMs = nonNegative('policyPropagationMs', options.policyPropagationMs ?? 0);
    this.iam = new IamAuthorizer(this.state, this.policies, options.fargateServiceLinkedRoleExists ?? false);
  }

  /** Base URL for `AWS_ENDPOINT_URL_EKS` / the client's `endpoint`. */
  public get endpoint(): string {
    return this.http.endpoint;
  }

  /** Environment variables that point the AWS SDK at this emulator with obviously fake credentials. */
  public environment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_EKS: this.endpoint,
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  /**
   * Applies {@link environment} to `process.env` (and removes AWS_SESSION_TOKEN / AWS_PROFILE so no
   * real profile is consulted). Returns a function that restores the previous values.
   */
  public useInProcessEnv(): () => void {
    const vars: Record<string, string | undefined> = { ...this.environment(), AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined };
    const previous = new Map<string, string | undefined>();
    for (const [key, value] of Object.entries(vars)) {
      previous.set(key, process.env[key]);
      setEnv(key, value);
    }
    return () => {
      for (const [key, value] of previous) setEnv(key, value);
    };
  }

  /** Config for `new EKSClient(...)` that does not depend on `process.env`. */
  public clientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
    return { endpoint: this.endpoint, region: this.region, credentials: { ...FAKE_CREDENTIALS } };
  }

  /** Closes the server and every open connection. */
  public async stop(): Promise<void> {
    await this.http.stop();
  }

  // ---------------------------------------------------------------------------------------------
  // Test set-up

  public addCluster(name: string, options: ClusterOptions = {}): void {
    this.state.addCluster(name, options.privateSubnets ?? DEFAULT_PRIVATE_SUBNETS);
  }

  /** Creates naming this subnet fail with InvalidParameterException (not a private subnet). */
  public markSubnetPublic(subnetId: string): void {
    this.state.publicSubnets.add(subnetId);
  }

  /** Starts the IAM propagation window for a role now, as if IAM had just created it. */
  public seeRole(roleArn: string): void {
    this.injector.seeRole(roleArn, this.state.clock());
  }

  // ---------------------------------------------------------------------------------------------
  // IAM: the caller's identity policies (see the header and authorization.ts)

  /** Replaces every caller policy with this one (authorization on). */
  public setCallerPolicy(policy: CallerPolicy): void {
    this.policies.clear();
    this.policies.add('caller', policy, this.state.clock());
  }

  /** Installs (or replaces) one statement set of the caller, e.g. one per AWS::IAM::Policy (authorization on). */
  public addCallerPolicy(id: string, policy: CallerPolicy): void {
    this.policies.add(id, policy, this.state.clock());
  }

  /** Removes one statement set now; authorization stays on. */
  public removeCallerPolicy(id: string): void {
    this.policies.remove(id);
  }

  /** Removes every caller policy and turns authorization off: every call is allowed again. */
  public clearCallerPolicies(): void {
    this.policies.clear();
  }

  /** The installed caller policies, oldest first. */
  public callerPolicies(): InstalledCallerPolicy[] {
    return this.policies.list();
  }

  /** How long after it is installed a caller policy takes effect, ms (applies to later installs). */
  public get policyPropagationMs(): number {
    return this.policies.propagationMs;
  }

  public set policyPropagationMs(ms: number) {
    this.policies.propagationMs = nonNegative('policyPropagationMs', ms);
  }

  /** Whether the account has the Fargate service-linked role (a create that may create it does). */
  public get fargateServiceLinkedRoleExists(): boolean {
    return this.iam.serviceLinkedRoleExists;
  }

  public set fargateServiceLinkedRoleExists(exists: boolean) {
    this.iam.serviceLinkedRoleExists = exists;
  }

  // ---------------------------------------------------------------------------------------------

  /** Overrides the emulator-wide delays for profiles with this name (any cluster). */
  public setProfileDelays(profileName: string, delays: ProfileDelays): void {
    this.state.setProfileDelays(profileName, delays);
  }

  /** Injects a fault: a call error, or CREATE_FAILED / DELETE_FAILED health issues (see faults.ts). */
  public injectFault(options: FaultOptions): void {
    this.injector.inject(options, (method, name) => this.state.requireCluster(method, name));
  }

  /** While true, creates and deletes in the cluster fail: "currently has an update in progress". */
  public setClusterUpdating(cluster: string, updating: boolean): void {
    this.state.requireCluster('setClusterUpdating', cluster).updating = updating;
  }

  /** The cluster and all its profiles vanish now (someone deleted them outside the stack). */
  public deleteClusterOutOfBand(cluster: string): void {
    this.state.deleteClusterOutOfBand(cluster);
  }

  /** The profile vanishes now, whatever its status. */
  public deleteProfileOutOfBand(cluster: string, profileName: string): void {
    this.state.deleteProfileOutOfBand(cluster, profileName);
  }

  /** The profile loses these tags now, without an authorized call (someone with other permissions). */
  public untagProfileOutOfBand(cluster: string, profileName: string, keys: readonly string[]): void {
    const profile = this.state.requireCluster('untagProfileOutOfBand', cluster).profiles.get(profileName);
    if (!profile) throw new Error(`EksEmulator.untagProfileOutOfBand: no profile '${profileName}' in cluster '${cluster}'`);
    for (const key of keys) delete profile.tags[key];
  }

  // ---------------------------------------------------------------------------------------------
  // Observation

  /** Current state of a profile, or undefined if it does not exist (or the cluster does not). */
  public describe(cluster: string, profileName: string): EmulatedProfile | undefined {
    return this.state.describe(cluster, profileName);
  }

  /** All current profiles of a cluster (empty for an unknown or deleted cluster). */
  public profiles(cluster: string): EmulatedProfile[] {
    return this.state.profiles(cluster);
  }

  /** Every call so far, oldest first. */
  public get calls(): readonly CallRecord[] {
    return this.callLog.all;
  }

  public callCount(filter: CallFilter = {}): number {
    return this.callLog.count(filter);
  }

  /** Calls per operation per profile name ('-' for calls without a profile). */
  public counters(): Record<string, Record<string, number>> {
    return this.callLog.counters();
  }

  public clearCalls(): void {
    this.callLog.clear();
  }

  /** Timeline of the latest incarnation of this profile (profiles can be re-created by name). */
  public timeline(cluster: string, profileName: string): ProfileTimeline | undefined {
    return this.state.timeline(cluster, profileName);
  }

  /** Timelines of every profile incarnation ever created, oldest first. */
  public timelines(): ProfileTimeline[] {
    return this.state.timelines();
  }

  // ---------------------------------------------------------------------------------------------

  /** The request pipeline: due transitions, faults, authorization, input rules, the operation. */
  private handle(ctx: RequestContext): Reply {
    this.state.advance();
    this.injector.raiseCallError(ctx);
    authorize([this.authorizer, this.iam.check], ctx);
    return this.operations.apply(checkInput(ctx, this.state));
  }
}

function setEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
