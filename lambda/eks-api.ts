// The only module that talks to EKS (and the only one that imports the SDK): the calls this
// handler makes, each within the invocation's time budget, and the classification of their
// errors into what the decision can act on (see decide.ts).
/* eslint-disable import/no-extraneous-dependencies -- the SDK is bundled into the handler asset by esbuild */
import {
  CreateFargateProfileCommand,
  DeleteFargateProfileCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  FargateProfile,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-eks';
/* eslint-enable import/no-extraneous-dependencies */
import { CanonicalSelector, canonicalSelectors, ProfileSpec, sortKeys } from './profile-model';
import { compareKeys } from '../src/wire-contract';

export type ErrorKind = 'NOT_FOUND' | 'CONFLICT' | 'NAME_IN_USE' | 'IAM_PROPAGATION' | 'ACCESS_DENIED' | 'RETRYABLE' | 'FATAL';

/** Another profile whose CREATING/DELETING status makes EKS refuse ours for now. */
export interface Blocker {
  readonly profileName: string;
  readonly status: string;
}

export interface ClassifiedError {
  readonly kind: ErrorKind;
  /** The service's exception name (or the network error code). */
  readonly code: string;
  readonly message: string;
  /** CONFLICT only, when the service message names the other profile. */
  readonly blocker?: Blocker;
  /** ACCESS_DENIED only, when the service message names the action refused, e.g. `ec2:DescribeSubnets`. */
  readonly action?: string;
}

export interface HealthIssue {
  readonly code?: string;
  readonly message?: string;
  readonly resourceIds?: string[];
}

/** A described profile, canonicalized like {@link ProfileSpec} so the two compare directly. */
export interface ObservedProfile {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly podExecutionRoleArn?: string;
  readonly selectors: CanonicalSelector[];
  readonly subnets: string[];
  readonly tags: Record<string, string>;
  readonly healthIssues: HealthIssue[];
}

/** An EKS call failed; `error` says what kind of failure it was. */
export class EksCallError extends Error {
  constructor(readonly operation: string, readonly error: ClassifiedError) {
    super(`${operation} failed: ${error.code}: ${error.message}`);
    this.name = 'EksCallError';
  }
}

export interface EksApiOptions {
  /** Upper bound for one call (including the SDK's own retries), from the invocation's remaining time. */
  readonly callBudgetMs?: () => number;
}

const REQUEST_TIMEOUT_MS = 10_000;
const CONNECTION_TIMEOUT_MS = 3_000;

export class EksApi {
  /** A fresh client per invocation, so AWS_REGION / AWS_ENDPOINT_URL_EKS are read each time. */
  public static create(options: EksApiOptions = {}): EksApi {
    const client = new EKSClient({
      requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    });
    return new EksApi(client, options);
  }

  constructor(private readonly client: EKSClient, private readonly options: EksApiOptions = {}) {}

  /** The profile, or undefined when it (or its cluster) does not exist. */
  public async describe(clusterName: string, name: string): Promise<ObservedProfile | undefined> {
    try {
      const out = await this.call('DescribeFargateProfile', options =>
        this.client.send(new DescribeFargateProfileCommand({ clusterName, fargateProfileName: name }), options));
      return toObserved(out?.fargateProfile, name);
    } catch (e) {
      if (e instanceof EksCallError && e.error.kind === 'NOT_FOUND') return undefined;
      throw e;
    }
  }

  /** `tags`: the spec's tags with the ownership marker (reconcile.ts). */
  public async createProfile(spec: ProfileSpec, name: string, token: string, tags: Record<string, string>): Promise<ObservedProfile> {
    const out = await this.call('CreateFargateProfile', options => this.client.send(new CreateFargateProfileCommand({
      clusterName: spec.clusterName,
      fargateProfileName: name,
      podExecutionRoleArn: spec.podExecutionRoleArn,
      selectors: spec.selectors.map(s => ({
        namespace: s.namespace,
        ...(Object.keys(s.labels).length > 0 ? { labels: { ...s.labels } } : {}),
      })),
      ...(spec.subnets ? { subnets: [...spec.subnets] } : {}),
      ...(Object.keys(tags).length > 0 ? { tags: { ...tags } } : {}),
      clientRequestToken: token,
    }), options));
    return toObserved(out?.fargateProfile, name);
  }

  public async deleteProfile(clusterName: string, name: string): Promise<void> {
    await this.call('DeleteFargateProfile', options =>
      this.client.send(new DeleteFargateProfileCommand({ clusterName, fargateProfileName: name }), options));
  }

  public async tagResource(arn: string, tags: Record<string, string>): Promise<void> {
    await this.call('TagResource', options => this.client.send(new TagResourceCommand({ resourceArn: arn, tags: { ...tags } }), options));
  }

  public async untagResource(arn: string, tagKeys: string[]): Promise<void> {
    await this.call('UntagResource', options =>
      this.client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [...tagKeys] }), options));
  }

  /** Sends one call within the time budget; any failure becomes an {@link EksCallError} naming the operation. */
  private async call<T>(operation: string, send: (options: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      return await send(this.sendOptions());
    } catch (e) {
      throw new EksCallError(operation, classifyError(e));
    }
  }

  private sendOptions(): { abortSignal?: AbortSignal } {
    const budget = this.options.callBudgetMs?.();
    if (budget === undefined || !Number.isFinite(budget)) return {};
    // Never let a hung endpoint outlive the invocation: abort when the budget is spent.
    return { abortSignal: AbortSignal.timeout(Math.max(1, Math.floor(budget))) };
  }
}

