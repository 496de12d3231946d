// Parses and validates the Provider framework's event into a HandlerEvent: one type per request
// type, with the properties canonicalized (see profile-model.ts). Anything malformed fails here,
// with a message that says what is wrong and what to do, before any EKS call is made.
import { nameOfPendingCreate } from './naming';
import { CanonicalSelector, canonicalSelectors, ProfileSpec, sortKeys } from './profile-model';
import {
  CLUSTER_NAME_PATTERN, compareKeys, FargateProfileResourceProperties, MAX_SELECTORS, OWNER_TAG_KEY, PROFILE_NAME_PATTERN, PROPERTY,
} from '../src/wire-contract';

interface RequestCommon {
  readonly requestId: string;
  /** The stack's ARN; with the logical ID, it names the owner a profile's marker records (naming.ts, ownerMarker). */
  readonly stackId: string;
  readonly logicalResourceId: string;
  /** Known for every request, even a delete whose other properties no longer validate. */
  readonly clusterName: string;
  /** isComplete only: epoch ms written by onEvent; undefined means no deadline. */
  readonly waitDeadline?: number;
}

export interface CreateRequest extends RequestCommon {
  readonly requestType: 'Create';
  /** isComplete only: the name of the profile onEvent started (from its pending physical id, naming.ts). */
  readonly physicalResourceId?: string;
  /** isComplete only: the physical id is a pending one, which the completed create replaces with the name. */
  readonly pendingId: boolean;
  readonly spec: ProfileSpec;
}

export interface UpdateRequest extends RequestCommon {
  readonly requestType: 'Update';
  /** The existing profile's name; in isComplete, the profile onEvent kept or started (a replacement's, from its pending id). */
  readonly physicalResourceId: string;
  /**
   * isComplete only: onEvent kept the existing profile (Data.InPlace), so `physicalResourceId` is
   * still CloudFormation's record of this resource's profile, not a replacement's new name.
   */
  readonly inPlace: boolean;
  /** isComplete only: the physical id is a replacement's pending one, which the completed update replaces with the name. */
  readonly pendingId: boolean;
  readonly spec: ProfileSpec;
  /** Undefined when the old properties cannot be parsed (see `oldSpecError`). */
  readonly oldSpec?: ProfileSpec;
  /** Why the old properties could not be used (e.g. the rollback of a rejected update). */
  readonly oldSpecError?: string;
}

export interface DeleteRequest extends RequestCommon {
  readonly requestType: 'Delete';
  /** The profile's name. */
  readonly physicalResourceId: string;
  /**
   * Whether the name is CloudFormation's record of this resource's profile; false for the delete of
   * a create that never completed (its physical id is a pending create's, naming.ts).
   */
  readonly recordedName: boolean;
  /**
   * The properties, to recognise the profile this resource created. Undefined when they no
   * longer validate: then only the cluster name is known.
   */
  readonly knownSpec?: ProfileSpec;
}

export type HandlerEvent = CreateRequest | UpdateRequest | DeleteRequest;

export type RequestType = HandlerEvent['requestType'];

const ROLE_ARN_PATTERN = /^arn:[a-z-]+:iam::\d*:role\/\S+$/;

