// The lifecycle scenarios: stacks synthesized from the real construct, deployed by the
// lifecycle runner (CloudFormation + Provider framework semantics) through the BUNDLED
// handler against the EKS emulator, in scaled time (see scenario-harness.ts). One file, so
// that jest loads aws-cdk-lib and synthesizes cold only once.
import { CreateFargateProfileCommand, EKSClient } from '@aws-sdk/client-eks';
import { ownerMarker } from '../../lambda/naming';
import { OWNER_TAG_KEY } from '../../src/wire-contract';
import { IAM_TRUST_POLICY_MESSAGE } from '../support/eks-emulator';
import { LifecycleRunner } from '../support/lifecycle-runner';
import { SCENARIO_T_MS, useScenario } from '../support/scenario-harness';
import { numberedProfiles, profileLogicalId, synthProfiles } from '../support/scenario-stacks';

/** How long the other stack's profile stays CREATING / DELETING in scenario 4. */
const BLOCKER_MS = 1_200;

const scenario = useScenario();

/** The ownership marker the handler sets on the profile of resource `logicalId` of `stack`. */
function ownerTag(stack: LifecycleRunner, logicalId: string): Record<string, string> {
  return { [OWNER_TAG_KEY]: ownerMarker(stack.stackId, logicalId) };
}

