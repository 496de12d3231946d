// The pure part of the Update path: planUpdate and isRollbackInPlace (jobForUpdate runs through
// the handler tests, against the emulator).
import type { ProfileSpec } from '../../lambda/profile-model';
import { isRollbackInPlace, planUpdate, UpdatePlan } from '../../lambda/update';
import { canonicalSpec, OTHER_POD_EXECUTION_ROLE as ROLE_B, POD_EXECUTION_ROLE as ROLE, SAMPLE_PROPERTIES } from '../support/handler-events';

const GENERATED = 'MyProfile-0123abcd';

type Wire = Record<string, unknown>;

const spec = (overrides: Wire = {}): ProfileSpec => canonicalSpec({ ...SAMPLE_PROPERTIES, ...overrides });

const named = (name: string, o: Wire = {}) => spec({ FargateProfileName: name, ...o });

// old, new, current name, expected kind (+ name for REPLACE)
const rows: Array<[string, ProfileSpec, ProfileSpec, string, Partial<UpdatePlan> & { kind: UpdatePlan['kind'] }]> = [
  ['nothing changed -> no-op', spec(), spec(), GENERATED.replace('0123', 'ffff'), { kind: 'NO_OP' }],
  ['selectors reordered -> no-op', spec(), spec({
    Selectors: [{ Namespace: 'jobs' }, { Namespace: 'apps', Labels: [{ Key: 'env', Value: 'prod' }, { Key: 'tier', Value: 'web' }] }],
  }), 'p-old', { kind: 'NO_OP' }],
  ['a selector repeated -> no-op', spec(), spec({
    Selectors: [{ Namespace: 'jobs' }, { Namespace: 'jobs' }, { Namespace: 'apps', Labels: [{ Key: 'env', Value: 'prod' }, { Key: 'tier', Value: 'web' }] }],
  }), 'p-old', { kind: 'NO_OP' }],
  ['subnets reordered -> no-op', spec(), spec({ Subnets: ['subnet-2', 'subnet-1'] }), 'p-old', { kind: 'NO_OP' }],
  ['tags reordered -> no-op', spec({ Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }),
    spec({ Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }] }), 'p-old', { kind: 'NO_OP' }],
  ['explicit name unchanged, nothing else -> no-op', named('fixed'), named('fixed'), 'fixed', { kind: 'NO_OP' }],
  ['generated name now given explicitly as the same name -> no-op', spec(), named('p-old'), 'p-old', { kind: 'NO_OP' }],
  ['tag value changed -> tags in place', spec(), spec({ Tags: [{ Key: 'owner', Value: 'team-b' }] }), 'p-old', { kind: 'UPDATE_TAGS' }],
  ['tag added -> tags in place', spec(), spec({ Tags: [{ Key: 'owner', Value: 'team-a' }, { Key: 'x', Value: '' }] }), 'p-old', { kind: 'UPDATE_TAGS' }],
  ['tags removed -> tags in place', spec(), spec({ Tags: undefined }), 'p-old', { kind: 'UPDATE_TAGS' }],
  ['tags changed with an explicit name -> tags in place', named('fixed'), named('fixed', { Tags: [] }), 'fixed', { kind: 'UPDATE_TAGS' }],
  ['selector namespace changed, generated name -> replace', spec(), spec({ Selectors: [{ Namespace: 'other' }] }), 'p-old',
    { kind: 'REPLACE', newName: GENERATED }],
  ['selector label value changed, generated name -> replace', spec(), spec({
    Selectors: [{ Namespace: 'apps', Labels: [{ Key: 'tier', Value: 'api' }, { Key: 'env', Value: 'prod' }] }, { Namespace: 'jobs' }],
  }), 'p-old', { kind: 'REPLACE', newName: GENERATED }],
  ['subnet added, generated name -> replace', spec(), spec({ Subnets: ['subnet-1', 'subnet-2', 'subnet-3'] }), 'p-old',
    { kind: 'REPLACE', newName: GENERATED }],
  ['subnets removed, generated name -> replace', spec(), spec({ Subnets: undefined }), 'p-old', { kind: 'REPLACE', newName: GENERATED }],
  ['role changed, generated name -> replace', spec(), spec({ PodExecutionRoleArn: ROLE_B }), 'p-old', { kind: 'REPLACE', newName: GENERATED }],
  ['cluster changed, generated name -> replace', spec(), spec({ ClusterName: 'other' }), 'p-old', { kind: 'REPLACE', newName: GENERATED }],
  ['explicit name changed alone -> replace under the new name', named('one'), named('two'), 'one', { kind: 'REPLACE', newName: 'two' }],
  ['explicit name and role changed -> replace under the new name', named('one'), named('two', { PodExecutionRoleArn: ROLE_B }), 'one',
    { kind: 'REPLACE', newName: 'two' }],
  ['explicit name removed -> replace with a generated name', named('one'), spec(), 'one', { kind: 'REPLACE', newName: GENERATED }],
  ['explicit name given where it was generated -> replace under it', spec(), named('chosen'), 'p-old', { kind: 'REPLACE', newName: 'chosen' }],
  ['explicit unchanged name, selectors changed -> reject', named('fixed'), named('fixed', { Selectors: [{ Namespace: 'x' }] }), 'fixed',
    { kind: 'REJECT' }],
  ['explicit unchanged name, role changed -> reject', named('fixed'), named('fixed', { PodExecutionRoleArn: ROLE_B }), 'fixed', { kind: 'REJECT' }],
  ['explicit unchanged name, subnets changed -> reject', named('fixed'), named('fixed', { Subnets: ['subnet-9'] }), 'fixed', { kind: 'REJECT' }],
  ['explicit unchanged name, cluster changed -> reject', named('fixed'), named('fixed', { ClusterName: 'other' }), 'fixed', { kind: 'REJECT' }],
];

