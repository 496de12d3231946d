// Emulates aws-cdk-lib's custom-resources Provider framework for one CloudFormation
// request: the framework onEvent Lambda, the waiter state machine that calls isComplete
// right away and then every queryInterval until totalTimeout, and the response it
// sends back to CloudFormation. Mirrors framework.ts / cfn-response.ts / util.ts of
// aws-cdk-lib (CREATE_FAILED marker, "Operation timed out", Data merging, the
// "Logs:" suffix on user-function errors, Lambda timeouts of the user functions).
import { randomUUID } from 'node:crypto';

/** Physical id the framework reports when a Create fails before a physical id exists. */
export const CREATE_FAILED_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
/** Physical id the framework reports when an event unexpectedly has none. */
export const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** A CloudFormation custom resource request, as CloudFormation sends it. */
export interface CustomResourceRequest {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

/**
 * The request CloudFormation sends for one operation on a custom resource: Update carries the old
 * properties, Update and Delete the physical id, and the ResponseURL is a (fake) presigned S3 URL.
 */
export function customResourceRequest(
  stack: { readonly stackId: string; readonly region: string },
  requestType: RequestType, logicalId: string, resourceType: string, properties: Record<string, unknown>,
  existing?: { readonly physicalId: string; readonly properties?: Record<string, unknown> },
): CustomResourceRequest {
  const requestId = randomUUID();
  return {
    RequestType: requestType,
    ServiceToken: String(properties.ServiceToken ?? existing?.properties?.ServiceToken ?? ''),
    ResponseURL: `https://cloudformation-custom-resource-response-${stack.region.replace(/-/g, '')}.s3.amazonaws.com/`
      + `${encodeURIComponent(stack.stackId)}%7C${logicalId}%7C${requestId}?X-Amz-Signature=fake`,
    StackId: stack.stackId,
    RequestId: requestId,
    LogicalResourceId: logicalId,
    ResourceType: resourceType,
    ResourceProperties: properties,
    ...(requestType === 'Update' ? { OldResourceProperties: existing?.properties } : {}),
    ...(requestType !== 'Create' ? { PhysicalResourceId: existing?.physicalId } : {}),
  };
}

/** The user handler pair the Provider wraps (the bundle's exports). */
export interface UserHandler {
  onEvent(event: any, context?: any): Promise<any>;
  isComplete(event: any, context?: any): Promise<any>;
}

export interface ProviderTiming {
  /** Provider `queryInterval`: gap between isComplete invocations. */
  readonly queryIntervalMs: number;
  /** Provider `totalTimeout`: the waiter gives up after totalTimeout / queryInterval retries. */
  readonly totalTimeoutMs: number;
  /** Lambda timeout of the user onEvent function. */
  readonly onEventTimeoutMs: number;
  /** Lambda timeout of the user isComplete function (drives `getRemainingTimeInMillis`). */
  readonly isCompleteTimeoutMs: number;
}

/** How a duplicated delivery of onEvent (Lambda async retry) is simulated. */
export type DuplicateDelivery = 'none' | 'sequential' | 'concurrent';

/** The response the framework sends to CloudFormation, plus what it took to get there. */
export interface ProviderResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, unknown>;
  /** Whether the user handler was invoked at all (false for the ignored DELETE after a failed CREATE). */
  readonly userHandlerInvoked: boolean;
  readonly onEventCalls: number;
  readonly isCompleteCalls: number;
  /** What each onEvent invocation returned (or the error message it threw), in call order. */
  readonly onEventResults: Array<{ readonly result?: any; readonly error?: string }>;
}

export const USER_ON_EVENT_FUNCTION_NAME = 'FargateProfileOnEventHandler';
export const USER_IS_COMPLETE_FUNCTION_NAME = 'FargateProfileIsCompleteHandler';

