import { backoffMs, DEFAULT_TIMING, iamMaySettle, readTiming, requestStartFromDeadline, waitDeadline } from '../../lambda/timing';

test('timing knobs come from the environment, defaults otherwise', () => {
  expect(readTiming({})).toEqual(DEFAULT_TIMING);
  // IAM: Terraform's AWS provider retries IAM errors of a Fargate profile for 2 minutes.
  expect(DEFAULT_TIMING).toEqual({
    pollIntervalMs: 2000, safetyMarginMs: 15000, waitTimeoutMs: 3300000, retryBaseMs: 1000, iamRetryWindowMs: 120000,
  });
  expect(readTiming({
    HANDLER_POLL_INTERVAL_MS: '20',
    HANDLER_SAFETY_MARGIN_MS: '0',
    HANDLER_WAIT_TIMEOUT_MS: '5000',
    HANDLER_RETRY_BASE_MS: '7',
    HANDLER_IAM_RETRY_WINDOW_MS: '300',
  })).toEqual({ pollIntervalMs: 20, safetyMarginMs: 0, waitTimeoutMs: 5000, retryBaseMs: 7, iamRetryWindowMs: 300 });
});

test.each(['', 'abc', '-5', '1.5', '1e3'])('a malformed value %j falls back to the default', (value) => {
  expect(readTiming({ HANDLER_POLL_INTERVAL_MS: value }).pollIntervalMs).toBe(DEFAULT_TIMING.pollIntervalMs);
});

test('backoff grows exponentially from the base, is capped, and is jittered within [half, full]', () => {
  const low = () => 0;
  const high = () => 1;
  expect([0, 1, 2, 3].map(a => backoffMs(a, 100, high))).toEqual([100, 200, 400, 800]);
  expect([0, 1, 2, 3].map(a => backoffMs(a, 100, low))).toEqual([50, 100, 200, 400]);
  expect(backoffMs(5, 100, high)).toBe(3200);
  expect(backoffMs(50, 100, high)).toBe(3200);
  expect(backoffMs(-1, 100, high)).toBe(100);
});

test('the wait deadline is at least the timeout away, rounded up to a minute by default', () => {
  const minute = 60_000;
  const now = 1_700_000_012_345;
  const deadline = waitDeadline(now, DEFAULT_TIMING.waitTimeoutMs);
  expect(deadline % minute).toBe(0);
  expect(deadline).toBeGreaterThanOrEqual(now + DEFAULT_TIMING.waitTimeoutMs);
  expect(deadline).toBeLessThan(now + DEFAULT_TIMING.waitTimeoutMs + minute);
});

test('a redelivered onEvent seconds later gets the same deadline (same waiter input), unless a step boundary lies between', () => {
  const timeout = DEFAULT_TIMING.waitTimeoutMs;
  const start = 28_333_333 * 60_000; // a whole minute
  expect(waitDeadline(start + 1_000, timeout)).toBe(waitDeadline(start + 9_000, timeout));
  expect(waitDeadline(start + 59_000, timeout)).not.toBe(waitDeadline(start + 61_000, timeout));
});

test('the deadline step scales with the timeout, so scaled-down tests keep a proportional deadline', () => {
  expect(waitDeadline(1000, 5500)).toBe(6500); // step 100 ms
  expect(waitDeadline(1001, 5500)).toBe(6600);
  expect(waitDeadline(0, 1)).toBe(1);
});

describe('the IAM retry window runs from the request\'s start', () => {
  const timeout = DEFAULT_TIMING.waitTimeoutMs;

  test('isComplete finds the start from WaitDeadline: onEvent\'s own start, or at most one deadline step later', () => {
    const start = 1_700_000_012_345;
    const derived = requestStartFromDeadline(waitDeadline(start, timeout), timeout, start + 600_000)!;
    expect(derived).toBeGreaterThanOrEqual(start);
    expect(derived).toBeLessThan(start + Math.round(timeout / 55));
  });

  test('the start is never in the future (a deadline written with a longer timeout), and unknown without a deadline', () => {
    expect(requestStartFromDeadline(10_000_000, 1_000, 5_000)).toBe(5_000);
    expect(requestStartFromDeadline(undefined, timeout, 5_000)).toBeUndefined();
  });

  test.each<[string, number | undefined, number, boolean]>([
    ['just started', 1_000, 1_000, true],
    ['1 ms before the window closes', 1_000, 120_999, true],
    ['when the window closes', 1_000, 121_000, false],
    ['long after', 1_000, 3_000_000, false],
    ['unknown start (no deadline either)', undefined, 3_000_000, true],
  ])('%s', (_name, startedAt, now, open) => {
    expect(iamMaySettle(startedAt, 120_000, now)).toBe(open);
  });
});