test('1. a stack with 5 chained profiles creates, then deletes, cleanly', async () => {
  const template = synthProfiles(numberedProfiles(5));
  const stack = scenario().stack();
  const ids = [1, 2, 3, 4, 5].map(i => profileLogicalId(template, `P${i}`));

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  const live = scenario().emulator.profiles('demo');
  expect(live).toHaveLength(5);
  for (const [k, id] of ids.entries()) {
    const name = stack.physicalId(id);
    const profile = scenario().emulator.describe('demo', name)!;
    expect(profile.status).toBe('ACTIVE');
    expect(profile.selectors).toEqual([{ namespace: `ns-${k + 1}` }]);
    // GetAtt Arn resolves to the real profile ARN.
    expect(stack.resources.get(id)!.attributes.Arn).toBe(profile.fargateProfileArn);
    // The stack's one default role for the cluster, by its fake ARN.
    expect(profile.podExecutionRoleArn).toMatch(/^arn:aws:iam::123456789012:role\/EksFargateProfileProviderClusterdemoPodExecutionRole/);
  }
  // Chained: each create starts only after the previous profile is complete.
  const creates = created.calls.filter(c => c.request.RequestType === 'Create');
  expect(creates.map(c => c.request.LogicalResourceId)).toEqual(ids);
  for (let k = 1; k < creates.length; k++) expect(creates[k].startMs).toBeGreaterThanOrEqual(creates[k - 1].endMs);
  // Nothing ever collided with the one-at-a-time rule, since the stack chains its profiles.
  expect(scenario().emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(5);

  const deleted = await stack.destroy();

  expect(deleted.failureReason).toBeUndefined();
  expect(deleted.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario().emulator.profiles('demo')).toEqual([]);
  expect(deleted.calls.filter(c => c.request.RequestType === 'Delete').map(c => c.request.LogicalResourceId))
    .toEqual([...ids].reverse());
});

test('2. a tag-only update keeps every physical id and changes the tags', async () => {
  const specs = numberedProfiles(3, i => ({ tags: { team: 'a', keep: `k${i}` } }));
  const stack = scenario().stack();
  const template = synthProfiles(specs);
  await stack.deploy(template);
  const ids = specs.map(s => profileLogicalId(template, s.id));
  const before = ids.map(id => stack.physicalId(id));
  const arns = ids.map(id => stack.resources.get(id)!.attributes.Arn);
  scenario().emulator.clearCalls();

  const retagged = synthProfiles(numberedProfiles(3, i => ({ tags: { team: 'b', added: 'yes', keep: `k${i}` } })));
  const updated = await stack.deploy(retagged);

  expect(updated.failureReason).toBeUndefined();
  expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
  expect(ids.map(id => stack.physicalId(id))).toEqual(before);
  expect(ids.map(id => stack.resources.get(id)!.attributes.Arn)).toEqual(arns);
  for (const [k, name] of before.entries()) {
    expect(scenario().emulator.describe('demo', name)!.tags).toEqual({ team: 'b', added: 'yes', keep: `k${k + 1}`, ...ownerTag(stack, ids[k]) });
  }
  expect(updated.calls.map(c => c.request.RequestType)).toEqual(['Update', 'Update', 'Update']);
  expect(scenario().emulator.callCount({ operation: 'CreateFargateProfile' })).toBe(0);
  expect(scenario().emulator.callCount({ operation: 'DeleteFargateProfile' })).toBe(0);
  expect(scenario().emulator.callCount({ operation: 'TagResource', outcome: 'OK' })).toBeGreaterThanOrEqual(3);

  // Removing a tag untags it.
  await stack.deploy(synthProfiles(numberedProfiles(3, i => ({ tags: { keep: `k${i}` } }))));
  expect(scenario().emulator.describe('demo', before[0])!.tags).toEqual({ keep: 'k1', ...ownerTag(stack, ids[0]) });
  expect(scenario().emulator.callCount({ operation: 'UntagResource', outcome: 'OK' })).toBeGreaterThanOrEqual(3);
  await expectCleanDestroy(stack);
});

test('3. a selector change on two profiles at once replaces both; the parallel cleanup deletes both old ones', async () => {
  const stack = scenario().stack();
  const template = synthProfiles(numberedProfiles(3));
  await stack.deploy(template);
  const [p1, p2, p3] = ['P1', 'P2', 'P3'].map(id => profileLogicalId(template, id));
  const [old1, old2, old3] = [p1, p2, p3].map(id => stack.physicalId(id));
  scenario().emulator.clearCalls();
  // The first old profile stays DELETING long enough that the second delete surely meets it.
  scenario().emulator.deleteDelayMs = BLOCKER_MS;

  const changed = synthProfiles([
    { id: 'P1', selectors: [{ namespace: 'ns-1', labels: { tier: 'web' } }] },
    { id: 'P2', selectors: [{ namespace: 'other-2' }] },
    { id: 'P3', selectors: [{ namespace: 'ns-3' }] },
  ]);
  const updated = await stack.deploy(changed);
  scenario().emulator.deleteDelayMs = SCENARIO_T_MS;

  expect(updated.failureReason).toBeUndefined();
  expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
  const [new1, new2] = [p1, p2].map(id => stack.physicalId(id));
  expect(new1).not.toBe(old1);
  expect(new2).not.toBe(old2);
  expect(stack.physicalId(p3)).toBe(old3);
  expect(scenario().emulator.describe('demo', new1)!.selectors).toEqual([{ namespace: 'ns-1', labels: { tier: 'web' } }]);
  expect(scenario().emulator.describe('demo', new2)!.selectors).toEqual([{ namespace: 'other-2' }]);
  expect(scenario().emulator.describe('demo', old1)).toBeUndefined();
  expect(scenario().emulator.describe('demo', old2)).toBeUndefined();
  expect(scenario().emulator.profiles('demo').map(p => p.fargateProfileName).sort()).toEqual([new1, new2, old3].sort());

  // Both old profiles were deleted in the cleanup phase, concurrently, and both deletes succeeded.
  const cleanup = updated.calls.filter(c => c.phase === 'cleanup');
  expect(cleanup.map(c => [c.request.RequestType, c.request.PhysicalResourceId, c.response.Status]).sort())
    .toEqual([['Delete', old1, 'SUCCESS'], ['Delete', old2, 'SUCCESS']].sort());
  expect(cleanup[0].startMs).toBeLessThan(cleanup[1].endMs);
  expect(cleanup[1].startMs).toBeLessThan(cleanup[0].endMs);
  // The service's one-DELETING-at-a-time rule was really hit, and waited out.
  expect(scenario().emulator.callCount({ operation: 'DeleteFargateProfile', outcome: 'ResourceInUseException' })).toBeGreaterThan(0);
  expect(scenario().emulator.callCount({ operation: 'DeleteFargateProfile', outcome: 'OK' })).toBe(2);
  await expectCleanDestroy(stack);
});

test('4. a profile of another stack on the same cluster is CREATING or DELETING at the same time: both stacks converge', async () => {
  const stackA = scenario().stack('StackA');
  const stackB = scenario().stack('StackB');
  const templateA = synthProfiles([{ id: 'Web', selectors: [{ namespace: 'web' }] }], 'demo', 'StackA');
  const templateB = synthProfiles([{ id: 'Jobs', selectors: [{ namespace: 'jobs' }] }], 'demo', 'StackB');

  // B deploys while A's profile is CREATING. A's profile stays CREATING long enough (1.2 s) that
  // B's create is certain to arrive during it, however loaded the machine is.
  scenario().emulator.createDelayMs = BLOCKER_MS;
  const deployingA = stackA.deploy(templateA);
  await waitForProfileIn('CREATING');
  scenario().emulator.createDelayMs = SCENARIO_T_MS;
  const [createdA, createdB] = await Promise.all([deployingA, stackB.deploy(templateB)]);

  expect([createdA.failureReason, createdB.failureReason]).toEqual([undefined, undefined]);
  expect([createdA.stackStatus, createdB.stackStatus]).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE']);
  const web = stackA.physicalId(profileLogicalId(templateA, 'Web'));
  const jobs = stackB.physicalId(profileLogicalId(templateB, 'Jobs'));
  expect(scenario().emulator.profiles('demo').map(p => [p.fargateProfileName, p.status]).sort())
    .toEqual([[jobs, 'ACTIVE'], [web, 'ACTIVE']].sort());
  expect(scenario().emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'ResourceInUseException' })).toBeGreaterThan(0);

  // A adds a profile while B's profile is DELETING.
  scenario().emulator.clearCalls();
  const templateA2 = synthProfiles([
    { id: 'Web', selectors: [{ namespace: 'web' }] },
    { id: 'Api', selectors: [{ namespace: 'api' }] },
  ], 'demo', 'StackA');
  scenario().emulator.deleteDelayMs = BLOCKER_MS;
  const deletingB = stackB.destroy();
  await waitForProfileIn('DELETING');
  scenario().emulator.deleteDelayMs = SCENARIO_T_MS;
  const [updatedA, deletedB] = await Promise.all([stackA.deploy(templateA2), deletingB]);

  expect([updatedA.failureReason, deletedB.failureReason]).toEqual([undefined, undefined]);
  expect([updatedA.stackStatus, deletedB.stackStatus]).toEqual(['UPDATE_COMPLETE', 'DELETE_COMPLETE']);
  const api = stackA.physicalId(profileLogicalId(templateA2, 'Api'));
  expect(scenario().emulator.profiles('demo').map(p => [p.fargateProfileName, p.status]).sort())
    .toEqual([[api, 'ACTIVE'], [web, 'ACTIVE']].sort());
  expect(scenario().emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'ResourceInUseException' })).toBeGreaterThan(0);
  await expectCleanDestroy(stackA);
});

