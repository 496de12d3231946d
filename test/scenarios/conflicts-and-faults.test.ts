// Scenarios 4, 5 and 6: another stack on the same cluster, IAM propagation delay and
// throttling, through the runner, the BUNDLED handler and the EKS emulator.
import { IAM_TRUST_POLICY_MESSAGE } from '../support/eks-emulator';
import { LifecycleRunner } from '../support/lifecycle-runner';
import { Scenario, SCENARIO_T_MS } from '../support/scenario-harness';
import { numberedProfiles, profileLogicalId, synthProfiles } from '../support/scenario-stacks';

/** How long the other stack's profile stays CREATING / DELETING in scenario 4. */
const BLOCKER_MS = 2_000;

let scenario: Scenario;
beforeEach(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => {});
  scenario = await Scenario.start();
});
afterEach(async () => { await scenario.stop(); });

test('4. a profile of another stack on the same cluster is CREATING or DELETING at the same time: both stacks converge', async () => {
  const stackA = scenario.stack('StackA');
  const stackB = scenario.stack('StackB');
  const templateA = synthProfiles([{ id: 'Web', selectors: [{ namespace: 'web' }] }], 'demo', 'StackA');
  const templateB = synthProfiles([{ id: 'Jobs', selectors: [{ namespace: 'jobs' }] }], 'demo', 'StackB');

  // B deploys while A's profile is CREATING. A's profile stays CREATING long enough (2 s) that
  // B's create is certain to arrive during it, however loaded the machine is.
  scenario.emulator.createDelayMs = BLOCKER_MS;
  const deployingA = stackA.deploy(templateA);
  await waitForProfileIn('CREATING');
  scenario.emulator.createDelayMs = SCENARIO_T_MS;
  const [createdA, createdB] = await Promise.all([deployingA, stackB.deploy(templateB)]);

  expect([createdA.failureReason, createdB.failureReason]).toEqual([undefined, undefined]);
  expect([createdA.stackStatus, createdB.stackStatus]).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE']);
  const web = stackA.physicalId(profileLogicalId(templateA, 'Web'));
  const jobs = stackB.physicalId(profileLogicalId(templateB, 'Jobs'));
  expect(scenario.emulator.profiles('demo').map(p => [p.fargateProfileName, p.status]).sort())
    .toEqual([[jobs, 'ACTIVE'], [web, 'ACTIVE']].sort());
  expect(scenario.emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'ResourceInUseException' })).toBeGreaterThan(0);

  // A adds a profile while B's profile is DELETING.
  scenario.emulator.clearCalls();
  const templateA2 = synthProfiles([
    { id: 'Web', selectors: [{ namespace: 'web' }] },
    { id: 'Api', selectors: [{ namespace: 'api' }] },
  ], 'demo', 'StackA');
  scenario.emulator.deleteDelayMs = BLOCKER_MS;
  const deletingB = stackB.destroy();
  await waitForProfileIn('DELETING');
  scenario.emulator.deleteDelayMs = SCENARIO_T_MS;
  const [updatedA, deletedB] = await Promise.all([stackA.deploy(templateA2), deletingB]);

  expect([updatedA.failureReason, deletedB.failureReason]).toEqual([undefined, undefined]);
  expect([updatedA.stackStatus, deletedB.stackStatus]).toEqual(['UPDATE_COMPLETE', 'DELETE_COMPLETE']);
  const api = stackA.physicalId(profileLogicalId(templateA2, 'Api'));
  expect(scenario.emulator.profiles('demo').map(p => [p.fargateProfileName, p.status]).sort())
    .toEqual([[api, 'ACTIVE'], [web, 'ACTIVE']].sort());
  expect(scenario.emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'ResourceInUseException' })).toBeGreaterThan(0);
  await expectCleanDestroy(stackA);
});

test('5. a 90 s IAM propagation delay on a fresh role: the create succeeds (scaled time)', async () => {
  scenario.emulator.faults.iamPropagationMs = 90_000 * scenario.scale;
  const stack = scenario.stack();
  const template = synthProfiles(numberedProfiles(1));

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  const name = stack.physicalId(profileLogicalId(template, 'P1'));
  const profile = scenario.emulator.describe('demo', name)!;
  expect(profile.status).toBe('ACTIVE');
  // The role the construct created, rejected at first with the service's trust-policy message.
  const rejected = scenario.emulator.calls.filter(c => c.operation === 'CreateFargateProfile' && c.outcome !== 'OK');
  expect(rejected.length).toBeGreaterThan(0);
  expect(rejected.every(c => c.outcome === 'InvalidParameterException' && c.message === IAM_TRUST_POLICY_MESSAGE)).toBe(true);
  expect(scenario.emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(1);
  await expectCleanDestroy(stack);
});

test('6. with 30 % throttling on every call, the full create, update and delete still succeed', async () => {
  scenario.emulator.faults.throttleProbability = 0.3;
  const stack = scenario.stack();
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
  expect(scenario.emulator.describe('demo', n1)!.tags).toEqual({ owner: 'changed' });
  expect(scenario.emulator.describe('demo', replacement)!.selectors).toEqual([{ namespace: 'ns-2b' }]);
  expect(scenario.emulator.describe('demo', n2)).toBeUndefined();

  await expectCleanDestroy(stack);
  // Throttling really happened, on every kind of call the handler makes.
  for (const operation of ['CreateFargateProfile', 'DescribeFargateProfile', 'DeleteFargateProfile'] as const) {
    expect(scenario.emulator.callCount({ operation, outcome: 'ThrottlingException' })).toBeGreaterThan(0);
  }
});

/** Resolves once a profile of cluster demo is in `status` (the emulator is in-process). */
async function waitForProfileIn(status: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!scenario.emulator.profiles('demo').some(p => p.status === status)) {
    if (Date.now() > deadline) throw new Error(`no profile reached ${status} within 10 s`);
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

async function expectCleanDestroy(stack: LifecycleRunner): Promise<void> {
  const report = await stack.destroy();
  expect(report.failureReason).toBeUndefined();
  expect(report.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario.emulator.profiles('demo')).toEqual([]);
}
