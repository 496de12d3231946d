/**
 * In-process emulator of the Amazon EKS Fargate-profile API, for tests and benchmarks.
 *
 * An HTTP server on 127.0.0.1 (random port) speaking EKS's REST-JSON protocol, so the real
 * `@aws-sdk/client-eks` reaches it through `AWS_ENDPOINT_URL_EKS` and raises its real exception
 * classes (errors carry the service's `x-amzn-errortype` header, HTTP status and JSON `message`).
 *
 * ## Public API (stable: add, don't rename)
 * ```ts
 * const emulator = await EksEmulator.start({ createDelayMs: 300, deleteDelayMs: 300, seed: 1 });
 * emulator.endpoint                       // 'http://127.0.0.1:<port>'
 * const restore = emulator.useInProcessEnv(); // sets AWS_ENDPOINT_URL_EKS, AWS_REGION, fake creds
 * emulator.environment()                  // the same variables as a record (child processes)
 * emulator.clientConfig()                 // { endpoint, region, credentials } for `new EKSClient(...)`
 * emulator.addCluster('demo', { privateSubnets? });  emulator.markSubnetPublic('subnet-pub');
 * emulator.createDelayMs = 50; emulator.deleteDelayMs = 50;        // emulator-wide defaults
 * emulator.setProfileDelays('p', { createDelayMs?, deleteDelayMs? }); // per profile name
 *   (delays are fixed when a create/delete is accepted; later changes affect later requests only)
 * emulator.faults.iamPropagationMs / .throttleProbability / .serverErrorProbability
 * emulator.seeRole(roleArn)                 // start a role's IAM propagation window now
 * emulator.deleteBlockedByCreating = false; emulator.maxProfilesPerCluster = 10;
 * emulator.failNextCalls('ServerException', { operation?, profile?, count?, message? });
 * emulator.failCreate('p', issue | issues, times?) / emulator.failNextCreate('demo', issue | issues)
 * emulator.failDelete('p', issue | issues, times?) / emulator.failNextDelete('demo', issue | issues)
 * emulator.setClusterUpdating('demo', true)   // "currently has an update in progress"
 * emulator.deleteClusterOutOfBand('demo'); emulator.deleteProfileOutOfBand('demo', 'p');
 * emulator.describe('demo', 'p') / emulator.profiles('demo')   // snapshots, no HTTP
 * emulator.calls / emulator.callCount({ operation?, cluster?, profile?, outcome? }) / emulator.counters()
 * emulator.clearCalls()
 * emulator.timeline('demo', 'p') / emulator.timelines()        // createRequestedAt, activeAt, goneAt, ...
 * await emulator.stop();
 * ```
 *
 * ## Behaviour and the choices made where the docs are silent
 * - Operations: Create/Describe/Delete/ListFargateProfiles, TagResource, UntagResource,
 *   ListTagsForResource (profile ARNs only) and DescribeCluster.
 * - Time: CREATING -> ACTIVE (or CREATE_FAILED) and DELETING -> gone (or DELETE_FAILED) after the
 *   configured delays. Transitions are computed lazily from timestamps on every request and every
 *   snapshot call, so there are no timers; the recorded transition time is the scheduled one, which
 *   lets benchmarks measure how late a poller noticed. An injectable `clock` serves unit tests.
 * - One at a time: a create is refused (ResourceInUseException) while any profile of the cluster is
 *   CREATING or DELETING; a delete is refused while any profile is DELETING and, by default, also
 *   while any profile is CREATING (`deleteBlockedByCreating: true`, the conservative reading: the
 *   live service is known to serialize these, and a handler that copes with the stricter rule copes
 *   with both). Deleting a profile that is itself CREATING or already DELETING is therefore a
 *   ResourceInUseException naming that same profile.
 * - Name in use wins over the one-at-a-time rule; an idempotent replay (same `clientRequestToken`,
 *   same parameters, profile still present) wins over both and returns the stored profile. The same
 *   token with different parameters is an InvalidParameterException.
 * - Validation messages for selectors/names/subnets are the emulator's own wording except where the
 *   service's is known (conflicts, name in use, IAM trust policy, not found, private subnets).
 * - The IAM propagation fault starts its window when a role ARN is first seen in a create request
 *   that passed validation (or at `seeRole(arn)`).
 * - Tag operations follow their own error model: BadRequestException / NotFoundException.
 * - Faults are checked before anything else, in this order: `failNextCalls` queue, then
 *   `throttleProbability`, then `serverErrorProbability` (the seeded PRNG is drawn only while a
 *   probability is > 0, so a run is reproducible for a given seed and call sequence). In SDK
 *   3.1169.0 ThrottlingException is part of the EKS model (HTTP 429); the SDK's standard retry
 *   strategy retries it as throttling and retries ServerException (500) as a server error. An
 *   error type outside the model surfaces as `EKSServiceException` with that `name`.
 * - `clientRequestToken`s are remembered per cluster while the profile they created exists.
 * - Unknown routes answer 404 UnknownOperationException; a body that is not JSON, 400
 *   BadRequestException. Every request, failed or not, is in the call log.
 * - At most `maxProfilesPerCluster` (default 10, the service quota) profiles per cluster.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom, seededUuid } from './prng';

export type ProfileStatus = 'CREATING' | 'ACTIVE' | 'DELETING' | 'CREATE_FAILED' | 'DELETE_FAILED';

export type EksOperation =
  | 'CreateFargateProfile'
  | 'DescribeFargateProfile'
  | 'DeleteFargateProfile'
  | 'ListFargateProfiles'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource'
  | 'DescribeCluster';

/** One entry of a profile's `health.issues`. */
export interface HealthIssue {
  readonly code: string;
  readonly message: string;
  readonly resourceIds?: string[];
}

