// Scenarios 1, 2, 3 and 11: the happy lifecycle through CloudFormation semantics, the
// Provider framework, the BUNDLED handler and the EKS emulator.
import { LifecycleRunner } from '../support/lifecycle-runner';
import { Scenario } from '../support/scenario-harness';
import { numberedProfiles, profileLogicalId, synthProfiles } from '../support/scenario-stacks';

let scenario: Scenario;
beforeEach(async () => {
  // The handler logs a JSON line per step; keep the test output readable.
  jest.spyOn(console, 'log').mockImplementation(() => {});
  scenario = await Scenario.start();
});
afterEach(async () => { await scenario.stop(); });

test('1. a stack with 5 chained profiles creates, then deletes, cleanly', async () => {
  const template = synthProfiles(numberedProfiles(5));
  const stack = scenario.stack();
  const ids = [1, 2, 3, 4, 5].map(i => profileLogicalId(template, `P${i}`));

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  const live = scenario.emulator.profiles('demo');
  expect(live).toHaveLength(5);
  for (const [k, id] of ids.entries()) {
    const name = stack.physicalId(id);
    const profile = scenario.emulator.describe('demo', name)!;
    expect(profile.status).toBe('ACTIVE');
    expect(profile.selectors).toEqual([{ namespace: `ns-${k + 1}` }]);
    // GetAtt Arn resolves to the real profile ARN.
    expect(stack.resources.get(id)!.attributes.Arn).toBe(profile.fargateProfileArn);
    // The construct's default role, by its fake ARN.
    expect(profile.podExecutionRoleArn).toMatch(new RegExp(`^arn:aws:iam::123456789012:role/P${k + 1}PodExecutionRole`));
  }
  // Chained: each create starts only after the previous profile is complete.
  const creates = created.calls.filter(c => c.request.RequestType === 'Create');
  expect(creates.map(c => c.request.LogicalResourceId)).toEqual(ids);
  for (let k = 1; k < creates.length; k++) expect(creates[k].startMs).toBeGreaterThanOrEqual(creates[k - 1].endMs);
  // Nothing ever collided with the one-at-a-time rule, since the stack chains its profiles.
  expect(scenario.emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(5);

  const deleted = await stack.destroy();

  expect(deleted.failureReason).toBeUndefined();
  expect(deleted.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario.emulator.profiles('demo')).toEqual([]);
  expect(deleted.calls.filter(c => c.request.RequestType === 'Delete').map(c => c.request.LogicalResourceId))
    .toEqual([...ids].reverse());
});

test('2. a tag-only update keeps every physical id and changes the tags', async () => {
  const specs = numberedProfiles(3, i => ({ tags: { team: 'a', keep: `k${i}` } }));
  const stack = scenario.stack();
  const template = synthProfiles(specs);
  await stack.deploy(template);
  const ids = specs.map(s => profileLogicalId(template, s.id));
  const before = ids.map(id => stack.physicalId(id));
  const arns = ids.map(id => stack.resources.get(id)!.attributes.Arn);
  scenario.emulator.clearCalls();

  const retagged = synthProfiles(numberedProfiles(3, i => ({ tags: { team: 'b', added: 'yes', keep: `k${i}` } })));
  const updated = await stack.deploy(retagged);

  expect(updated.failureReason).toBeUndefined();
  expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
  expect(ids.map(id => stack.physicalId(id))).toEqual(before);
  expect(ids.map(id => stack.resources.get(id)!.attributes.Arn)).toEqual(arns);
  for (const [k, name] of before.entries()) {
    expect(scenario.emulator.describe('demo', name)!.tags).toEqual({ team: 'b', added: 'yes', keep: `k${k + 1}` });
  }
  expect(updated.calls.map(c => c.request.RequestType)).toEqual(['Update', 'Update', 'Update']);
  expect(scenario.emulator.callCount({ operation: 'CreateFargateProfile' })).toBe(0);
  expect(scenario.emulator.callCount({ operation: 'DeleteFargateProfile' })).toBe(0);
  expect(scenario.emulator.callCount({ operation: 'TagResource', outcome: 'OK' })).toBeGreaterThanOrEqual(3);

  // Removing a tag untags it.
  await stack.deploy(synthProfiles(numberedProfiles(3, i => ({ tags: { keep: `k${i}` } }))));
  expect(scenario.emulator.describe('demo', before[0])!.tags).toEqual({ keep: 'k1' });
  expect(scenario.emulator.callCount({ operation: 'UntagResource', outcome: 'OK' })).toBeGreaterThanOrEqual(3);
  await expectCleanDestroy(stack);
});

test('3. a selector change on two profiles at once replaces both; the parallel cleanup deletes both old ones', async () => {
  const stack = scenario.stack();
  const template = synthProfiles(numberedProfiles(3));
  await stack.deploy(template);
  const [p1, p2, p3] = ['P1', 'P2', 'P3'].map(id => profileLogicalId(template, id));
  const [old1, old2, old3] = [p1, p2, p3].map(id => stack.physicalId(id));
  scenario.emulator.clearCalls();

  const changed = synthProfiles([
    { id: 'P1', selectors: [{ namespace: 'ns-1', labels: { tier: 'web' } }] },
    { id: 'P2', selectors: [{ namespace: 'other-2' }] },
    { id: 'P3', selectors: [{ namespace: 'ns-3' }] },
  ]);
  const updated = await stack.deploy(changed);

  expect(updated.failureReason).toBeUndefined();
  expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
  const [new1, new2] = [p1, p2].map(id => stack.physicalId(id));
  expect(new1).not.toBe(old1);
  expect(new2).not.toBe(old2);
  expect(stack.physicalId(p3)).toBe(old3);
  expect(scenario.emulator.describe('demo', new1)!.selectors).toEqual([{ namespace: 'ns-1', labels: { tier: 'web' } }]);
  expect(scenario.emulator.describe('demo', new2)!.selectors).toEqual([{ namespace: 'other-2' }]);
  expect(scenario.emulator.describe('demo', old1)).toBeUndefined();
  expect(scenario.emulator.describe('demo', old2)).toBeUndefined();
  expect(scenario.emulator.profiles('demo').map(p => p.fargateProfileName).sort()).toEqual([new1, new2, old3].sort());

  // Both old profiles were deleted in the cleanup phase, concurrently, and both deletes succeeded.
  const cleanup = updated.calls.filter(c => c.phase === 'cleanup');
  expect(cleanup.map(c => [c.request.RequestType, c.request.PhysicalResourceId, c.response.Status]).sort())
    .toEqual([['Delete', old1, 'SUCCESS'], ['Delete', old2, 'SUCCESS']].sort());
  expect(cleanup[0].startMs).toBeLessThan(cleanup[1].endMs);
  expect(cleanup[1].startMs).toBeLessThan(cleanup[0].endMs);
  // The service's one-DELETING-at-a-time rule was really hit, and waited out.
  expect(scenario.emulator.callCount({ operation: 'DeleteFargateProfile', outcome: 'ResourceInUseException' })).toBeGreaterThan(0);
  expect(scenario.emulator.callCount({ operation: 'DeleteFargateProfile', outcome: 'OK' })).toBe(2);
  await expectCleanDestroy(stack);
});

test.each(['concurrent', 'sequential'] as const)('11. a duplicated onEvent for the same RequestId creates one profile (%s delivery)', async delivery => {
  const stack = scenario.stack('ScenarioStack', { duplicateOnEvent: r => (r.RequestType === 'Create' ? delivery : 'none') });
  const template = synthProfiles(numberedProfiles(2));

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  for (const call of created.calls) {
    expect(call.response.onEventCalls).toBe(2);
    const ids = call.response.onEventResults.map(r => r.result?.PhysicalResourceId ?? r.error);
    expect(ids).toEqual([call.response.PhysicalResourceId, call.response.PhysicalResourceId]);
  }
  const live = scenario.emulator.profiles('demo');
  expect(live.map(p => p.fargateProfileName).sort())
    .toEqual(['P1', 'P2'].map(id => stack.physicalId(profileLogicalId(template, id))).sort());
  expect(live.every(p => p.status === 'ACTIVE')).toBe(true);
  await expectCleanDestroy(stack);
});

async function expectCleanDestroy(stack: LifecycleRunner): Promise<void> {
  const report = await stack.destroy();
  expect(report.failureReason).toBeUndefined();
  expect(report.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario.emulator.profiles('demo')).toEqual([]);
}
