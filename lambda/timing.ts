// Time in the handler: the knobs (read from the environment at every invocation, so tests and
// benchmarks can scale them down; a missing or malformed value means the default), the wait
// deadline, the retry backoff, and the invocation's own clock, which bounds every call and wait.
export interface Timing {
  /** Minimum gap between two describes of one profile inside isComplete. */
  readonly pollIntervalMs: number;
  /** isComplete returns IsComplete:false when less than this remains of the invocation. */
  readonly safetyMarginMs: number;
  /** The handler's own deadline, measured from the onEvent call. */
  readonly waitTimeoutMs: number;
  /** Base of the backoff for throttling/5xx beyond the SDK's own retries. */
  readonly retryBaseMs: number;
  /**
   * How long after the request started an IAM refusal is retried as IAM propagation: the handler role
   * denied a permission, or the pod execution role's trust policy rejected. Terraform's AWS provider
   * retries both for 2 minutes (internal/service/eks/fargate_profile.go). See {@link iamMaySettle}.
   */
  readonly iamRetryWindowMs: number;
}

export const DEFAULT_TIMING: Timing = {
  pollIntervalMs: 2_000,
  safetyMarginMs: 15_000,
  waitTimeoutMs: 3_300_000,
  retryBaseMs: 1_000,
  iamRetryWindowMs: 120_000,
};

export function readTiming(env: NodeJS.ProcessEnv = process.env): Timing {
  return {
    pollIntervalMs: readMs(env.HANDLER_POLL_INTERVAL_MS, DEFAULT_TIMING.pollIntervalMs),
    safetyMarginMs: readMs(env.HANDLER_SAFETY_MARGIN_MS, DEFAULT_TIMING.safetyMarginMs),
    waitTimeoutMs: readMs(env.HANDLER_WAIT_TIMEOUT_MS, DEFAULT_TIMING.waitTimeoutMs),
    retryBaseMs: readMs(env.HANDLER_RETRY_BASE_MS, DEFAULT_TIMING.retryBaseMs),
    iamRetryWindowMs: readMs(env.HANDLER_IAM_RETRY_WINDOW_MS, DEFAULT_TIMING.iamRetryWindowMs),
  };
}

function readMs(value: string | undefined, fallback: number): number {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return fallback;
  return Number(value);
}

/**
 * The handler's own deadline for a request started at `now`: at least `waitTimeoutMs` away, rounded up
 * to a step of 1/55 of it (a minute, by default). The Provider framework starts its waiter under the
 * RequestId and refuses a second start with a different input, so a redelivered onEvent for the same
 * request must return the same Data; rounding makes that hold unless the two calls straddle a step.
 */
export function waitDeadline(now: number, waitTimeoutMs: number): number {
  const step = Math.max(1, Math.round(waitTimeoutMs / 55));
  return Math.ceil((now + waitTimeoutMs) / step) * step;
}

/**
 * When the request started, as isComplete knows it: onEvent wrote the deadline = start +
 * `waitTimeoutMs`, rounded up by at most one step, so this is the start or up to a step later (a minute
 * by default). Never later than `now`; undefined without a deadline.
 */
export function requestStartFromDeadline(deadline: number | undefined, waitTimeoutMs: number, now: number): number | undefined {
  return deadline === undefined ? undefined : Math.min(now, deadline - waitTimeoutMs);
}

/**
 * Whether an IAM refusal may still be propagation. What the request needs from IAM exists before it
 * starts: CloudFormation creates or updates the handler role's policies and a pod execution role of
 * the stack before the profile that depends on them, and an imported role existed before the
 * deployment. So the request's start is when the role and the policies were first seen, at the latest,
 * and the window runs from there. An unknown start (no WaitDeadline in the event) counts as open, like
 * the deadline it stands for.
 */
export function iamMaySettle(requestStartedAt: number | undefined, iamRetryWindowMs: number, now: number): boolean {
  return requestStartedAt === undefined || now - requestStartedAt < iamRetryWindowMs;
}

/** Exponential backoff, capped at 32x the base, with jitter in [half, full] so retries spread out. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exp = Math.min(baseMs * 2 ** Math.min(Math.max(attempt, 0), 5), baseMs * 32);
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

/** The knobs, and what is left of the invocation. */
export interface InvocationClock {
  readonly timing: Timing;
  /** Milliseconds left of the invocation; undefined without a context (no clock to wait against). */
  readonly remaining?: () => number;
}

export function invocationClock(context: LambdaContext | undefined, env: NodeJS.ProcessEnv = process.env): InvocationClock {
  return { timing: readTiming(env), remaining: remainingTime(context) };
}

/** How long one EKS call may take: what is left of the invocation, minus part of the safety margin. */
export function callBudget(clock: InvocationClock): (() => number) | undefined {
  const remaining = clock.remaining;
  if (!remaining) return undefined;
  return () => Math.max(250, remaining() - Math.floor(clock.timing.safetyMarginMs / 2));
}

/** Whether waiting `ms` still leaves the safety margin of the invocation. Never without a clock. */
export function canWait(clock: InvocationClock, ms: number): boolean {
  return clock.remaining !== undefined && clock.remaining() - ms > clock.timing.safetyMarginMs;
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * The invocation's remaining time, or undefined without a context. Also bounded by our own clock
 * from the first reading, so a context whose answer never shrinks cannot keep a loop going forever.
 */
function remainingTime(context: LambdaContext | undefined): (() => number) | undefined {
  const read = context?.getRemainingTimeInMillis;
  if (typeof read !== 'function') return undefined;
  const first = Number(read.call(context));
  if (!Number.isFinite(first)) return undefined;
  const end = Date.now() + first;
  return () => {
    const reported = Number(read.call(context));
    return Math.min(Number.isFinite(reported) ? reported : 0, end - Date.now());
  };
}
