// The canonical profile model: specs built by the real parser, so canonicalization is part of what is tested.
import { ProfileSpec, profileSatisfiesSpec, tagChanges, withOwnerMarker, withoutOwnerMarker } from '../../lambda/profile-model';
import { canonicalSpec, OTHER_POD_EXECUTION_ROLE as ROLE_B, POD_EXECUTION_ROLE as ROLE, SAMPLE_PROPERTIES } from '../support/handler-events';

const spec = (overrides: Record<string, unknown> = {}): ProfileSpec => canonicalSpec({ ...SAMPLE_PROPERTIES, ...overrides });

describe('profileSatisfiesSpec', () => {
  const base = spec();
  const shape = { podExecutionRoleArn: ROLE, selectors: base.selectors, subnets: ['subnet-2', 'subnet-1'] };
  test.each<[string, Partial<typeof shape>, ProfileSpec, boolean]>([
    ['same properties, other order', {}, base, true],
    ['other role', { podExecutionRoleArn: ROLE_B }, base, false],
    ['role missing', { podExecutionRoleArn: undefined }, base, false],
    ['other selectors', { selectors: spec({ Selectors: [{ Namespace: 'x' }] }).selectors }, base, false],
    ['other subnets', { subnets: ['subnet-1'] }, base, false],
    ['spec without subnets accepts the ones EKS chose', { subnets: ['subnet-private-a'] }, spec({ Subnets: undefined }), true],
    ['tags are not compared', {}, spec({ Tags: [{ Key: 'other', Value: 'x' }] }), true],
  ])('%s -> %s', (_name, overrides, s, expected) => {
    expect(profileSatisfiesSpec({ ...shape, ...overrides }, s)).toBe(expected);
  });
});

describe('tagChanges', () => {
  test.each([
    ['in sync', { a: '1' }, { a: '1' }, { a: '1' }, { set: {}, remove: [] }],
    ['value changed', { a: '2' }, { a: '1' }, { a: '1' }, { set: { a: '2' }, remove: [] }],
    ['added', { a: '1', b: '2' }, { a: '1' }, { a: '1' }, { set: { b: '2' }, remove: [] }],
    ['managed key dropped', {}, { a: '1' }, { a: '1' }, { set: {}, remove: ['a'] }],
    ['foreign key is kept', {}, { a: '1', theirs: 'x' }, { a: '1' }, { set: {}, remove: ['a'] }],
    ['managed key already gone', {}, {}, { a: '1' }, { set: {}, remove: [] }],
    ['empty value is a value', { a: '' }, {}, {}, { set: { a: '' }, remove: [] }],
    ['prototype-looking keys are plain keys', { constructor: 'c' }, {}, { toString: 't' }, { set: { constructor: 'c' }, remove: [] }],
  ])('%s', (_name, desired, observed, managed, expected) => {
    const changes = tagChanges(desired as Record<string, string>, observed as Record<string, string>, managed as Record<string, string>);
    expect({ set: { ...changes.set }, remove: changes.remove }).toEqual(expected);
  });
});

describe('the ownership marker in tag changes', () => {
  const KEY = 'cdk-eks-fargate-profile:owner';
  test('tag sync never removes the marker, even if the old properties listed its key', () => {
    expect(tagChanges({}, { [KEY]: 'me', team: 'a' }, { [KEY]: 'me', team: 'a' })).toEqual({ set: {}, remove: ['team'] });
  });

  test('the desired tags always carry this resource\'s marker, which no user tag overrides', () => {
    expect(withOwnerMarker({ team: 'a', [KEY]: 'theirs' }, 'me')).toEqual({ [KEY]: 'me', team: 'a' });
    expect(withoutOwnerMarker({ team: 'a', [KEY]: 'me' })).toEqual({ team: 'a' });
  });
});