test.each(rows)('%s', (_name, oldSpec, newSpec, currentName, expected) => {
  expect(planUpdate(oldSpec, newSpec, currentName, GENERATED)).toMatchObject(expected);
});

describe('when the existing profile already has the new properties (rollback of a failed or rejected update)', () => {
  // old = the refused properties, new = the profile's own: complete in place, never replace or reject again.
  test.each<[string, ProfileSpec, ProfileSpec, string, UpdatePlan['kind']]>([
    ['explicit name, role rolled back', named('fixed', { PodExecutionRoleArn: ROLE_B }), named('fixed'), 'fixed', 'NO_OP'],
    ['explicit name, subnets and tags rolled back', named('fixed', { Subnets: ['subnet-9'], Tags: [] }), named('fixed'), 'fixed', 'UPDATE_TAGS'],
    ['generated name, selectors rolled back', spec({ Selectors: [{ Namespace: 'x' }] }), spec(), 'p-old', 'NO_OP'],
    ['explicit name rolled back from a failed rename', named('two', { PodExecutionRoleArn: ROLE_B }), named('one'), 'one', 'NO_OP'],
  ])('%s -> %s', (_name, oldSpec, newSpec, currentName, kind) => {
    expect(planUpdate(oldSpec, newSpec, currentName, GENERATED, true).kind).toBe(kind);
    // Without that knowledge the same properties would replace or reject.
    expect(['REPLACE', 'REJECT']).toContain(planUpdate(oldSpec, newSpec, currentName, GENERATED, false).kind);
  });

  test('a changed name still means a new profile', () => {
    expect(planUpdate(named('one'), named('two'), 'one', GENERATED, true)).toMatchObject({ kind: 'REPLACE', newName: 'two' });
    expect(planUpdate(named('one'), spec(), 'one', GENERATED, true)).toMatchObject({ kind: 'REPLACE', newName: GENERATED });
  });
});

describe('isRollbackInPlace', () => {
  const live = named('fixed');
  const shape = (status = 'ACTIVE') => ({ status, podExecutionRoleArn: ROLE, selectors: live.selectors, subnets: ['subnet-1', 'subnet-2'] });
  const refused = named('fixed', { PodExecutionRoleArn: ROLE_B });
  test.each<[string, ReturnType<typeof shape> | undefined, ProfileSpec, ProfileSpec, boolean]>([
    ['old never took effect, live profile is the new spec -> rollback', shape(), refused, live, true],
    ['old took effect (a real change) -> not a rollback', shape(), live, refused, false],
    ['live profile is neither old nor new -> not a rollback', shape(), refused, named('fixed', { Selectors: [{ Namespace: 'x' }] }), false],
    ['profile DELETING -> not a rollback', shape('DELETING'), refused, live, false],
    ['no profile -> not a rollback', undefined, refused, live, false],
    ['subnets removed from a profile that had them -> not a rollback (replacement)', shape(), spec(), spec({ Subnets: undefined }), false],
  ])('%s', (_name, existing, oldSpec, newSpec, expected) => {
    expect(isRollbackInPlace(existing, oldSpec, newSpec)).toBe(expected);
  });
});

test('a rejection explains immutability, names what changed, and says how to replace', () => {
  const plan = planUpdate(named('fixed'), named('fixed', { PodExecutionRoleArn: ROLE_B, Subnets: ['subnet-9'] }), 'fixed', GENERATED);
  expect(plan.kind).toBe('REJECT');
  const reason = plan.kind === 'REJECT' ? plan.reason : '';
  expect(reason).toContain('Cannot update Fargate profile "fixed" on cluster "demo": PodExecutionRoleArn, Subnets changed');
  expect(reason).toContain('Fargate profiles are immutable');
  expect(reason).toContain('Change FargateProfileName, or remove it to let a unique name be generated');
  expect(reason).toContain('Nothing was changed.');
});

test('a replacement says why', () => {
  const plan = planUpdate(spec(), spec({ PodExecutionRoleArn: ROLE_B }), 'p-old', GENERATED);
  expect(plan).toEqual({ kind: 'REPLACE', newName: GENERATED, reason: 'PodExecutionRoleArn changed' });
});