test('5. a 90 s IAM propagation delay on a fresh role: the create succeeds (scaled time)', async () => {
  scenario().emulator.faults.iamPropagationMs = 90_000 * scenario().scale;
  const stack = scenario().stack();
  const template = synthProfiles(numberedProfiles(1));

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  const name = stack.physicalId(profileLogicalId(template, 'P1'));
  const profile = scenario().emulator.describe('demo', name)!;
  expect(profile.status).toBe('ACTIVE');
  // The role the construct created, rejected at first with the service's trust-policy message.
  const rejected = scenario().emulator.calls.filter(c => c.operation === 'CreateFargateProfile' && c.outcome !== 'OK');
  expect(rejected.length).toBeGreaterThan(0);
  expect(rejected.every(c => c.outcome === 'InvalidParameterException' && c.message === IAM_TRUST_POLICY_MESSAGE)).toBe(true);
  expect(scenario().emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(1);
  await expectCleanDestroy(stack);
});

test('6. with 30 % throttling on every call, the full create, update and delete still succeed', async () => {
  scenario().emulator.faults.throttleProbability = 0.3;
  // On top of the random 30 %, the first calls of each mutating operation are throttled for sure.
  for (const operation of ['CreateFargateProfile', 'DeleteFargateProfile', 'TagResource'] as const) {
    scenario().emulator.injectFault({ error: 'ThrottlingException', operation, times: 2 });
  }
  // The SDK's own retry delays (0.5 s and more after a throttle) do not scale with the scenario's
  // time. Without SDK retries every throttle reaches the handler, whose backoff is scaled: the
  // stricter case, and a fast one.
  const stack = scenario().stack('ScenarioStack', { env: { AWS_MAX_ATTEMPTS: '1' } });
  const template = synthProfiles(numberedProfiles(3, i => ({ tags: { owner: `o${i}` } })));

  const created = await stack.deploy(template);
  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  const [p1, p2, p3] = ['P1', 'P2', 'P3'].map(id => profileLogicalId(template, id));
  const [n1, n2, n3] = [p1, p2, p3].map(id => stack.physicalId(id));

  // A tag change on P1 and a replacement of P2 in the same update.
  const updated = await stack.deploy(synthProfiles([
    { id: 'P1', selectors: [{ namespace: 'ns-1' }], tags: { owner: 'changed' } },
    { id: 'P2', selectors: [{ namespace: 'ns-2b' }], tags: { owner: 'o2' } },
    { id: 'P3', selectors: [{ namespace: 'ns-3' }], tags: { owner: 'o3' } },
  ]));
  expect(updated.failureReason).toBeUndefined();
  expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
  expect(stack.physicalId(p1)).toBe(n1);
  expect(stack.physicalId(p3)).toBe(n3);
  const replacement = stack.physicalId(p2);
  expect(replacement).not.toBe(n2);
  expect(scenario().emulator.describe('demo', n1)!.tags).toEqual({ owner: 'changed', ...ownerTag(stack, p1) });
  expect(scenario().emulator.describe('demo', replacement)!.selectors).toEqual([{ namespace: 'ns-2b' }]);
  expect(scenario().emulator.describe('demo', n2)).toBeUndefined();

  await expectCleanDestroy(stack);
  // Throttling really happened, on every kind of call the handler makes.
  for (const operation of ['CreateFargateProfile', 'DeleteFargateProfile', 'TagResource'] as const) {
    expect(scenario().emulator.callCount({ operation, outcome: 'ThrottlingException' })).toBeGreaterThanOrEqual(2);
  }
  expect(scenario().emulator.callCount({ operation: 'DescribeFargateProfile', outcome: 'ThrottlingException' })).toBeGreaterThan(0);
});

test('7. CREATE_FAILED with a health issue: the stack rolls back, the reason carries the issue, the failed profile is deleted', async () => {
  const emulator = scenario().emulator;
  const issue = { code: 'AccessDenied', message: 'The pod execution role is not authorized to pull from the registry' };
  emulator.injectFault({ operation: 'CreateFargateProfile', profile: 'jobs', healthIssues: issue });
  const stack = scenario().stack();
  const template = synthProfiles([
    { id: 'P1', selectors: [{ namespace: 'ns-1' }] },
    { id: 'P2', selectors: [{ namespace: 'jobs' }], name: 'jobs' },
  ]);

  const report = await stack.deploy(template);

  expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
  const p2 = profileLogicalId(template, 'P2');
  expect(report.failureReason).toContain(`${p2}: Received response status [FAILED] from custom resource.`);
  expect(report.failureReason).toContain(issue.code);
  expect(report.failureReason).toContain(issue.message);
  // The failed create reported its pending id, so the rollback's delete of it removes the profile only
  // because it carries this resource's marker; P1 (recorded by its name) goes as well.
  const p1Name = report.calls.find(c => c.request.LogicalResourceId === profileLogicalId(template, 'P1'))!.response.PhysicalResourceId;
  const rollbackDeletes = report.calls.filter(c => c.phase === 'rollback');
  expect(rollbackDeletes.map(c => [c.request.RequestType, c.request.PhysicalResourceId, c.response.Status]))
    .toEqual([['Delete', 'pending-create:jobs', 'SUCCESS'], ['Delete', p1Name, 'SUCCESS']]);
  expect(emulator.callCount({ operation: 'DeleteFargateProfile', profile: 'jobs', outcome: 'OK' })).toBe(1);
  expect(emulator.profiles('demo')).toEqual([]);
  expect(stack.resources.size).toBe(0);
});

test('8. a profile deleted out of band, then stack delete: success', async () => {
  const stack = scenario().stack();
  const template = synthProfiles(numberedProfiles(3));
  expect((await stack.deploy(template)).stackStatus).toBe('CREATE_COMPLETE');
  const gone = stack.physicalId(profileLogicalId(template, 'P2'));
  scenario().emulator.deleteProfileOutOfBand('demo', gone);

  const report = await stack.destroy();

  expect(report.failureReason).toBeUndefined();
  expect(report.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario().emulator.profiles('demo')).toEqual([]);
  expect(scenario().emulator.callCount({ operation: 'DeleteFargateProfile', profile: gone })).toBe(0);
  expect(scenario().emulator.callCount({ operation: 'DeleteFargateProfile', outcome: 'OK' })).toBe(2);
});

test('8b. DELETE_FAILED with a health issue fails the stack delete with the issue; deleting again succeeds', async () => {
  const stack = scenario().stack();
  const template = synthProfiles(numberedProfiles(1));
  expect((await stack.deploy(template)).stackStatus).toBe('CREATE_COMPLETE');
  const name = stack.physicalId(profileLogicalId(template, 'P1'));
  const issue = { code: 'InternalFailure', message: 'The Fargate profile could not be deleted' };
  scenario().emulator.injectFault({ operation: 'DeleteFargateProfile', profile: name, healthIssues: issue });

  const failed = await stack.destroy();

  expect(failed.stackStatus).toBe('DELETE_FAILED');
  expect(failed.failureReason).toContain(issue.code);
  expect(failed.failureReason).toContain(issue.message);
  expect(scenario().emulator.describe('demo', name)!.status).toBe('DELETE_FAILED');

  const retried = await stack.destroy();

  expect(retried.failureReason).toBeUndefined();
  expect(retried.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario().emulator.profiles('demo')).toEqual([]);
});

test('9. the cluster deleted out of band, then stack delete: success', async () => {
  const stack = scenario().stack();
  expect((await stack.deploy(synthProfiles(numberedProfiles(2)))).stackStatus).toBe('CREATE_COMPLETE');
  scenario().emulator.deleteClusterOutOfBand('demo');

  const report = await stack.destroy();

  expect(report.failureReason).toBeUndefined();
  expect(report.stackStatus).toBe('DELETE_COMPLETE');
  expect(report.calls.map(c => c.response.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  expect(scenario().emulator.callCount({ operation: 'DeleteFargateProfile', outcome: 'OK' })).toBe(0);
});

test('10. an explicit name plus a selector change fails before touching anything; the profile is untouched', async () => {
  const emulator = scenario().emulator;
  const stack = scenario().stack();
  const template = synthProfiles([{ id: 'Fixed', selectors: [{ namespace: 'apps' }], name: 'fixed-name', tags: { v: '1' } }]);
  expect((await stack.deploy(template)).stackStatus).toBe('CREATE_COMPLETE');
  const before = emulator.describe('demo', 'fixed-name');
  emulator.clearCalls();

  const report = await stack.deploy(synthProfiles([
    { id: 'Fixed', selectors: [{ namespace: 'apps-v2' }], name: 'fixed-name', tags: { v: '2' } },
  ]));

  expect(report.failureReason).toContain('Received response status [FAILED] from custom resource.');
  expect(report.failureReason).toContain('Cannot update Fargate profile "fixed-name"');
  expect(report.failureReason).toContain('Selectors changed');
  expect(report.failureReason).toContain('FargateProfileName');
  // Nothing was created, deleted or retagged; the live profile is exactly what it was.
  expect(emulator.describe('demo', 'fixed-name')).toEqual(before);
  for (const operation of ['CreateFargateProfile', 'DeleteFargateProfile', 'TagResource', 'UntagResource'] as const) {
    expect(emulator.callCount({ operation })).toBe(0);
  }
  expect(stack.physicalId(profileLogicalId(template, 'Fixed'))).toBe('fixed-name');
  // CloudFormation rolls the failed resource back with an Update to its old properties;
  // the profile already has them, so the rollback must succeed and the stack stays usable.
  const rollback = report.calls.filter(c => c.phase === 'rollback');
  expect(rollback.map(c => [c.request.RequestType, c.request.PhysicalResourceId])).toEqual([['Update', 'fixed-name']]);
  expect(rollback[0].response.Reason).toBe('SUCCESS');
  expect(report.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
});

test('10b. a failed update after a replacement rolls back: the replacement is deleted, the old profiles stay', async () => {
  const emulator = scenario().emulator;
  const stack = scenario().stack();
  const template = synthProfiles([
    { id: 'P1', selectors: [{ namespace: 'ns-1' }] },
    { id: 'P2', selectors: [{ namespace: 'ns-2' }], name: 'fixed-name' },
  ]);
  expect((await stack.deploy(template)).stackStatus).toBe('CREATE_COMPLETE');
  const [p1, p2] = ['P1', 'P2'].map(id => profileLogicalId(template, id));
  const old1 = stack.physicalId(p1);
  const before = emulator.profiles('demo');

  // P1 is replaced first (P2 depends on it), then P2's update is rejected.
  const report = await stack.deploy(synthProfiles([
    { id: 'P1', selectors: [{ namespace: 'ns-1b' }] },
    { id: 'P2', selectors: [{ namespace: 'ns-2b' }], name: 'fixed-name' },
  ]));

  expect(report.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(report.failureReason).toContain(`${p2}: Received response status [FAILED]`);
  const replacement = report.calls.find(c => c.request.LogicalResourceId === p1 && c.phase === 'forward')!.response.PhysicalResourceId;
  expect(replacement).not.toBe(old1);
  // The replacement completed, so CloudFormation recorded its name (not a pending id): the check below means something.
  expect(replacement).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
  expect(report.calls.filter(c => c.phase !== 'forward').map(c => [c.phase, c.request.RequestType, c.request.PhysicalResourceId, c.response.Status]))
    .toEqual([['rollback', 'Update', 'fixed-name', 'SUCCESS'], ['rollback-cleanup', 'Delete', replacement, 'SUCCESS']]);
  expect([stack.physicalId(p1), stack.physicalId(p2)]).toEqual([old1, 'fixed-name']);
  expect(emulator.describe('demo', replacement)).toBeUndefined();
  expect(emulator.profiles('demo')).toEqual(before);
  await expectCleanDestroy(stack);
});

test.each(['concurrent', 'sequential'] as const)('11. a duplicated onEvent for the same RequestId creates one profile (%s delivery)', async delivery => {
  const stack = scenario().stack('ScenarioStack', { duplicateOnEvent: r => (r.RequestType === 'Create' ? delivery : 'none') });
  const template = synthProfiles(numberedProfiles(2));

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  for (const call of created.calls) {
    expect(call.response.onEventCalls).toBe(2);
    const ids = call.response.onEventResults.map(r => r.result?.PhysicalResourceId ?? r.error);
    // onEvent reports the pending id; CloudFormation records the name the completed create reported.
    expect(ids).toEqual([`pending-create:${call.response.PhysicalResourceId}`, `pending-create:${call.response.PhysicalResourceId}`]);
  }
  const live = scenario().emulator.profiles('demo');
  expect(live.map(p => p.fargateProfileName).sort())
    .toEqual(['P1', 'P2'].map(id => stack.physicalId(profileLogicalId(template, id))).sort());
  expect(live.every(p => p.status === 'ACTIVE')).toBe(true);
  await expectCleanDestroy(stack);
});

test('12. deadline exceeded while blocked by another profile: the error names the blocker', async () => {
  // The handler gives up after 1.5 s (55 min at scale would be 33 s) while a profile created
  // outside the stack stays CREATING for a minute.
  await scenario.restart({ handlerEnv: { HANDLER_WAIT_TIMEOUT_MS: 1_500 } });
  const emulator = scenario().emulator;
  emulator.setProfileDelays('blocker', { createDelayMs: 60_000 });
  await new EKSClient(emulator.clientConfig()).send(new CreateFargateProfileCommand({
    clusterName: 'demo',
    fargateProfileName: 'blocker',
    podExecutionRoleArn: 'arn:aws:iam::123456789012:role/other-team',
    selectors: [{ namespace: 'other-team' }],
  }));
  const stack = scenario().stack();
  const template = synthProfiles(numberedProfiles(1));

  const report = await stack.deploy(template);

  expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
  expect(report.failureReason).toContain('Timed out waiting for Fargate profile');
  expect(report.failureReason).toContain('blocked by profile "blocker" in CREATING');
  // Our profile was never created; the blocker was never touched.
  expect(emulator.profiles('demo').map(p => [p.fargateProfileName, p.status])).toEqual([['blocker', 'CREATING']]);
  expect(emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(1);
  expect(emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'ResourceInUseException' })).toBeGreaterThan(0);
  expect(emulator.callCount({ operation: 'DeleteFargateProfile' })).toBe(0);
});

/** Resolves once a profile of cluster demo is in `status` (the emulator is in-process). */
async function waitForProfileIn(status: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!scenario().emulator.profiles('demo').some(p => p.status === status)) {
    if (Date.now() > deadline) throw new Error(`no profile reached ${status} within 10 s`);
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

async function expectCleanDestroy(stack: LifecycleRunner): Promise<void> {
  const report = await stack.destroy();
  expect(report.failureReason).toBeUndefined();
  expect(report.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario().emulator.profiles('demo')).toEqual([]);
}