export interface ProfileSelector {
  readonly namespace: string;
  readonly labels?: Record<string, string>;
}

/** A profile as DescribeFargateProfile returns it (with `createdAt` as a Date). */
export interface EmulatedProfile {
  readonly fargateProfileName: string;
  readonly fargateProfileArn: string;
  readonly clusterName: string;
  readonly createdAt: Date;
  readonly podExecutionRoleArn: string;
  readonly subnets: string[];
  readonly selectors: ProfileSelector[];
  readonly status: ProfileStatus;
  readonly tags: Record<string, string>;
  readonly health: { readonly issues: HealthIssue[] };
}

/** When things happened to one incarnation of a profile (emulator clock, epoch ms). */
export interface ProfileTimeline {
  readonly cluster: string;
  readonly name: string;
  readonly arn: string;
  readonly createRequestedAt: number;
  /** Scheduled moment the profile became ACTIVE. */
  readonly activeAt?: number;
  readonly createFailedAt?: number;
  /** Last accepted DeleteFargateProfile. */
  readonly deleteRequestedAt?: number;
  readonly deleteFailedAt?: number;
  /** Scheduled moment the profile disappeared (or the out-of-band deletion time). */
  readonly goneAt?: number;
  readonly deletedOutOfBand?: boolean;
}

/** One HTTP call as the emulator saw it. */
export interface CallRecord {
  readonly operation: EksOperation | 'Unknown';
  readonly cluster?: string;
  readonly profile?: string;
  /** Emulator clock, epoch ms, when the request was handled. */
  readonly at: number;
  readonly httpStatus: number;
  /** 'OK' or the error type, e.g. 'ResourceInUseException'. */
  readonly outcome: string;
  readonly message?: string;
}

export interface CallFilter {
  readonly operation?: EksOperation;
  readonly cluster?: string;
  readonly profile?: string;
  readonly outcome?: string;
}

/** Mutable fault knobs, read on every request. */
export interface EmulatorFaults {
  /** Window after a role ARN is first seen during which creates fail with the trust-policy error. */
  iamPropagationMs: number;
  /** Probability (0..1) that any call is answered with ThrottlingException (HTTP 429). */
  throttleProbability: number;
  /** Probability (0..1) that any call is answered with ServerException (HTTP 500). */
  serverErrorProbability: number;
}

export interface ProfileDelays {
  readonly createDelayMs?: number;
  readonly deleteDelayMs?: number;
}

export interface InjectedErrorOptions {
  /** Only calls of this operation; default any. */
  readonly operation?: EksOperation;
  /** Only calls about this profile name; default any. */
  readonly profile?: string;
  /** How many calls fail; default 1. */
  readonly count?: number;
  readonly message?: string;
}

export interface ClusterOptions {
  /** Used when a create omits `subnets`. Default two fixed private subnet IDs. */
  readonly privateSubnets?: string[];
}

export interface EksEmulatorOptions {
  /** Default 300. */
  readonly createDelayMs?: number;
  /** Default 300. */
  readonly deleteDelayMs?: number;
  /** Seed of the PRNG behind probabilistic faults and profile UUIDs. Default 1. */
  readonly seed?: number;
  /** Default 'us-east-1'. */
  readonly region?: string;
  /** Default '123456789012'. */
  readonly accountId?: string;
  /** Epoch-ms clock. Default `Date.now`. */
  readonly clock?: () => number;
  /** Whether a CREATING profile blocks deletes in its cluster. Default true (see header). */
  readonly deleteBlockedByCreating?: boolean;
  /** Service quota. Default 10. */
  readonly maxProfilesPerCluster?: number;
}

/** The service's message for an IAM role whose trust policy has not propagated yet. */
export const IAM_TRUST_POLICY_MESSAGE =
  'Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal';

export const DEFAULT_PRIVATE_SUBNETS = ['subnet-0private00000000a', 'subnet-0private00000000b'];

const MAX_SELECTORS = 5;
const MAX_LABELS = 5;
const MAX_NAME_LENGTH = 100;
const MAX_TAGS = 50;
const NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const PROFILE_ARN_PATTERN = /^arn:aws[a-z-]*:eks:([^:]+):(\d{12}):fargateprofile\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** HTTP status the service uses for each error type the emulator raises. */
const ERROR_STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  BadRequestException: 400,
  ClientException: 400,
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  NotFoundException: 404,
  ResourceInUseException: 409,
  ResourceLimitExceededException: 400,
  ResourceNotFoundException: 404,
  ServerException: 500,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  UnknownOperationException: 404,
};

interface MutableTimeline {
  cluster: string;
  name: string;
  arn: string;
  createRequestedAt: number;
  activeAt?: number;
  createFailedAt?: number;
  deleteRequestedAt?: number;
  deleteFailedAt?: number;
  goneAt?: number;
  deletedOutOfBand?: boolean;
}