const CONFLICT_PATTERN = /currently has Fargate profile ["']?([A-Za-z0-9_-]+)["']? in status ["']?([A-Z_]+)/i;
const NAME_IN_USE_PATTERN = /already exists with this name/i;
const IAM_PROPAGATION_PATTERN = /Misconfigured PodExecutionRole Trust Policy/i;
// The caller (the handler role) lacks a permission. IAM's AccessDeniedException (HTTP 403):
// "User: <arn> is not authorized to perform: <action> on resource: <arn> because ...". What EKS checks
// on the caller's behalf, under another exception type: 'Missing permissions for "ec2:DescribeSubnets"'
// (aws/aws-cdk#6074, #7614) and "... due to missing permissions for 'iam:GetRole'" (InvalidRequestException,
// aws-controllers-k8s/community#1821, awsdocs/amazon-eks-user-guide#279).
const NOT_AUTHORIZED_PATTERN = /is not authorized to perform:? ([A-Za-z0-9-]+:[A-Za-z0-9*]+)/;
const MISSING_PERMISSION_PATTERN = /missing permissions? for ["'`]?([A-Za-z0-9-]+:[A-Za-z0-9*]+)/i;
const RETRYABLE_CODES = new Set([
  'ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded',
  'ServerException', 'ServiceUnavailableException', 'InternalFailure', 'InternalServerError',
  'RequestTimeout', 'RequestTimeoutException', 'TimeoutError', 'AbortError',
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH',
]);

/** Maps any thrown value to what the reconcile loop does next. Never throws. */
export function classifyError(e: unknown): ClassifiedError {
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: unknown;
  };
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const netCode = typeof err.code === 'string' ? err.code : undefined;
  const code = name === 'Error' && netCode ? netCode : name;
  const message = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  const status = err.$metadata?.httpStatusCode;

  if (name === 'ResourceNotFoundException' || name === 'NotFoundException') {
    return { kind: 'NOT_FOUND', code, message };
  }
  const missing = MISSING_PERMISSION_PATTERN.exec(message);
  if (missing) return { kind: 'ACCESS_DENIED', code, message, action: missing[1] };
  const notAuthorized = NOT_AUTHORIZED_PATTERN.exec(message);
  if (name === 'AccessDeniedException' || (status === 403 && notAuthorized)) {
    return { kind: 'ACCESS_DENIED', code, message, action: notAuthorized?.[1] };
  }
  if (NAME_IN_USE_PATTERN.test(message)) return { kind: 'NAME_IN_USE', code, message };
  const conflict = CONFLICT_PATTERN.exec(message);
  if (conflict && (name === 'ResourceInUseException' || name === 'InvalidRequestException')) {
    return { kind: 'CONFLICT', code, message, blocker: { profileName: conflict[1], status: conflict[2].toUpperCase() } };
  }
  if (name === 'ResourceInUseException') {
    // Busy for another reason (e.g. the cluster has an update in progress): also transient.
    return { kind: 'CONFLICT', code, message };
  }
  // The message is specific enough; the service has used InvalidParameterException for it.
  if (IAM_PROPAGATION_PATTERN.test(message) && !RETRYABLE_CODES.has(name)) {
    return { kind: 'IAM_PROPAGATION', code, message };
  }
  if (RETRYABLE_CODES.has(name) || (netCode !== undefined && RETRYABLE_CODES.has(netCode))
    || status === 429 || (status !== undefined && status >= 500) || err.$retryable !== undefined
    || /socket hang up|network|timed? ?out/i.test(name === 'Error' ? message : '')) {
    return { kind: 'RETRYABLE', code, message };
  }
  return { kind: 'FATAL', code, message };
}

function toObserved(p: FargateProfile | undefined, requestedName: string): ObservedProfile {
  return {
    name: p?.fargateProfileName ?? requestedName,
    arn: p?.fargateProfileArn ?? '',
    status: p?.status ?? 'UNKNOWN',
    podExecutionRoleArn: p?.podExecutionRoleArn,
    selectors: canonicalSelectors((p?.selectors ?? []).map(s => ({ namespace: s.namespace ?? '', labels: sortKeys(s.labels ?? {}) }))),
    subnets: [...(p?.subnets ?? [])].sort(compareKeys),
    tags: sortKeys(p?.tags ?? {}),
    healthIssues: (p?.health?.issues ?? []).map(i => ({ code: i.code, message: i.message, resourceIds: i.resourceIds })),
  };
}