/** Runs one CloudFormation request through the emulated Provider framework. */
export async function runProviderRequest(
  request: CustomResourceRequest,
  handler: UserHandler,
  timing: ProviderTiming,
  duplicate: DuplicateDelivery = 'none',
  beforeInvoke: () => void = () => {},
): Promise<ProviderResponse> {
  let onEventCalls = 0;
  let isCompleteCalls = 0;
  const onEventResults: Array<{ result?: any; error?: string }> = [];
  const respond = (status: 'SUCCESS' | 'FAILED', event: any, reason?: string, invoked = true): ProviderResponse => ({
    Status: status,
    Reason: reason ?? status,
    PhysicalResourceId: event.PhysicalResourceId || MISSING_PHYSICAL_ID_MARKER,
    Data: event.Data ?? {},
    userHandlerInvoked: invoked,
    onEventCalls,
    isCompleteCalls,
    onEventResults,
  });

  // safeHandler: the DELETE that follows a failed CREATE is acknowledged without calling the user.
  if (request.RequestType === 'Delete' && request.PhysicalResourceId === CREATE_FAILED_PHYSICAL_ID_MARKER) {
    return respond('SUCCESS', request, undefined, false);
  }

  // The framework defaults ResourceProperties to {} and hands the user a copy of the request.
  const cfnRequest: any = { ...request, ResourceProperties: request.ResourceProperties ?? {} };

  const invokeOnEvent = async (): Promise<any> => {
    onEventCalls++;
    beforeInvoke();
    try {
      const result = await invokeUserFunction(
        USER_ON_EVENT_FUNCTION_NAME, (e, c) => handler.onEvent(e, c), structuredClone(cfnRequest), timing.onEventTimeoutMs);
      onEventResults.push({ result });
      return result;
    } catch (e: any) {
      onEventResults.push({ error: e.message });
      throw e;
    }
  };

  let resourceEvent: any;
  try {
    let onEventResult: any;
    if (duplicate === 'concurrent') {
      // Both deliveries run; the waiter execution is named by RequestId, so only the first starts one.
      const [first] = await Promise.all([invokeOnEvent(), invokeOnEvent().catch(() => undefined)]);
      onEventResult = first;
    } else {
      onEventResult = await invokeOnEvent();
      if (duplicate === 'sequential') await invokeOnEvent().catch(() => undefined);
    }
    resourceEvent = createResponseEvent(cfnRequest, onEventResult);
  } catch (e: any) {
    return respond('FAILED', failedEvent(cfnRequest), e.message);
  }

  // The waiter state machine: isComplete now, then after each queryInterval, at most
  // totalTimeout / queryInterval retries, then the framework's onTimeout handler.
  const maxRetries = Math.floor(timing.totalTimeoutMs / timing.queryIntervalMs);
  for (let attempt = 0; ; attempt++) {
    isCompleteCalls++;
    beforeInvoke();
    let result: any;
    try {
      const sanitized = { ...resourceEvent, ResponseURL: '...' };
      result = await invokeUserFunction(
        USER_IS_COMPLETE_FUNCTION_NAME, (e, c) => handler.isComplete(e, c), structuredClone(sanitized), timing.isCompleteTimeoutMs);
      result = result ?? {};
      if (!result.IsComplete && result.Data && Object.keys(result.Data).length > 0) {
        throw new Error('"Data" is not allowed if "IsComplete" is "False"');
      }
    } catch (e: any) {
      return respond('FAILED', failedEvent(resourceEvent), e.message);
    }
    if (result.IsComplete) {
      const response = {
        ...resourceEvent,
        ...result,
        Data: { ...resourceEvent.Data, ...result.Data },
      };
      return respond('SUCCESS', response);
    }
    if (attempt >= maxRetries) {
      return respond('FAILED', resourceEvent, 'Operation timed out');
    }
    await sleep(timing.queryIntervalMs);
  }
}

/** framework.ts createResponseEvent: defaults and validates the physical id, merges the result. */
function createResponseEvent(cfnRequest: any, onEventResult: any): any {
  onEventResult = onEventResult || {};
  const physicalResourceId = onEventResult.PhysicalResourceId || defaultPhysicalResourceId(cfnRequest);
  if (cfnRequest.RequestType === 'Delete' && physicalResourceId !== cfnRequest.PhysicalResourceId) {
    throw new Error(`DELETE: cannot change the physical resource ID from "${cfnRequest.PhysicalResourceId}" to "${onEventResult.PhysicalResourceId}" during deletion`);
  }
  return { ...cfnRequest, ...onEventResult, PhysicalResourceId: physicalResourceId };
}

function defaultPhysicalResourceId(request: any): string {
  switch (request.RequestType) {
    case 'Create': return request.RequestId;
    case 'Update':
    case 'Delete': return request.PhysicalResourceId;
    default: throw new Error(`Invalid "RequestType" in request "${JSON.stringify(request)}"`);
  }
}

/** safeHandler: a failed CREATE without a physical id reports the marker, so its DELETE is ignored. */
function failedEvent(event: any): any {
  if (!event.PhysicalResourceId && event.RequestType === 'Create') {
    return { ...event, PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER };
  }
  return event;
}

/**
 * Invokes a user function like Lambda would: a fake context whose remaining time counts down
 * from the function timeout, and a "Task timed out" error when the timeout is exceeded. Errors
 * are reported the way the framework's invokeUserFunction does (message + log group).
 */
async function invokeUserFunction(
  functionName: string, fn: (event: any, context: any) => Promise<any>, event: any, timeoutMs: number,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  const context = fakeLambdaContext(functionName, deadline);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)), timeoutMs);
  });
  try {
    // JSON round trip: Lambda payloads are JSON, so undefined values and class instances do not survive.
    const result = await Promise.race([Promise.resolve().then(() => fn(event, context)), timeout]);
    return result === undefined ? undefined : JSON.parse(JSON.stringify(result));
  } catch (e: any) {
    const message = (e && typeof e.message === 'string' && e.message) || 'error';
    throw new Error([message, '', `Logs: /aws/lambda/${functionName}`, ''].join('\n'));
  } finally {
    clearTimeout(timer);
  }
}

/** A Lambda context with what handlers use: the remaining time, names and a request id. */
export function fakeLambdaContext(functionName: string, deadline: number) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