interface ProfileRecord {
  readonly cluster: string;
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly roleArn: string;
  readonly subnets: string[];
  readonly selectors: ProfileSelector[];
  readonly tags: Record<string, string>;
  readonly fingerprint: string;
  status: ProfileStatus;
  issues: HealthIssue[];
  readonly timeline: MutableTimeline;
  createCompletesAt: number;
  createFailure?: HealthIssue[];
  deleteCompletesAt?: number;
  deleteFailure?: HealthIssue[];
}

interface ClusterRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly privateSubnets: string[];
  readonly profiles: Map<string, ProfileRecord>;
  /** clientRequestToken -> the profile that token created. */
  readonly tokens: Map<string, ProfileRecord>;
  readonly nextCreateFailures: HealthIssue[][];
  readonly nextDeleteFailures: HealthIssue[][];
  updating: boolean;
}

interface FailureBudget {
  readonly issues: HealthIssue[];
  remaining: number;
}

interface InjectedError {
  readonly error: string;
  readonly operation?: EksOperation;
  readonly profile?: string;
  readonly message?: string;
  remaining: number;
}

interface RequestContext {
  operation: EksOperation | 'Unknown';
  cluster?: string;
  profile?: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  resourceArn?: string;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** An error in the service's wire format. */
class EksError extends Error {
  readonly status: number;
  constructor(readonly errorType: string, message: string, readonly fields: Record<string, string | undefined> = {}) {
    super(message);
    this.status = ERROR_STATUS[errorType] ?? 400;
  }
}

export class EksEmulator {
  /** Starts the HTTP server on 127.0.0.1 with a random port. */
  public static async start(options: EksEmulatorOptions = {}): Promise<EksEmulator> {
    const emulator = new EksEmulator(options);
    await emulator.listen();
    return emulator;
  }

  /** Emulator-wide default delay CREATING -> ACTIVE, ms. */
  public createDelayMs: number;
  /** Emulator-wide default delay DELETING -> gone, ms. */
  public deleteDelayMs: number;
  public readonly region: string;
  public readonly accountId: string;
  public readonly faults: EmulatorFaults = { iamPropagationMs: 0, throttleProbability: 0, serverErrorProbability: 0 };
  public deleteBlockedByCreating: boolean;
  public maxProfilesPerCluster: number;

  private readonly clock: () => number;
  private readonly faultRandom: () => number;
  private readonly idRandom: () => number;
  private readonly server: http.Server;
  private port = 0;
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly publicSubnets = new Set<string>();
  private readonly roleFirstSeen = new Map<string, number>();
  private readonly profileDelays = new Map<string, ProfileDelays>();
  private readonly createFailures = new Map<string, FailureBudget>();
  private readonly deleteFailures = new Map<string, FailureBudget>();
  private readonly injectedErrors: InjectedError[] = [];
  private readonly callLog: CallRecord[] = [];
  private readonly allTimelines: MutableTimeline[] = [];