/** Thrown for any malformed event; `index.ts` lets it fail the resource unchanged. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

export function parseEvent(raw: unknown): HandlerEvent {
  if (!isObject(raw)) {
    throw new InvalidEventError(`Invalid event: expected a CloudFormation custom resource request object, got ${describe(raw)}.`);
  }
  const requestType = raw.RequestType;
  if (requestType !== 'Create' && requestType !== 'Update' && requestType !== 'Delete') {
    throw new InvalidEventError(
      `Invalid event: RequestType must be "Create", "Update" or "Delete", got ${describe(requestType)}. ` +
      'This handler only serves CloudFormation custom resource requests delivered by the CDK Provider framework.');
  }
  const common = {
    requestId: requireString(raw.RequestId, 'RequestId'),
    stackId: requireString(raw.StackId, 'StackId'),
    logicalResourceId: requireString(raw.LogicalResourceId, 'LogicalResourceId'),
    waitDeadline: parseDeadline(raw.Data),
  };

  switch (requestType) {
    case 'Create': {
      const reported = raw.PhysicalResourceId === undefined ? undefined : requireString(raw.PhysicalResourceId, 'PhysicalResourceId');
      // A name as such: what a handler before pending ids returned, for a create in flight across an upgrade.
      const pendingName = reported === undefined ? undefined : nameOfPendingCreate(reported);
      const physicalResourceId = pendingName ?? reported;
      const spec = parseProperties(raw.ResourceProperties, 'ResourceProperties');
      return { requestType, ...common, physicalResourceId, pendingId: pendingName !== undefined, clusterName: spec.clusterName, spec };
    }
    case 'Update': {
      // In isComplete, a replacement's new profile is named by onEvent's pending id (naming.ts).
      const physicalId = requireString(raw.PhysicalResourceId, 'PhysicalResourceId');
      const pendingName = nameOfPendingCreate(physicalId);
      const physicalResourceId = parseExistingName(pendingName ?? physicalId, requestType, physicalId);
      const spec = parseProperties(raw.ResourceProperties, 'ResourceProperties');
      // Lenient on purpose: the old properties of a rollback are the ones a failed update was
      // rejected for, and refusing them would leave the stack in UPDATE_ROLLBACK_FAILED.
      let oldSpec: ProfileSpec | undefined;
      let oldSpecError: string | undefined;
      try {
        oldSpec = parseProperties(raw.OldResourceProperties, 'OldResourceProperties');
      } catch (e) {
        oldSpecError = (e as Error).message;
      }
      const inPlace = isObject(raw.Data) && raw.Data.InPlace === 'true';
      const pendingId = pendingName !== undefined;
      return { requestType, ...common, physicalResourceId, inPlace, pendingId, clusterName: spec.clusterName, spec, oldSpec, oldSpecError };
    }
    case 'Delete': {
      const physicalId = requireString(raw.PhysicalResourceId, 'PhysicalResourceId');
      const pendingName = nameOfPendingCreate(physicalId);
      const physicalResourceId = parseExistingName(pendingName ?? physicalId, requestType, physicalId);
      const recordedName = pendingName === undefined;
      return { requestType, ...common, physicalResourceId, recordedName, ...parseDeleteProperties(raw.ResourceProperties) };
    }
  }
}

/** The PhysicalResourceId of an Update or Delete: the name of a profile this handler created. */
/** The profile name in a physical id (`physicalId`, as delivered, when the name is read from a pending create's id). */
function parseExistingName(raw: unknown, requestType: 'Update' | 'Delete', physicalId: unknown = raw): string {
  const name = raw === physicalId ? requireString(raw, 'PhysicalResourceId') : String(raw);
  if (!PROFILE_NAME_PATTERN.test(name)) {
    const shown = name === physicalId ? `"${truncate(name)}"` : `"${truncate(String(physicalId))}" (name "${truncate(name)}")`;
    throw new InvalidEventError(
      `Invalid ${requestType} request: PhysicalResourceId ${shown} cannot be a Fargate profile name ` +
      '(1-100 characters: letters, digits, "-" and "_", starting with a letter or digit). ' +
      'This handler only returns profile names (or, for a create or replacement in progress, "pending-create:" and the name) as physical ids, ' +
      'so this resource was not created by it and it touches nothing. ' +
      (requestType === 'Delete'
        ? 'Retain the resource when deleting the stack (there is no profile to delete).'
        : 'Check that the resource is served by this library\'s provider.'));
  }
  return name;
}

/** Validates `ResourceProperties` (see the wire contract) and canonicalizes them. */
export function parseProperties(raw: unknown, where: string): ProfileSpec {
  if (!isObject(raw)) {
    throw new InvalidEventError(`Invalid ${where}: expected an object with the Fargate profile properties, got ${describe(raw)}.`);
  }
  const props = raw as Partial<Record<keyof FargateProfileResourceProperties, unknown>>;

  const clusterName = requireString(props.ClusterName, `${where}.${PROPERTY.clusterName}`);
  if (!CLUSTER_NAME_PATTERN.test(clusterName)) {
    throw new InvalidEventError(
      `Invalid ${where}.${PROPERTY.clusterName} "${truncate(clusterName)}": an EKS cluster name has 1-100 characters ` +
      '(letters, digits, "-" and "_", starting with a letter or digit).');
  }

  let explicitName: string | undefined;
  if (props.FargateProfileName !== undefined && props.FargateProfileName !== '') {
    explicitName = requireString(props.FargateProfileName, `${where}.${PROPERTY.fargateProfileName}`);
    if (!PROFILE_NAME_PATTERN.test(explicitName)) {
      throw new InvalidEventError(
        `Invalid ${where}.${PROPERTY.fargateProfileName} "${truncate(explicitName)}": a Fargate profile name has 1-100 characters ` +
        '(letters, digits, "-" and "_", starting with a letter or digit). Fix the name, or omit it to let one be generated.');
    }
  }

  const podExecutionRoleArn = requireString(props.PodExecutionRoleArn, `${where}.${PROPERTY.podExecutionRoleArn}`);
  if (!ROLE_ARN_PATTERN.test(podExecutionRoleArn)) {
    throw new InvalidEventError(
      `Invalid ${where}.${PROPERTY.podExecutionRoleArn} "${truncate(podExecutionRoleArn)}": expected an IAM role ARN ` +
      '(arn:<partition>:iam::<account>:role/<name>).');
  }

  return {
    clusterName,
    explicitName,
    podExecutionRoleArn,
    selectors: parseSelectors(props.Selectors, `${where}.${PROPERTY.selectors}`),
    subnets: parseSubnets(props.Subnets, `${where}.${PROPERTY.subnets}`),
    tags: parseTags(props.Tags, `${where}.${PROPERTY.tags}`),
  };
}

