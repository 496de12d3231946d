// Ownership through whole stack operations: the lifecycle runner (CloudFormation and the Provider
// framework) drives the BUNDLED handler against the EKS emulator, which authorizes every call with
// the handler policy each stack's template grants. A profile carries its resource's ownership marker
// (OWNER_TAG_KEY) from its create on; a stack never adopts, tags or deletes another's profile, nor
// one made by hand, and a profile made before markers is marked by its own resource, then handled.
import { CreateFargateProfileCommand, EKSClient } from '@aws-sdk/client-eks';
import { ownerMarker } from '../../lambda/naming';
import { OWNER_TAG_KEY } from '../../src/wire-contract';
import { CfnTemplate } from '../support/cfn-template';
import { LifecycleRunner } from '../support/lifecycle-runner';
import { useScenario } from '../support/scenario-harness';
import { profileLogicalId, synthProfiles } from '../support/scenario-stacks';

const scenario = useScenario();

const APPS = { selectors: [{ namespace: 'apps' }], name: 'apps', tags: { team: 'a' } };

/** The ownership marker the handler sets on the profile of resource `logicalId` of `stack`. */
function ownerTag(stack: LifecycleRunner, logicalId: string): Record<string, string> {
  return { [OWNER_TAG_KEY]: ownerMarker(stack.stackId, logicalId) };
}

/** The calls that change a profile named `name`: none may reach a profile that is not the caller's. */
function changesOf(name: string): string[] {
  return scenario().emulator.calls
    .filter((c) => c.cluster === 'demo' && c.operation !== 'DescribeFargateProfile' && c.profile === name)
    .map((c) => `${c.operation} ${c.outcome}`);
}

/** The stack's default pod execution role, as the runner fakes its ARN: a hand-made profile with the stack's exact spec. */
function defaultRoleArn(template: CfnTemplate): string {
  const role = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::IAM::Role' && id.includes('PodExecutionRole'))!;
  return `arn:aws:iam::123456789012:role/${role}`;
}

test('two stacks, same explicit name and spec: the second stack\'s create fails fast naming the owner, and deleting it leaves the first profile ACTIVE', async () => {
  const emulator = scenario().emulator;
  const stackA = scenario().stack('StackA');
  const templateA = synthProfiles([{ id: 'Apps', ...APPS }], 'demo', 'StackA');
  expect((await stackA.deploy(templateA)).stackStatus).toBe('CREATE_COMPLETE');
  const appsA = profileLogicalId(templateA, 'Apps');
  const before = emulator.describe('demo', 'apps')!;
  expect(before.tags).toEqual({ team: 'a', ...ownerTag(stackA, appsA) });
  emulator.clearCalls();

  // Stack B: a profile of its own first (so its rollback has something to delete), then the copy-pasted one.
  const stackB = scenario().stack('StackB');
  const templateB = synthProfiles([{ id: 'Web', selectors: [{ namespace: 'web' }] }, { id: 'Copy', ...APPS }], 'demo', 'StackB');
  const created = await stackB.deploy(templateB);

  expect(created.stackStatus).toBe('ROLLBACK_COMPLETE');
  const copy = profileLogicalId(templateB, 'Copy');
  expect(created.failureReason).toContain(`${copy}: Received response status [FAILED] from custom resource.`);
  expect(created.failureReason).toContain(
    `Fargate profile "apps" on cluster "demo" already exists and belongs to another resource: resource ${appsA} of stack StackA ` +
    `(marker "${ownerTag(stackA, appsA)[OWNER_TAG_KEY]}"). It is left untouched`);
  // Fast: onEvent's first look decides it; the Provider never starts waiting.
  const failed = created.calls.find((c) => c.request.LogicalResourceId === copy && c.request.RequestType === 'Create')!;
  expect([failed.response.onEventCalls, failed.response.isCompleteCalls]).toEqual([1, 0]);
  // The rollback deletes B's own profile; the failed resource's delete never reaches the handler.
  const rollback = created.calls.filter((c) => c.phase !== 'forward');
  expect(rollback.map((c) => [c.request.LogicalResourceId, c.request.RequestType, c.response.Status, c.response.userHandlerInvoked]))
    .toEqual(expect.arrayContaining([[copy, 'Delete', 'SUCCESS', false], [profileLogicalId(templateB, 'Web'), 'Delete', 'SUCCESS', true]]));

  const deleted = await stackB.destroy();
  expect(deleted.stackStatus).toBe('DELETE_COMPLETE');
  expect(emulator.describe('demo', 'apps')).toEqual(before);
  expect(changesOf('apps')).toEqual([]);
  expect(emulator.profiles('demo').map((p) => p.fargateProfileName)).toEqual(['apps']);
});

