// Scenarios 7, 8, 9, 10 and 12: failures, rollbacks and resources removed behind the
// stack's back, through the runner, the BUNDLED handler and the EKS emulator.
import { CreateFargateProfileCommand, EKSClient } from '@aws-sdk/client-eks';
import { Scenario } from '../support/scenario-harness';
import { numberedProfiles, profileLogicalId, synthProfiles } from '../support/scenario-stacks';

let scenario: Scenario | undefined;
beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => {});
  jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

test('7. CREATE_FAILED with a health issue: the stack rolls back, the reason carries the issue, the failed profile is deleted', async () => {
  scenario = await Scenario.start();
  const emulator = scenario.emulator;
  const issue = { code: 'AccessDenied', message: 'The pod execution role is not authorized to pull from the registry' };
  emulator.failCreate('jobs', issue);
  const stack = scenario.stack();
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
  // The failed profile had a physical id, so the rollback deleted it, and P1 as well.
  const p1Name = report.calls.find(c => c.request.LogicalResourceId === profileLogicalId(template, 'P1'))!.response.PhysicalResourceId;
  const rollbackDeletes = report.calls.filter(c => c.phase === 'rollback');
  expect(rollbackDeletes.map(c => [c.request.RequestType, c.request.PhysicalResourceId, c.response.Status]))
    .toEqual([['Delete', 'jobs', 'SUCCESS'], ['Delete', p1Name, 'SUCCESS']]);
  expect(emulator.callCount({ operation: 'DeleteFargateProfile', profile: 'jobs', outcome: 'OK' })).toBe(1);
  expect(emulator.profiles('demo')).toEqual([]);
  expect(stack.resources.size).toBe(0);
});

test('8. a profile deleted out of band, then stack delete: success', async () => {
  scenario = await Scenario.start();
  const stack = scenario.stack();
  const template = synthProfiles(numberedProfiles(3));
  expect((await stack.deploy(template)).stackStatus).toBe('CREATE_COMPLETE');
  const gone = stack.physicalId(profileLogicalId(template, 'P2'));
  scenario.emulator.deleteProfileOutOfBand('demo', gone);

  const report = await stack.destroy();

  expect(report.failureReason).toBeUndefined();
  expect(report.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario.emulator.profiles('demo')).toEqual([]);
  expect(scenario.emulator.callCount({ operation: 'DeleteFargateProfile', profile: gone })).toBe(0);
  expect(scenario.emulator.callCount({ operation: 'DeleteFargateProfile', outcome: 'OK' })).toBe(2);
});

test('9. the cluster deleted out of band, then stack delete: success', async () => {
  scenario = await Scenario.start();
  const stack = scenario.stack();
  expect((await stack.deploy(synthProfiles(numberedProfiles(2)))).stackStatus).toBe('CREATE_COMPLETE');
  scenario.emulator.deleteClusterOutOfBand('demo');

  const report = await stack.destroy();

  expect(report.failureReason).toBeUndefined();
  expect(report.stackStatus).toBe('DELETE_COMPLETE');
  expect(report.calls.map(c => c.response.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  expect(scenario.emulator.callCount({ operation: 'DeleteFargateProfile', outcome: 'OK' })).toBe(0);
});

test('10. an explicit name plus a selector change fails before touching anything; the profile is untouched', async () => {
  scenario = await Scenario.start();
  const emulator = scenario.emulator;
  const stack = scenario.stack();
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

test('12. deadline exceeded while blocked by another profile: the error names the blocker', async () => {
  // The handler gives up after 1.5 s (55 min at scale would be 33 s) while a profile created
  // outside the stack stays CREATING for a minute.
  scenario = await Scenario.start({ handlerEnv: { HANDLER_WAIT_TIMEOUT_MS: 1_500 } });
  const emulator = scenario.emulator;
  emulator.setProfileDelays('blocker', { createDelayMs: 60_000 });
  await new EKSClient(emulator.clientConfig()).send(new CreateFargateProfileCommand({
    clusterName: 'demo',
    fargateProfileName: 'blocker',
    podExecutionRoleArn: 'arn:aws:iam::123456789012:role/other-team',
    selectors: [{ namespace: 'other-team' }],
  }));
  const stack = scenario.stack();
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
