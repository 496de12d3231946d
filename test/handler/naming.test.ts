import { clientRequestToken, describeOwner, generateProfileName, nameOfPendingCreate, ownerMarker, pendingCreateId } from '../../lambda/naming';
import { MAX_TAG_VALUE_LENGTH, PROFILE_NAME_PATTERN } from '../../src/wire-contract';

const logicalIds = [
  'MyProfile',
  'Stack/Nested/Profile.Resource',
  'eks',
  'EKS-profile',
  'Eks',
  '-_leading',
  '___',
  '!!!',
  '',
  'naïve-ünïcode',
  'A'.repeat(300),
  'eks-'.repeat(40),
];
const requestIds = ['req-1', 'req-2', '6f1c0f3a-2d6e-4f47-9a5e-0d7c7c9f1b11'];

describe.each(logicalIds)('generated name for logical id %j', (logicalId) => {
  test.each(requestIds)('request %s: a valid EKS name, at most 100 chars, never "eks-"', (requestId) => {
    const name = generateProfileName(logicalId, requestId);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name).toMatch(PROFILE_NAME_PATTERN);
    expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
    expect(name.toLowerCase().startsWith('eks-')).toBe(false);
  });

  test('deterministic per RequestId, different across RequestIds', () => {
    expect(generateProfileName(logicalId, 'req-1')).toBe(generateProfileName(logicalId, 'req-1'));
    const names = new Set(requestIds.map(r => generateProfileName(logicalId, r)));
    expect(names.size).toBe(requestIds.length);
  });
});

test('the name is recognisably derived from the logical id', () => {
  expect(generateProfileName('MyProfile', 'req-1')).toMatch(/^MyProfile-[0-9a-f]{8}$/);
  expect(generateProfileName('Stack/Nested/Profile.Resource', 'req-1')).toMatch(/^StackNestedProfileResource-[0-9a-f]{8}$/);
});

test('a logical id with nothing usable still gives a readable name', () => {
  expect(generateProfileName('!!!', 'req-1')).toMatch(/^FargateProfile-[0-9a-f]{8}$/);
});

test('the clientRequestToken is deterministic per request and profile, and differs otherwise', () => {
  const token = clientRequestToken('req-1', 'web');
  expect(token).toBe(clientRequestToken('req-1', 'web'));
  expect(token).not.toBe(clientRequestToken('req-2', 'web'));
  expect(token).not.toBe(clientRequestToken('req-1', 'api'));
  expect(token).toMatch(/^[0-9a-f]{32}$/);
});

describe('ownership marker', () => {
  const STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/MyStack/0b7f3a10-2f8e-11ef-9b8a-0a1b2c3d4e5f';
  // The longest StackId: a 128-character stack name in the longest partition and region names.
  const LONG_STACK = `arn:aws-iso-b:cloudformation:us-isob-east-1:123456789012:stack/${'S'.repeat(128)}/0b7f3a10-2f8e-11ef-9b8a-0a1b2c3d4e5f`;
  /** EKS tag values (AWS::EKS::FargateProfile Tag): letters, digits, spaces and + - = . _ : / @. */
  const TAG_VALUE = /^[A-Za-z0-9 +\-=._:/@]*$/;

  test('the stack id and the logical id, when they fit', () => {
    expect(ownerMarker(STACK, 'AppsProfile1A2B3C4D')).toBe(`${STACK}/AppsProfile1A2B3C4D`);
  });

  test.each([['a long logical id', STACK, 'L'.repeat(255)], ['a long stack id and logical id', LONG_STACK, 'L'.repeat(40)]])(
    '%s: the logical id is replaced by a hash, deterministic, under the stack\'s prefix, within 256 characters', (_name, stackId, logicalId) => {
      const marker = ownerMarker(stackId, logicalId);
      expect(marker).toMatch(new RegExp(`^${stackId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/sha256-[0-9a-f]{16}$`));
      expect(marker.length).toBeLessThanOrEqual(MAX_TAG_VALUE_LENGTH);
      expect(marker).toBe(ownerMarker(stackId, logicalId));
      expect(marker).not.toBe(ownerMarker(stackId, `${logicalId.slice(1)}M`));
    });

  test('only characters EKS accepts in a tag value; another stack (same name, new UUID) gives another marker', () => {
    for (const marker of [ownerMarker(STACK, 'A1'), ownerMarker(LONG_STACK, 'L'.repeat(255))]) expect(marker).toMatch(TAG_VALUE);
    expect(ownerMarker(STACK, 'A1')).not.toBe(ownerMarker(STACK.replace('0b7f3a10', '1c8e4b21'), 'A1'));
  });

  test('a failure message names the stack and resource a marker records, and the marker itself', () => {
    expect(describeOwner(`${STACK}/AppsProfile1A2B3C4D`)).toBe(`resource AppsProfile1A2B3C4D of stack MyStack (marker "${STACK}/AppsProfile1A2B3C4D")`);
    expect(describeOwner('set-by-hand')).toBe('marker "set-by-hand"');
  });
});

describe('pending create id', () => {
  test('round-trips the name; no profile name is ever read as one', () => {
    expect(pendingCreateId('apps')).toBe('pending-create:apps');
    expect(nameOfPendingCreate(pendingCreateId('apps'))).toBe('apps');
    for (const name of ['apps', 'pending-create', 'pending-createapps', generateProfileName('Apps', 'req-1')]) {
      expect(name).toMatch(PROFILE_NAME_PATTERN);
      expect(nameOfPendingCreate(name)).toBeUndefined();
    }
    // ":" cannot be in a profile name, so the pending id can never be one.
    expect(pendingCreateId('apps')).not.toMatch(PROFILE_NAME_PATTERN);
  });
});