test('a hand-made profile of that name and spec stays untouched: the create fails, the rollback removes nothing', async () => {
  const emulator = scenario().emulator;
  const template = synthProfiles([{ id: 'Apps', ...APPS }]);
  await new EKSClient(emulator.clientConfig()).send(new CreateFargateProfileCommand({
    clusterName: 'demo', fargateProfileName: 'apps', podExecutionRoleArn: defaultRoleArn(template), selectors: [{ namespace: 'apps' }], tags: { team: 'a' },
  }));
  while (emulator.describe('demo', 'apps')!.status !== 'ACTIVE') await new Promise((r) => setTimeout(r, 20));
  const before = emulator.describe('demo', 'apps')!;
  emulator.clearCalls();
  const stack = scenario().stack();

  const created = await stack.deploy(template);

  expect(created.stackStatus).toBe('ROLLBACK_COMPLETE');
  expect(created.failureReason).toContain(
    `Fargate profile "apps" on cluster "demo" already exists and has no ownership marker (tag "${OWNER_TAG_KEY}"), so this resource did not create it`);
  expect((await stack.destroy()).stackStatus).toBe('DELETE_COMPLETE');
  expect(emulator.describe('demo', 'apps')).toEqual(before);
  expect(before.tags).toEqual({ team: 'a' });
  expect(changesOf('apps')).toEqual([]);
});

test.each(['sequential', 'concurrent'] as const)('a Lambda-retried create (%s) of an explicit name converges on one profile, its own', async (delivery) => {
  const emulator = scenario().emulator;
  const stack = scenario().stack('ScenarioStack', { duplicateOnEvent: (r) => (r.RequestType === 'Create' ? delivery : 'none') });
  const template = synthProfiles([{ id: 'Apps', ...APPS }]);

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  expect(created.calls[0].response.onEventResults.map((r) => r.result?.PhysicalResourceId ?? r.error)).toEqual(['pending-create:apps', 'pending-create:apps']);
  // CloudFormation records the name only as the completed create reports it.
  expect(created.calls[0].response.PhysicalResourceId).toBe('apps');
  expect(emulator.profiles('demo').map((p) => [p.fargateProfileName, p.status])).toEqual([['apps', 'ACTIVE']]);
  expect(emulator.describe('demo', 'apps')!.tags).toEqual({ team: 'a', ...ownerTag(stack, profileLogicalId(template, 'Apps')) });
  expect(emulator.callCount({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBeLessThanOrEqual(2);
  expect((await stack.destroy()).stackStatus).toBe('DELETE_COMPLETE');
  expect(emulator.profiles('demo')).toEqual([]);
});

test('a rejected update rolls back in place on its own profile, which keeps its marker and deletes cleanly', async () => {
  const emulator = scenario().emulator;
  const stack = scenario().stack();
  const template = synthProfiles([{ id: 'Apps', ...APPS }]);
  expect((await stack.deploy(template)).stackStatus).toBe('CREATE_COMPLETE');
  const before = emulator.describe('demo', 'apps')!;
  expect(before.tags).toEqual({ team: 'a', ...ownerTag(stack, profileLogicalId(template, 'Apps')) });

  const report = await stack.deploy(synthProfiles([{ id: 'Apps', ...APPS, selectors: [{ namespace: 'apps-v2' }] }]));

  expect(report.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  const rollback = report.calls.filter((c) => c.phase === 'rollback');
  expect(rollback.map((c) => [c.request.RequestType, c.request.PhysicalResourceId, c.response.Status])).toEqual([['Update', 'apps', 'SUCCESS']]);
  expect(emulator.describe('demo', 'apps')).toEqual(before);
  expect((await stack.destroy()).stackStatus).toBe('DELETE_COMPLETE');
  expect(emulator.profiles('demo')).toEqual([]);
});

test('a profile created before markers: its own resource marks it, then updates its tags and deletes it, under the template\'s IAM', async () => {
  const emulator = scenario().emulator;
  const stack = scenario().stack();
  const template = synthProfiles([{ id: 'Apps', ...APPS }]);
  expect((await stack.deploy(template)).stackStatus).toBe('CREATE_COMPLETE');
  const apps = profileLogicalId(template, 'Apps');
  // As a version of this library without markers left it.
  emulator.untagProfileOutOfBand('demo', 'apps', [OWNER_TAG_KEY]);

  const retagged = await stack.deploy(synthProfiles([{ id: 'Apps', ...APPS, tags: { team: 'b' } }]));

  expect(retagged.failureReason).toBeUndefined();
  expect(retagged.stackStatus).toBe('UPDATE_COMPLETE');
  expect(emulator.describe('demo', 'apps')!.tags).toEqual({ team: 'b', ...ownerTag(stack, apps) });

  emulator.untagProfileOutOfBand('demo', 'apps', [OWNER_TAG_KEY]);
  emulator.clearCalls();
  const deleted = await stack.destroy();

  expect(deleted.failureReason).toBeUndefined();
  expect(deleted.stackStatus).toBe('DELETE_COMPLETE');
  expect(emulator.profiles('demo')).toEqual([]);
  expect(changesOf('apps')).toEqual(['TagResource OK', 'DeleteFargateProfile OK']);
});
