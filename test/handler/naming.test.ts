import { clientRequestToken, generateProfileName } from '../../lambda/naming';
import { PROFILE_NAME_PATTERN } from '../../src/wire-contract';

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