/** Tags; the ownership marker is the handler's to set (synth time refuses it too, src/validation.ts). */
function parseTags(raw: unknown, where: string): Record<string, string> {
  const tags = parseKeyValues(raw, where) ?? {};
  if (Object.prototype.hasOwnProperty.call(tags, OWNER_TAG_KEY)) {
    throw new InvalidEventError(
      `Invalid ${where}: the key "${OWNER_TAG_KEY}" is reserved for the ownership marker the handler sets itself. Remove it from the tags.`);
  }
  return tags;
}

/**
 * A delete needs only the cluster name (the profile name is the physical id). Rules that matter
 * only for creating must never block removing a profile this handler created earlier.
 */
function parseDeleteProperties(raw: unknown): { clusterName: string; knownSpec?: ProfileSpec } {
  try {
    const knownSpec = parseProperties(raw, 'ResourceProperties');
    return { clusterName: knownSpec.clusterName, knownSpec };
  } catch (e) {
    const clusterName = isObject(raw) ? raw.ClusterName : undefined;
    if (typeof clusterName !== 'string' || !CLUSTER_NAME_PATTERN.test(clusterName)) throw e;
    return { clusterName };
  }
}

function parseSelectors(raw: unknown, where: string): CanonicalSelector[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_SELECTORS) {
    throw new InvalidEventError(
      `Invalid ${where}: expected an array of 1 to ${MAX_SELECTORS} selectors ({ Namespace, Labels? }), got ${describe(raw)}.`);
  }
  const selectors = raw.map((item, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(item)) {
      throw new InvalidEventError(`Invalid ${at}: expected an object { Namespace, Labels? }, got ${describe(item)}.`);
    }
    return {
      namespace: requireString(item.Namespace, `${at}.Namespace`),
      labels: parseKeyValues(item.Labels, `${at}.Labels`) ?? {},
    };
  });
  return canonicalSelectors(selectors);
}

function parseSubnets(raw: unknown, where: string): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    throw new InvalidEventError(`Invalid ${where}: expected an array of subnet ids, got ${describe(raw)}.`);
  }
  raw.forEach((s, i) => requireString(s, `${where}[${i}]`));
  // An empty list means the same as no list: EKS uses the cluster's private subnets.
  return raw.length === 0 ? undefined : [...new Set(raw as string[])].sort(compareKeys);
}

/** `[{ Key, Value }]` -> map; keys must be unique, values may be empty. */
function parseKeyValues(raw: unknown, where: string): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    throw new InvalidEventError(`Invalid ${where}: expected an array of { Key, Value } objects, got ${describe(raw)}.`);
  }
  // No prototype: a key like "__proto__" or "constructor" is just a key.
  const map: Record<string, string> = Object.create(null);
  raw.forEach((item, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(item)) {
      throw new InvalidEventError(`Invalid ${at}: expected an object { Key, Value }, got ${describe(item)}.`);
    }
    const key = requireString(item.Key, `${at}.Key`);
    if (typeof item.Value !== 'string') {
      throw new InvalidEventError(`Invalid ${at}.Value: expected a string, got ${describe(item.Value)}.`);
    }
    if (Object.prototype.hasOwnProperty.call(map, key)) {
      throw new InvalidEventError(`Invalid ${at}: duplicate key "${truncate(key)}". Each key may appear only once.`);
    }
    map[key] = item.Value;
  });
  return sortKeys(map);
}

function parseDeadline(data: unknown): number | undefined {
  if (!isObject(data)) return undefined;
  const value = data.WaitDeadline;
  const ms = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function requireString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidEventError(`Invalid event: ${where} must be a non-empty string, got ${describe(value)}.`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short description of an unexpected value for error messages (never dumps whole objects). */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the property is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item(s)`;
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string "${truncate(value)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function truncate(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
