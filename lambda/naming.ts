// Profile names and idempotency tokens. Both are pure functions of the event, so a retried
// invocation of the same CloudFormation request computes the same values and creates nothing twice.
import { createHash } from 'crypto';
import { hasReservedProfileNamePrefix, MAX_PROFILE_NAME_LENGTH } from '../src/wire-contract';

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

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