  private constructor(options: EksEmulatorOptions) {
    this.createDelayMs = nonNegative('createDelayMs', options.createDelayMs ?? 300);
    this.deleteDelayMs = nonNegative('deleteDelayMs', options.deleteDelayMs ?? 300);
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.clock = options.clock ?? Date.now;
    const seed = options.seed ?? 1;
    this.faultRandom = seededRandom(seed);
    // A separate stream, so adding profiles does not shift the fault sequence.
    this.idRandom = seededRandom(seed + 0x5eed);
    this.deleteBlockedByCreating = options.deleteBlockedByCreating ?? true;
    this.maxProfilesPerCluster = options.maxProfilesPerCluster ?? 10;
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((err) => {
        // Never leave the SDK hanging on an emulator bug: answer 500 and say why.
        if (!res.headersSent) {
          sendError(res, new EksError('ServerException', `Emulator bug: ${String(err?.stack ?? err)}`));
        } else {
          res.destroy();
        }
      });
    });
  }

  /** Base URL for `AWS_ENDPOINT_URL_EKS` / the client's `endpoint`. */
  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Environment variables that point the AWS SDK at this emulator with obviously fake credentials. */
  public environment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_EKS: this.endpoint,
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_ACCESS_KEY_ID: 'emulator-fake',
      AWS_SECRET_ACCESS_KEY: 'emulator-fake',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  /**
   * Applies {@link environment} to `process.env` (and removes AWS_SESSION_TOKEN / AWS_PROFILE so no
   * real profile is consulted). Returns a function that restores the previous values.
   */
  public useInProcessEnv(): () => void {
    const vars: Record<string, string | undefined> = {
      ...this.environment(),
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
    };
    const previous = new Map<string, string | undefined>();
    for (const [key, value] of Object.entries(vars)) {
      previous.set(key, process.env[key]);
      setEnv(key, value);
    }
    return () => {
      for (const [key, value] of previous) {
        setEnv(key, value);
      }
    };
  }

  /** Config for `new EKSClient(...)` that does not depend on `process.env`. */
  public clientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
    return {
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'emulator-fake', secretAccessKey: 'emulator-fake' },
    };
  }

  /** Closes the server and every open connection (the SDK keeps connections alive). */
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------
  // Test set-up

  public addCluster(name: string, options: ClusterOptions = {}): void {
    if (this.clusters.has(name)) {
      throw new Error(`EksEmulator.addCluster: cluster '${name}' already exists`);
    }
    this.clusters.set(name, {
      name,
      arn: `arn:aws:eks:${this.region}:${this.accountId}:cluster/${name}`,
      createdAt: this.clock(),
      privateSubnets: [...(options.privateSubnets ?? DEFAULT_PRIVATE_SUBNETS)],
      profiles: new Map(),
      tokens: new Map(),
      nextCreateFailures: [],
      nextDeleteFailures: [],
      updating: false,
    });
  }

  /** Creates naming this subnet fail with InvalidParameterException (not a private subnet). */
  public markSubnetPublic(subnetId: string): void {
    this.publicSubnets.add(subnetId);
  }

  /** Starts the IAM propagation window for a role now, as if IAM had just created it. */
  public seeRole(roleArn: string): void {
    this.roleFirstSeen.set(roleArn, this.clock());
  }

  /** Overrides the emulator-wide delays for profiles with this name (any cluster). */
  public setProfileDelays(profileName: string, delays: ProfileDelays): void {
    if (delays.createDelayMs !== undefined) nonNegative('createDelayMs', delays.createDelayMs);
    if (delays.deleteDelayMs !== undefined) nonNegative('deleteDelayMs', delays.deleteDelayMs);
    this.profileDelays.set(profileName, { ...this.profileDelays.get(profileName), ...delays });
  }

  /** The next `times` creates of a profile with this name end in CREATE_FAILED with these issues. */
  public failCreate(profileName: string, issues: HealthIssue | HealthIssue[], times = 1): void {
    this.createFailures.set(profileName, { issues: issueList(issues), remaining: times });
  }

  /** The next accepted create in this cluster ends in CREATE_FAILED with these issues. */
  public failNextCreate(cluster: string, issues: HealthIssue | HealthIssue[]): void {
    this.requireCluster('failNextCreate', cluster).nextCreateFailures.push(issueList(issues));
  }

  /** The next `times` deletes of a profile with this name end in DELETE_FAILED with these issues. */
  public failDelete(profileName: string, issues: HealthIssue | HealthIssue[], times = 1): void {
    this.deleteFailures.set(profileName, { issues: issueList(issues), remaining: times });
  }

  /** The next accepted delete in this cluster ends in DELETE_FAILED with these issues. */
  public failNextDelete(cluster: string, issues: HealthIssue | HealthIssue[]): void {
    this.requireCluster('failNextDelete', cluster).nextDeleteFailures.push(issueList(issues));
  }

  /**
   * The next `count` matching calls are answered with this error type (status from the service's
   * model, e.g. ThrottlingException 429, ServerException 500) before any other processing.
   */
  public failNextCalls(errorType: string, options: InjectedErrorOptions = {}): void {
    this.injectedErrors.push({
      error: errorType,
      operation: options.operation,
      profile: options.profile,
      message: options.message,
      remaining: options.count ?? 1,
    });
  }

  /** While true, creates and deletes in the cluster fail: "currently has an update in progress". */
  public setClusterUpdating(cluster: string, updating: boolean): void {
    this.requireCluster('setClusterUpdating', cluster).updating = updating;
  }

  /** The cluster and all its profiles vanish now (someone deleted them outside the stack). */
  public deleteClusterOutOfBand(cluster: string): void {
    const record = this.requireCluster('deleteClusterOutOfBand', cluster);
    this.advance();
    const now = this.clock();
    for (const profile of record.profiles.values()) {
      profile.timeline.goneAt = now;
      profile.timeline.deletedOutOfBand = true;
    }
    this.clusters.delete(cluster);
  }

  /** The profile vanishes now, whatever its status. */
  public deleteProfileOutOfBand(cluster: string, profileName: string): void {
    const record = this.requireCluster('deleteProfileOutOfBand', cluster);
    this.advance();
    const profile = record.profiles.get(profileName);
    if (!profile) {
      throw new Error(`EksEmulator.deleteProfileOutOfBand: no profile '${profileName}' in cluster '${cluster}'`);
    }
    profile.timeline.goneAt = this.clock();
    profile.timeline.deletedOutOfBand = true;
    record.profiles.delete(profileName);
  }

  // ---------------------------------------------------------------------------------------------
  // Observation

  /** Current state of a profile, or undefined if it does not exist (or the cluster does not). */
  public describe(cluster: string, profileName: string): EmulatedProfile | undefined {
    this.advance();
    const profile = this.clusters.get(cluster)?.profiles.get(profileName);
    return profile ? snapshot(profile) : undefined;
  }

  /** All current profiles of a cluster (empty for an unknown or deleted cluster). */
  public profiles(cluster: string): EmulatedProfile[] {
    this.advance();
    return [...(this.clusters.get(cluster)?.profiles.values() ?? [])].map(snapshot);
  }

  /** Every call so far, oldest first. */
  public get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  public callCount(filter: CallFilter = {}): number {
    return this.callLog.filter((call) => matches(call, filter)).length;
  }

  /** Calls per operation per profile name ('-' for calls without a profile). */
  public counters(): Record<string, Record<string, number>> {
    const result: Record<string, Record<string, number>> = {};
    for (const call of this.callLog) {
      const perProfile = (result[call.operation] ??= {});
      const key = call.profile ?? '-';
      perProfile[key] = (perProfile[key] ?? 0) + 1;
    }
    return result;
  }

  public clearCalls(): void {
    this.callLog.length = 0;
  }

  /** Timeline of the latest incarnation of this profile (profiles can be re-created by name). */
  public timeline(cluster: string, profileName: string): ProfileTimeline | undefined {
    this.advance();
    const all = this.allTimelines.filter((t) => t.cluster === cluster && t.name === profileName);
    return all.length > 0 ? { ...all[all.length - 1] } : undefined;
  }

  /** Timelines of every profile incarnation ever created, oldest first. */
  public timelines(): ProfileTimeline[] {
    this.advance();
    return this.allTimelines.map((t) => ({ ...t }));
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP plumbing

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const ctx = route(req.method ?? 'GET', url);
    const at = this.clock();
    try {
      ctx.body = parseBody(raw);
      if (ctx.operation === 'CreateFargateProfile' && typeof ctx.body.fargateProfileName === 'string') {
        ctx.profile = ctx.body.fargateProfileName;
      }
      this.advance();
      this.injectFaults(ctx);
      const reply = this.dispatch(ctx);
      this.log(ctx, at, reply.status, 'OK');
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    } catch (err) {
      const error = err instanceof EksError ? err : new EksError('ServerException', `Emulator bug: ${String((err as Error)?.stack ?? err)}`);
      this.log(ctx, at, error.status, error.errorType, error.message);
      sendError(res, error);
    }
  }

  private log(ctx: RequestContext, at: number, httpStatus: number, outcome: string, message?: string): void {
    this.callLog.push({ operation: ctx.operation, cluster: ctx.cluster, profile: ctx.profile, at, httpStatus, outcome, message });
  }

  private injectFaults(ctx: RequestContext): void {
    const injected = this.injectedErrors.find((e) =>
      e.remaining > 0 && (e.operation === undefined || e.operation === ctx.operation)
      && (e.profile === undefined || e.profile === ctx.profile));
    if (injected) {
      injected.remaining--;
      throw new EksError(injected.error, injected.message ?? defaultFaultMessage(injected.error));
    }
    if (this.faults.throttleProbability > 0 && this.faultRandom() < this.faults.throttleProbability) {
      throw new EksError('ThrottlingException', defaultFaultMessage('ThrottlingException'));
    }
    if (this.faults.serverErrorProbability > 0 && this.faultRandom() < this.faults.serverErrorProbability) {
      throw new EksError('ServerException', defaultFaultMessage('ServerException'));
    }
  }

  private dispatch(ctx: RequestContext): Reply {
    switch (ctx.operation) {
      case 'CreateFargateProfile': return this.createProfile(ctx);
      case 'DescribeFargateProfile': return this.describeProfile(ctx);
      case 'DeleteFargateProfile': return this.deleteProfile(ctx);
      case 'ListFargateProfiles': return this.listProfiles(ctx);
      case 'TagResource': return this.tagResource(ctx);
      case 'UntagResource': return this.untagResource(ctx);
      case 'ListTagsForResource': return this.listTags(ctx);
      case 'DescribeCluster': return this.describeCluster(ctx);
      default: throw new EksError('UnknownOperationException', 'The emulator does not implement this operation.');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Operations

  private createProfile(ctx: RequestContext): Reply {
    const cluster = this.findCluster(ctx.cluster!);
    const body = ctx.body;
    const name = optionalString(body.fargateProfileName, 'fargateProfileName');
    const fields = { clusterName: cluster.name, fargateProfileName: name };
    const invalid = (message: string) => new EksError('InvalidParameterException', message, fields);

    if (!name) throw invalid('fargateProfileName is required.');
    if (name.length > MAX_NAME_LENGTH) {
      throw invalid(`Fargate Profile name must be at most ${MAX_NAME_LENGTH} characters; '${name}' has ${name.length}.`);
    }
    if (!NAME_PATTERN.test(name)) {
      throw invalid(`Fargate Profile name '${name}' must start with a letter or digit and contain only letters, digits, '-' and '_'.`);
    }
    if (name.startsWith('eks-')) throw invalid(`Fargate Profile name '${name}' uses the reserved prefix 'eks-'.`);

    const roleArn = optionalString(body.podExecutionRoleArn, 'podExecutionRoleArn');
    if (!roleArn) throw invalid('podExecutionRoleArn is required.');
    if (!ROLE_ARN_PATTERN.test(roleArn)) throw invalid(`podExecutionRoleArn '${roleArn}' is not an IAM role ARN.`);

    const selectors = parseSelectors(body.selectors, invalid);
    const subnets = this.resolveSubnets(cluster, body.subnets, invalid);
    const tags = parseTags(body.tags, 'tags', invalid);
    const token = optionalString(body.clientRequestToken, 'clientRequestToken');
    const fingerprint = JSON.stringify([name, roleArn, subnets, selectors, sortedEntries(tags)]);

    if (!this.roleFirstSeen.has(roleArn)) this.roleFirstSeen.set(roleArn, this.clock());

    if (token !== undefined) {
      const previous = cluster.tokens.get(token);
      if (previous && cluster.profiles.get(previous.name) === previous) {
        if (previous.fingerprint !== fingerprint) {
          throw invalid(`The clientRequestToken '${token}' was already used with different parameters.`);
        }
        return { status: 200, body: { fargateProfile: wireProfile(previous) } };
      }
    }

    if (cluster.profiles.has(name)) {
      throw new EksError('ResourceInUseException', 'A Fargate Profile already exists with this name in this cluster.', fields);
    }
    if (cluster.updating) {
      throw new EksError('ResourceInUseException',
        `Cannot create Fargate Profile ${name} because cluster ${cluster.name} currently has an update in progress`, fields);
    }
    const busy = inFlight(cluster, ['CREATING', 'DELETING']);
    if (busy) {
      throw new EksError('ResourceInUseException',
        `Cannot create Fargate Profile ${name} because cluster ${cluster.name} currently has Fargate profile ${busy.name} in status ${busy.status}`,
        fields);
    }
    if (cluster.profiles.size >= this.maxProfilesPerCluster) {
      throw new EksError('ResourceLimitExceededException',
        `Cluster ${cluster.name} already has the maximum of ${this.maxProfilesPerCluster} Fargate profiles.`, fields);
    }
    const seenAt = this.roleFirstSeen.get(roleArn)!;
    if (this.clock() - seenAt < this.faults.iamPropagationMs) {
      throw invalid(IAM_TRUST_POLICY_MESSAGE);
    }

    const now = this.clock();
    const arn = `arn:aws:eks:${this.region}:${this.accountId}:fargateprofile/${cluster.name}/${name}/${seededUuid(this.idRandom)}`;
    const timeline: MutableTimeline = { cluster: cluster.name, name, arn, createRequestedAt: now };
    this.allTimelines.push(timeline);
    const profile: ProfileRecord = {
      cluster: cluster.name,
      name,
      arn,
      createdAt: now,
      roleArn,
      subnets,
      selectors,
      tags,
      fingerprint,
      status: 'CREATING',
      issues: [],
      timeline,
      createCompletesAt: now + (this.profileDelays.get(name)?.createDelayMs ?? this.createDelayMs),
      createFailure: cluster.nextCreateFailures.shift() ?? takeBudget(this.createFailures, name),
    };
    cluster.profiles.set(name, profile);
    if (token !== undefined) cluster.tokens.set(token, profile);
    return { status: 200, body: { fargateProfile: wireProfile(profile) } };
  }

  private describeProfile(ctx: RequestContext): Reply {
    const profile = this.findProfile(ctx.cluster!, ctx.profile!);
    return { status: 200, body: { fargateProfile: wireProfile(profile) } };
  }

  private deleteProfile(ctx: RequestContext): Reply {
    const profile = this.findProfile(ctx.cluster!, ctx.profile!);
    const cluster = this.clusters.get(profile.cluster)!;
    const fields = { clusterName: cluster.name, fargateProfileName: profile.name };
    if (cluster.updating) {
      throw new EksError('ResourceInUseException',
        `Cannot Delete Fargate Profile ${profile.name} because cluster ${cluster.name} currently has an update in progress`, fields);
    }
    const blocking: ProfileStatus[] = this.deleteBlockedByCreating ? ['DELETING', 'CREATING'] : ['DELETING'];
    // A profile that is itself CREATING or DELETING cannot be deleted whatever the setting.
    const busy = ['CREATING', 'DELETING'].includes(profile.status) ? profile : inFlight(cluster, blocking);
    if (busy) {
      throw new EksError('ResourceInUseException',
        `Cannot Delete Fargate Profile ${profile.name} because cluster ${cluster.name} currently has Fargate profile ${busy.name} in status ${busy.status}`,
        fields);
    }
    const now = this.clock();
    profile.status = 'DELETING';
    profile.issues = [];
    profile.timeline.deleteRequestedAt = now;
    profile.deleteCompletesAt = now + (this.profileDelays.get(profile.name)?.deleteDelayMs ?? this.deleteDelayMs);
    profile.deleteFailure = cluster.nextDeleteFailures.shift() ?? takeBudget(this.deleteFailures, profile.name);
    return { status: 200, body: { fargateProfile: wireProfile(profile) } };
  }

  private listProfiles(ctx: RequestContext): Reply {
    const cluster = this.findCluster(ctx.cluster!);
    const invalid = (message: string) => new EksError('InvalidParameterException', message, { clusterName: cluster.name });
    const maxText = ctx.query.get('maxResults');
    const maxResults = maxText === null ? 100 : Number(maxText);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw invalid(`maxResults must be an integer between 1 and 100; got '${maxText}'.`);
    }
    const names = [...cluster.profiles.keys()].sort();
    let start = 0;
    const token = ctx.query.get('nextToken');
    if (token !== null) {
      const after = decodeNextToken(token);
      if (after === undefined) throw invalid('The nextToken is invalid.');
      start = names.findIndex((n) => n > after);
      if (start < 0) start = names.length;
    }
    const page = names.slice(start, start + maxResults);
    const more = start + maxResults < names.length;
    return {
      status: 200,
      body: {
        fargateProfileNames: page,
        ...(more ? { nextToken: Buffer.from(JSON.stringify({ after: page[page.length - 1] })).toString('base64') } : {}),
      },
    };
  }

  private tagResource(ctx: RequestContext): Reply {
    const profile = this.findTaggable(ctx);
    const bad = (message: string) => new EksError('BadRequestException', message);
    const tags = parseTags(ctx.body.tags, 'tags', bad);
    if (Object.keys(tags).length === 0) throw bad('tags must contain at least one tag.');
    const merged = { ...profile.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS) throw bad(`A resource can have at most ${MAX_TAGS} tags.`);
    Object.assign(profile.tags, tags);
    return { status: 200, body: {} };
  }

  private untagResource(ctx: RequestContext): Reply {
    const profile = this.findTaggable(ctx);
    const keys = ctx.query.getAll('tagKeys');
    if (keys.length === 0) throw new EksError('BadRequestException', 'tagKeys must contain at least one key.');
    for (const key of keys) {
      delete profile.tags[key];
    }
    return { status: 200, body: {} };
  }

  private listTags(ctx: RequestContext): Reply {
    const profile = this.findTaggable(ctx);
    return { status: 200, body: { tags: { ...profile.tags } } };
  }

  private describeCluster(ctx: RequestContext): Reply {
    const cluster = this.findCluster(ctx.cluster!);
    return {
      status: 200,
      body: {
        cluster: {
          name: cluster.name,
          arn: cluster.arn,
          createdAt: cluster.createdAt / 1000,
          version: '1.32',
          status: cluster.updating ? 'UPDATING' : 'ACTIVE',
          resourcesVpcConfig: { subnetIds: [...cluster.privateSubnets] },
          tags: {},
        },
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // State helpers

  /** Applies every status transition whose scheduled time has passed. */
  private advance(): void {
    const now = this.clock();
    for (const cluster of this.clusters.values()) {
      for (const profile of [...cluster.profiles.values()]) {
        if (profile.status === 'CREATING' && now >= profile.createCompletesAt) {
          if (profile.createFailure) {
            profile.status = 'CREATE_FAILED';
            profile.issues = profile.createFailure;
            profile.timeline.createFailedAt = profile.createCompletesAt;
          } else {
            profile.status = 'ACTIVE';
            profile.timeline.activeAt = profile.createCompletesAt;
          }
        }
        if (profile.status === 'DELETING' && now >= profile.deleteCompletesAt!) {
          if (profile.deleteFailure) {
            profile.status = 'DELETE_FAILED';
            profile.issues = profile.deleteFailure;
            profile.timeline.deleteFailedAt = profile.deleteCompletesAt;
          } else {
            profile.timeline.goneAt = profile.deleteCompletesAt;
            cluster.profiles.delete(profile.name);
          }
        }
      }
    }
  }

  private findCluster(name: string): ClusterRecord {
    const cluster = this.clusters.get(name);
    if (!cluster) {
      throw new EksError('ResourceNotFoundException', `No cluster found for name: ${name}.`, { clusterName: name });
    }
    return cluster;
  }

  private findProfile(clusterName: string, profileName: string): ProfileRecord {
    const profile = this.findCluster(clusterName).profiles.get(profileName);
    if (!profile) {
      throw new EksError('ResourceNotFoundException', `No Fargate Profile found with name: ${profileName}.`,
        { clusterName, fargateProfileName: profileName });
    }
    return profile;
  }

  /** The profile a tag operation's ARN names; the tagging API has its own error types. */
  private findTaggable(ctx: RequestContext): ProfileRecord {
    const arn = ctx.resourceArn ?? '';
    const match = PROFILE_ARN_PATTERN.exec(arn);
    if (!match) {
      throw new EksError('BadRequestException', `'${arn}' is not a Fargate profile ARN.`);
    }
    const profile = this.clusters.get(match[3])?.profiles.get(match[4]);
    if (!profile || profile.arn !== arn) {
      throw new EksError('NotFoundException', `Resource not found: ${arn}`);
    }
    return profile;
  }

  private resolveSubnets(cluster: ClusterRecord, value: unknown, invalid: (m: string) => EksError): string[] {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
      return [...cluster.privateSubnets];
    }
    if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
      throw invalid('subnets must be a list of subnet IDs.');
    }
    for (const subnet of value as string[]) {
      if (this.publicSubnets.has(subnet)) {
        throw invalid(`Subnet ${subnet} provided in Fargate Profile is not a private subnet`);
      }
    }
    return [...(value as string[])];
  }

  private requireCluster(method: string, name: string): ClusterRecord {
    const cluster = this.clusters.get(name);
    if (!cluster) throw new Error(`EksEmulator.${method}: unknown cluster '${name}' (call addCluster first)`);
    return cluster;
  }
}

// -----------------------------------------------------------------------------------------------
// Free helpers

/** Maps method + path to the operation, using the SDK's REST routes. */
function route(method: string, url: URL): RequestContext {
  const segments = url.pathname.split('/').slice(1).map(safeDecode);
  const ctx: RequestContext = { operation: 'Unknown', query: url.searchParams, body: {} };
  if (segments[0] === 'clusters' && segments.length >= 2) {
    ctx.cluster = segments[1];
    if (segments.length === 2 && method === 'GET') {
      ctx.operation = 'DescribeCluster';
    } else if (segments[2] === 'fargate-profiles' && segments.length === 3) {
      ctx.operation = method === 'POST' ? 'CreateFargateProfile' : method === 'GET' ? 'ListFargateProfiles' : 'Unknown';
    } else if (segments[2] === 'fargate-profiles' && segments.length === 4) {
      ctx.profile = segments[3];
      ctx.operation = method === 'GET' ? 'DescribeFargateProfile' : method === 'DELETE' ? 'DeleteFargateProfile' : 'Unknown';
    }
  } else if (segments[0] === 'tags' && segments.length === 2) {
    ctx.resourceArn = segments[1];
    const match = PROFILE_ARN_PATTERN.exec(segments[1]);
    if (match) {
      ctx.cluster = match[3];
      ctx.profile = match[4];
    }
    ctx.operation = method === 'POST' ? 'TagResource' : method === 'GET' ? 'ListTagsForResource' : method === 'DELETE' ? 'UntagResource' : 'Unknown';
  }
  return ctx;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseBody(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new EksError('BadRequestException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EksError('BadRequestException', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function sendError(res: http.ServerResponse, error: EksError): void {
  const body: Record<string, string> = { message: error.message };
  for (const [key, value] of Object.entries(error.fields)) {
    if (value !== undefined) body[key] = value;
  }
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'x-amzn-errortype': `${error.errorType}:http://internal.amazon.com/coral/com.amazonaws.eks/`,
  });
  res.end(JSON.stringify(body));
}

function defaultFaultMessage(errorType: string): string {
  switch (errorType) {
    case 'ThrottlingException': return 'Rate exceeded';
    case 'ServerException': return 'An internal error occurred. Please try again.';
    case 'ServiceUnavailableException': return 'Service unavailable. Please try again.';
    default: return `Injected ${errorType}`;
  }
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new EksError('InvalidParameterException', `${field} must be a string.`);
  }
  return value;
}

