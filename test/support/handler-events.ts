// Builders for the handler tests: the events the Provider framework passes to onEvent and
// isComplete, with ResourceProperties typed by the wire contract, and the Provider's waiter
// (pollUntilComplete) that calls isComplete until the profile is ACTIVE or gone. They call the
// handler in-process; its EKS client reaches whatever endpoint the environment names (the emulator).
import { parseProperties } from '../../lambda/event';
import { isComplete, IsCompleteResponse, LambdaContext, onEvent, OnEventResponse } from '../../lambda/index';
import { ownerMarker } from '../../lambda/naming';
import type { ProfileSpec } from '../../lambda/profile-model';
import { FARGATE_PROFILE_RESOURCE_TYPE, FargateProfileResourceProperties, OWNER_TAG_KEY } from '../../src/wire-contract';

export const POD_EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/pod-execution';
export const OTHER_POD_EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/other-pod-execution';
/** A presigned URL, i.e. a credential: the handler must never log it. */
export const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/secret?X-Amz-Signature=abc123';
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1';

/** The ownership marker tag the handler gives the profile of `logicalId` in {@link STACK_ID}, as a map to merge into expected tags. */
export function ownerTag(logicalId = 'MyProfile'): Record<string, string> {
  return { [OWNER_TAG_KEY]: ownerMarker(STACK_ID, logicalId) };
}

/** ResourceProperties as CloudFormation delivers them: the wire contract plus the ServiceToken. */
export type DeliveredProperties = FargateProfileResourceProperties & { readonly ServiceToken: string };

export interface ProviderEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: DeliveredProperties;
  readonly OldResourceProperties?: DeliveredProperties;
  readonly PhysicalResourceId?: string;
  /** isComplete only: onEvent's Data, merged in by the Provider. */
  readonly Data?: object;
}

/** Valid properties of a profile on `clusterName` (one selector, no subnets, no tags), with `overrides`. */
export function profileProperties(clusterName: string, overrides: Partial<FargateProfileResourceProperties> = {}): FargateProfileResourceProperties {
  return { ClusterName: clusterName, PodExecutionRoleArn: POD_EXECUTION_ROLE, Selectors: [{ Namespace: 'default' }], ...overrides };
}

/** Properties with something to canonicalize: labels out of order, two selectors, two subnets, a tag. */
export const SAMPLE_PROPERTIES: FargateProfileResourceProperties = {
  ClusterName: 'demo',
  PodExecutionRoleArn: POD_EXECUTION_ROLE,
  Selectors: [
    { Namespace: 'apps', Labels: [{ Key: 'tier', Value: 'web' }, { Key: 'env', Value: 'prod' }] },
    { Namespace: 'jobs' },
  ],
  Subnets: ['subnet-1', 'subnet-2'],
  Tags: [{ Key: 'owner', Value: 'team-a' }],
};

/**
 * The handler's canonical spec of `properties`, built by the real parser so canonicalization is
 * part of what a test exercises. Malformed properties throw its InvalidEventError.
 */
export function canonicalSpec(properties: object): ProfileSpec {
  return parseProperties(properties, 'ResourceProperties');
}

export function withServiceToken(properties: FargateProfileResourceProperties): DeliveredProperties {
  return { ServiceToken: SERVICE_TOKEN, ...properties };
}

let requestCounter = 0;

/** A Create; every event gets a new RequestId, as every CloudFormation request does. */
export function createEvent(properties: FargateProfileResourceProperties, logicalId = 'MyProfile'): ProviderEvent {
  return {
    RequestType: 'Create',
    RequestId: `req-${++requestCounter}`,
    LogicalResourceId: logicalId,
    ResponseURL: RESPONSE_URL,
    StackId: STACK_ID,
    ResourceType: FARGATE_PROFILE_RESOURCE_TYPE,
    ResourceProperties: withServiceToken(properties),
  };
}

export function updateEvent(physicalId: string, oldProperties: FargateProfileResourceProperties,
  newProperties: FargateProfileResourceProperties, logicalId = 'MyProfile'): ProviderEvent {
  return {
    ...createEvent(newProperties, logicalId),
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    OldResourceProperties: withServiceToken(oldProperties),
  };
}

export function deleteEvent(physicalId: string, properties: FargateProfileResourceProperties, logicalId = 'MyProfile'): ProviderEvent {
  return { ...createEvent(properties, logicalId), RequestType: 'Delete', PhysicalResourceId: physicalId };
}

/** What the Provider framework passes to isComplete: the event merged with onEvent's result. */
export function completeEvent(event: ProviderEvent, result: Pick<OnEventResponse, 'PhysicalResourceId'> & { Data?: object }): ProviderEvent {
  return { ...event, PhysicalResourceId: result.PhysicalResourceId, Data: result.Data };
}

/** A Lambda context whose remaining time runs out `ms` from now. */
export function contextWithBudget(ms: number): LambdaContext {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}

export interface Polled {
  /** The last answer: complete, or not after `maxPolls` calls. */
  readonly complete: IsCompleteResponse;
  readonly polls: number;
}

/** Like the Provider's waiter: isComplete (each call with a small budget) until complete, at most `maxPolls` times. */
export async function pollUntilComplete(event: ProviderEvent, result: OnEventResponse, maxPolls = 40, budgetMs = 300): Promise<Polled> {
  const next = completeEvent(event, result);
  let complete: IsCompleteResponse = { IsComplete: false };
  let polls = 0;
  while (!complete.IsComplete && polls < maxPolls) {
    polls++;
    complete = await isComplete(next, contextWithBudget(budgetMs));
  }
  return { complete, polls };
}

/**
 * onEvent, then isComplete until complete; throws when it is not complete after `maxPolls` calls.
 * `physicalId` is what CloudFormation records, as the framework merges it: isComplete's, else onEvent's.
 */
export async function runToCompletion(event: ProviderEvent, maxPolls = 40): Promise<{ physicalId: string } & Polled> {
  const result = await onEvent(event, contextWithBudget(2000));
  const { complete, polls } = await pollUntilComplete(event, result, maxPolls);
  if (!complete.IsComplete) throw new Error(`not complete after ${maxPolls} isComplete calls`);
  return { physicalId: complete.PhysicalResourceId ?? result.PhysicalResourceId, complete, polls };
}
