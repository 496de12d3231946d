// Profile names, idempotency tokens and ownership markers. All are pure functions of the event, so a
// retried invocation of the same CloudFormation request computes the same values and creates nothing
// twice, and every request of one resource computes the same marker.
import { createHash } from 'crypto';
import { hasReservedProfileNamePrefix, MAX_PROFILE_NAME_LENGTH, MAX_TAG_VALUE_LENGTH, ownerTagPrefix } from '../src/wire-contract';

const HASH_LENGTH = 8;
const FALLBACK_PREFIX = 'FargateProfile';

/**
 * A name for a profile the user did not name: the sanitized LogicalResourceId plus a short hash of
 * the RequestId. A new RequestId (a replacement) gives a new name, so old and new profiles coexist
 * until CloudFormation deletes the old one.
 */
export function generateProfileName(logicalResourceId: string, requestId: string): string {
  const suffix = sha256(requestId).slice(0, HASH_LENGTH);
  let prefix = logicalResourceId.replace(/[^A-Za-z0-9_-]/g, '').replace(/^[^A-Za-z0-9]+/, '');
  if (prefix === '') prefix = FALLBACK_PREFIX;
  // `${prefix}-` is how the name starts: "eks" alone would make it "eks-...".
  if (hasReservedProfileNamePrefix(`${prefix}-`)) prefix = `fp-${prefix}`;
  prefix = prefix.slice(0, MAX_PROFILE_NAME_LENGTH - HASH_LENGTH - 1);
  return `${prefix}-${suffix}`;
}

/** Same request + same profile -> same token; EKS then returns the original profile instead of a second one. */
export function clientRequestToken(requestId: string, profileName: string): string {
  return sha256(`${requestId}\n${profileName}`).slice(0, 32);
}

/**
 * The value of this resource's ownership marker (OWNER_TAG_KEY): `<StackId>/<LogicalResourceId>`.
 * When that exceeds the 256 characters of a tag value (a long stack name and a long logical ID),
 * the logical ID is replaced by `sha256-` and 16 hex digits of its hash: still deterministic, still
 * under the stack's prefix, and never a logical ID (those are alphanumeric). Markers are compared
 * as whole strings.
 */
export function ownerMarker(stackId: string, logicalResourceId: string): string {
  const full = `${ownerTagPrefix(stackId)}${logicalResourceId}`;
  if (full.length <= MAX_TAG_VALUE_LENGTH) return full;
  return `${ownerTagPrefix(stackId)}sha256-${sha256(logicalResourceId).slice(0, 16)}`;
}

const MARKER_PATTERN = /^arn:[a-z-]+:cloudformation:[^:]*:\d*:stack\/([^/]+)\/[^/]+\/(.+)$/;

/** A marker as a failure message names it: the resource and stack it records, and the marker itself. */
export function describeOwner(marker: string): string {
  const parts = MARKER_PATTERN.exec(marker);
  return parts ? `resource ${parts[2]} of stack ${parts[1]} (marker "${marker}")` : `marker "${marker}"`;
}

/**
 * What onEvent reports as the physical id of a Create, until isComplete reports the profile's name.
 * A create that fails before its profile is ACTIVE (refused, timed out) leaves CloudFormation with
 * this id, and the rollback's delete arrives with it: the delete then knows the name was never
 * CloudFormation's record of this resource, so it removes only a profile carrying this resource's
 * marker, never an unmarked one that took the name meanwhile. Not a profile name (":" is not allowed
 * in one), so no profile name is ever mistaken for it.
 */
const PENDING_CREATE_PREFIX = 'pending-create:';

export function pendingCreateId(profileName: string): string {
  return `${PENDING_CREATE_PREFIX}${profileName}`;
}

/** The profile name in a pending create's physical id, or undefined when `physicalId` is not one. */
export function nameOfPendingCreate(physicalId: string): string | undefined {
  return physicalId.startsWith(PENDING_CREATE_PREFIX) ? physicalId.slice(PENDING_CREATE_PREFIX.length) : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