function parseSelectors(value: unknown, invalid: (m: string) => EksError): ProfileSelector[] {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw invalid('Fargate Profile must have at least one selector.');
  }
  if (!Array.isArray(value)) throw invalid('selectors must be a list.');
  if (value.length > MAX_SELECTORS) {
    throw invalid(`Fargate Profile can have at most ${MAX_SELECTORS} selectors; got ${value.length}.`);
  }
  return value.map((raw, i) => {
    const selector = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const namespace = selector.namespace;
    if (typeof namespace !== 'string' || namespace === '') {
      throw invalid(`Fargate Profile selector ${i + 1} must have a namespace.`);
    }
    if (selector.labels === undefined || selector.labels === null) return { namespace };
    const labels = parseTags(selector.labels, `selectors[${i}].labels`, invalid);
    const count = Object.keys(labels).length;
    if (count > MAX_LABELS) {
      throw invalid(`Fargate Profile selector ${i + 1} can have at most ${MAX_LABELS} labels; got ${count}.`);
    }
    return count === 0 ? { namespace } : { namespace, labels };
  });
}

/** A string map (tags or labels); tag rules (count, `aws:` prefix) are checked for `tags` fields. */
function parseTags(value: unknown, field: string, invalid: (m: string) => EksError): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${field} must be a map of strings.`);
  const result: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw invalid(`${field}['${key}'] must be a string.`);
    result[key] = v;
  }
  if (field === 'tags') {
    const keys = Object.keys(result);
    if (keys.length > MAX_TAGS) throw invalid(`At most ${MAX_TAGS} tags are allowed; got ${keys.length}.`);
    const reserved = keys.find((k) => k.toLowerCase().startsWith('aws:'));
    if (reserved) throw invalid(`Tag keys starting with 'aws:' are reserved: '${reserved}'.`);
    const tooLong = keys.find((k) => k.length === 0 || k.length > 128);
    if (tooLong !== undefined) throw invalid(`Tag keys must be 1 to 128 characters: '${tooLong}'.`);
    const longValue = keys.find((k) => result[k].length > 256);
    if (longValue !== undefined) throw invalid(`Tag values must be at most 256 characters (key '${longValue}').`);
  }
  return result;
}

function sortedEntries(map: Record<string, string>): Array<[string, string]> {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function inFlight(cluster: ClusterRecord, statuses: ProfileStatus[]): ProfileRecord | undefined {
  return [...cluster.profiles.values()].find((p) => statuses.includes(p.status));
}

function takeBudget(budgets: Map<string, FailureBudget>, name: string): HealthIssue[] | undefined {
  const budget = budgets.get(name);
  if (!budget || budget.remaining <= 0) return undefined;
  budget.remaining--;
  return budget.issues;
}

function issueList(issues: HealthIssue | HealthIssue[]): HealthIssue[] {
  return (Array.isArray(issues) ? issues : [issues]).map((i) => ({ ...i, resourceIds: [...(i.resourceIds ?? [])] }));
}

function wireProfile(profile: ProfileRecord): Record<string, unknown> {
  return {
    fargateProfileName: profile.name,
    fargateProfileArn: profile.arn,
    clusterName: profile.cluster,
    createdAt: profile.createdAt / 1000,
    podExecutionRoleArn: profile.roleArn,
    subnets: [...profile.subnets],
    selectors: profile.selectors.map((s) => ({ ...s, ...(s.labels ? { labels: { ...s.labels } } : {}) })),
    status: profile.status,
    tags: { ...profile.tags },
    health: { issues: profile.issues.map((i) => ({ ...i })) },
  };
}

function snapshot(profile: ProfileRecord): EmulatedProfile {
  const wire = wireProfile(profile);
  return { ...wire, createdAt: new Date(profile.createdAt) } as unknown as EmulatedProfile;
}

function decodeNextToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return typeof parsed?.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}

function matches(call: CallRecord, filter: CallFilter): boolean {
  return (filter.operation === undefined || call.operation === filter.operation)
    && (filter.cluster === undefined || call.cluster === filter.cluster)
    && (filter.profile === undefined || call.profile === filter.profile)
    && (filter.outcome === undefined || call.outcome === filter.outcome);
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`EksEmulator: ${name} must be a finite number >= 0 (ms); got ${value}`);
  }
  return value;
}

function setEnv(key: string, value: string | undefined): void {
  if (value === undefined) {
    delete process.env[key];
  } else {
    process.env[key] = value;
  }
}
