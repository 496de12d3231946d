// The handler's branches, end to end through the real AWS SDK over HTTP against the EKS emulator.
import { CreateFargateProfileCommand, EKSClient, TagResourceCommand } from '@aws-sdk/client-eks';
import { isComplete, LambdaContext, onEvent } from '../../lambda/index';
import { generateProfileName, nameOfPendingCreate } from '../../lambda/naming';
import { FargateProfileResourceProperties, OWNER_TAG_KEY } from '../../src/wire-contract';
import { CallFilter, EksEmulator } from '../support/eks-emulator';
import {
  canonicalSpec,
  completeEvent,
  contextWithBudget,
  createEvent,
  deleteEvent,
  OTHER_POD_EXECUTION_ROLE as OTHER_ROLE,
  ownerTag,
  POD_EXECUTION_ROLE as ROLE,
  pollUntilComplete,
  profileProperties,
  runToCompletion as run,
  updateEvent,
} from '../support/handler-events';
import { useHandlerTestBed } from '../support/handler-test-bed';

const KNOBS = {
  HANDLER_POLL_INTERVAL_MS: '20',
  HANDLER_SAFETY_MARGIN_MS: '50',
  HANDLER_RETRY_BASE_MS: '10',
  HANDLER_WAIT_TIMEOUT_MS: '20000',
  AWS_MAX_ATTEMPTS: '1',
};

const bed = useHandlerTestBed({ knobs: KNOBS, clusterPrefix: 'cluster' });

beforeEach(() => {
  // Tests change the emulator-wide delays; each starts from the file's.
  bed.emulator.createDelayMs = 60;
  bed.emulator.deleteDelayMs = 60;
});

/** This test's cluster, a pod execution role, one selector and a tag. */
function props(overrides: Partial<FargateProfileResourceProperties> = {}): FargateProfileResourceProperties {
  return profileProperties(bed.cluster, { Tags: [{ Key: 'team', Value: 'a' }], ...overrides });
}

/** Calls about this test's cluster only (the emulator is shared by the whole file). */
function callsHere() {
  return bed.emulator.calls.filter(c => c.cluster === bed.cluster);
}

function count(filter: Omit<CallFilter, 'cluster'> = {}): number {
  return bed.emulator.callCount({ cluster: bed.cluster, ...filter });
}

/** The profile name in onEvent's pending id for a create (it fails the test when the id is not one). */
function pendingName(physicalId: string): string {
  expect(physicalId).toMatch(/^pending-create:/);
  return nameOfPendingCreate(physicalId)!;
}

async function createProfile(p: FargateProfileResourceProperties, logicalId = 'MyProfile'): Promise<string> {
  const { physicalId } = await run(createEvent(p, logicalId));
  return physicalId;
}

describe('create', () => {
  test('creates the profile with a generated name, waits until ACTIVE, returns the ARN', async () => {
    const event = createEvent(props({
      Selectors: [{ Namespace: 'apps', Labels: [{ Key: 'tier', Value: 'web' }] }],
      Subnets: ['subnet-b', 'subnet-a'],
    }));
    const { physicalId, complete } = await run(event);

    expect(physicalId).toBe(generateProfileName('MyProfile', event.RequestId));
    const profile = bed.emulator.describe(bed.cluster, physicalId)!;
    expect(profile.status).toBe('ACTIVE');
    // The name replaces onEvent's pending id only now, with the completed create (the framework merges it).
    expect(complete).toEqual({ IsComplete: true, PhysicalResourceId: physicalId, Data: { Arn: profile.fargateProfileArn } });
    expect(profile.podExecutionRoleArn).toBe(ROLE);
    expect(profile.selectors).toEqual([{ namespace: 'apps', labels: { tier: 'web' } }]);
    expect([...profile.subnets].sort()).toEqual(['subnet-a', 'subnet-b']);
    expect(profile.tags).toEqual({ team: 'a', ...ownerTag() });
    expect(count({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(1);
  });

  test('uses the explicit name and omits subnets when none are given', async () => {
    const physicalId = await createProfile(props({ FargateProfileName: 'named-profile' }));
    expect(physicalId).toBe('named-profile');
    const profile = bed.emulator.describe(bed.cluster, 'named-profile')!;
    expect(profile.status).toBe('ACTIVE');
    // EKS (the emulator) chose the cluster's private subnets itself.
    expect(profile.subnets.length).toBeGreaterThan(0);
  });

  test('onEvent returns a pending id for the name and a WaitDeadline; isComplete reports not complete while CREATING', async () => {
    bed.emulator.createDelayMs = 5_000;
    process.env.HANDLER_WAIT_TIMEOUT_MS = '60000';
    const before = Date.now();
    const event = createEvent(props());
    const result = await onEvent(event);
    const name = generateProfileName('MyProfile', event.RequestId);
    expect(result.PhysicalResourceId).toBe(`pending-create:${name}`);
    const deadline = Number(result.Data.WaitDeadline);
    expect(deadline).toBeGreaterThanOrEqual(before + 60_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 60_000 + Math.round(60_000 / 55)); // rounded up to a step of 1/55

    const complete = await isComplete(completeEvent(event, result), contextWithBudget(200));
    expect(complete).toEqual({ IsComplete: false });
    expect(bed.emulator.describe(bed.cluster, name)!.status).toBe('CREATING');
  });

  test('CREATE_FAILED fails the resource with the health issues', async () => {
    const event = createEvent(props());
    const name = generateProfileName('MyProfile', event.RequestId);
    bed.emulator.injectFault({
      operation: 'CreateFargateProfile',
      profile: name,
      healthIssues: {
        code: 'PodExecutionRoleAlreadyInUse',
        message: 'The role is already used by another profile',
        resourceIds: ['arn:aws:iam::123456789012:role/pod-execution'],
      },
    });
    await expect(run(event)).rejects.toThrow(
      new RegExp(`Fargate profile "${name}" on cluster "${bed.cluster}" failed to create \\(status CREATE_FAILED\\): ` +
        'PodExecutionRoleAlreadyInUse: The role is already used by another profile \\(resources: arn:aws:iam::123456789012:role/pod-execution\\)'));
  });

  test('a missing cluster fails the create with a clear message', async () => {
    const event = createEvent(props({ ClusterName: 'no-such-cluster' }));
    await expect(onEvent(event)).rejects.toThrow(/Cannot create Fargate profile ".*" on cluster "no-such-cluster": the cluster was not found/);
  });

  test('an invalid spec rejected by EKS fails at once', async () => {
    bed.emulator.markSubnetPublic('subnet-public');
    await expect(onEvent(createEvent(props({ Subnets: ['subnet-public'] })))).rejects.toThrow(/Failed to create Fargate profile .*InvalidParameterException/);
  });

  test('a duplicate onEvent (Lambda retry of the same request) creates nothing twice', async () => {
    const event = createEvent(props());
    const first = await onEvent(event);
    const second = await onEvent(event);
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(bed.emulator.profiles(bed.cluster)).toHaveLength(1);
    expect(count({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(1);
  });

  test('concurrent invocations of the same request converge on one profile through the clientRequestToken', async () => {
    const event = createEvent(props());
    // Both see NOT_FOUND and both create: EKS answers the second with the first's profile.
    const [a, b] = await Promise.all([onEvent(event), onEvent(event)]);
    expect(b.PhysicalResourceId).toBe(a.PhysicalResourceId);
    expect(bed.emulator.profiles(bed.cluster).map(p => `pending-create:${p.fargateProfileName}`)).toEqual([a.PhysicalResourceId]);
    expect(count({ operation: 'CreateFargateProfile', outcome: 'ResourceInUseException' })).toBe(0);
  });

  test('an explicit name already used by a different profile fails without touching it', async () => {
    await createProfile(props({ FargateProfileName: 'taken', PodExecutionRoleArn: OTHER_ROLE }), 'Other');
    const event = createEvent(props({ FargateProfileName: 'taken' }));
    await expect(run(event)).rejects.toThrow(/"taken" on cluster .* already exists and belongs to another resource: resource Other of stack s /);
    expect(bed.emulator.describe(bed.cluster, 'taken')!.podExecutionRoleArn).toBe(OTHER_ROLE);
    expect(count({ operation: 'DeleteFargateProfile' })).toBe(0);
  });
});

describe('conflicts, propagation and throttling', () => {
  test('a create blocked by another profile in CREATING is deferred, then retried by isComplete', async () => {
    // Long enough that the second create surely arrives while the first is CREATING, even on a busy machine.
    bed.emulator.setProfileDelays('blocker', { createDelayMs: 1_000 });
    await onEvent(createEvent(props({ FargateProfileName: 'blocker' }), 'Blocker'));

    const event = createEvent(props({ FargateProfileName: 'second' }));
    const result = await onEvent(event);
    expect(result.PhysicalResourceId).toBe('pending-create:second');
    expect(bed.emulator.describe(bed.cluster, 'second')).toBeUndefined();
    expect(count({ operation: 'CreateFargateProfile', profile: 'second', outcome: 'ResourceInUseException' })).toBe(1);
    expect(bed.logs.some(l => l.includes('"waitReason":"CONFLICT"') && l.includes('blocker in CREATING'))).toBe(true);

    const { complete } = await pollUntilComplete(event, result);
    expect(complete.IsComplete).toBe(true);
    expect(bed.emulator.describe(bed.cluster, 'second')!.status).toBe('ACTIVE');
  });

  test('a delete blocked by another profile in DELETING waits, then deletes', async () => {
    await createProfile(props({ FargateProfileName: 'first' }), 'First');
    await createProfile(props({ FargateProfileName: 'second' }), 'Second');
    bed.emulator.setProfileDelays('first', { deleteDelayMs: 1_000 });
    await onEvent(deleteEvent('first', props({ FargateProfileName: 'first' }), 'First'));

    const event = deleteEvent('second', props({ FargateProfileName: 'second' }), 'Second');
    const result = await onEvent(event);
    expect(bed.emulator.describe(bed.cluster, 'second')!.status).toBe('ACTIVE');
    const { complete } = await pollUntilComplete(event, result);
    expect(complete).toEqual({ IsComplete: true });
    expect(bed.emulator.describe(bed.cluster, 'second')).toBeUndefined();
    expect(count({ operation: 'DeleteFargateProfile', profile: 'second', outcome: 'ResourceInUseException' })).toBeGreaterThanOrEqual(1);
  });

  test('throttling and 5xx beyond the SDK retries are retried with backoff by the handler', async () => {
    const event = createEvent(props());
    const result = await onEvent(event);
    bed.emulator.injectFault({ error: 'ThrottlingException', operation: 'DescribeFargateProfile', times: 2 });
    bed.emulator.injectFault({ error: 'ServerException', operation: 'DescribeFargateProfile', times: 1 });
    const complete = await isComplete(completeEvent(event, result), contextWithBudget(3000));
    expect(complete.IsComplete).toBe(true);
    expect(count({ operation: 'DescribeFargateProfile', outcome: 'ThrottlingException' })).toBe(2);
    expect(count({ operation: 'DescribeFargateProfile', outcome: 'ServerException' })).toBe(1);
  });

  test('a throttled create in onEvent is deferred to isComplete instead of failing', async () => {
    bed.emulator.injectFault({ error: 'ThrottlingException', operation: 'CreateFargateProfile', times: 1 });
    const { physicalId } = await run(createEvent(props()));
    expect(bed.emulator.describe(bed.cluster, physicalId)!.status).toBe('ACTIVE');
  });

  test('the deadline error names the profile, the last status and the blocker', async () => {
    bed.emulator.setProfileDelays('slow-delete', { deleteDelayMs: 60_000 });
    await createProfile(props({ FargateProfileName: 'slow-delete' }), 'Slow');
    await onEvent(deleteEvent('slow-delete', props({ FargateProfileName: 'slow-delete' }), 'Slow'));

    process.env.HANDLER_WAIT_TIMEOUT_MS = '150';
    const event = createEvent(props({ FargateProfileName: 'waiting' }));
    const result = await onEvent(event);
    await expect(isComplete(completeEvent(event, result), contextWithBudget(2000))).rejects.toThrow(
      `Timed out waiting for Fargate profile "waiting" on cluster "${bed.cluster}" to become ACTIVE: ` +
      'last status NOT_FOUND (create deferred), blocked by profile "slow-delete" in DELETING.');
  });

  test('without a context isComplete makes exactly one check', async () => {
    bed.emulator.createDelayMs = 5_000;
    const event = createEvent(props());
    const result = await onEvent(event);
    bed.emulator.clearCalls();
    await expect(isComplete(completeEvent(event, result))).resolves.toEqual({ IsComplete: false });
    expect(count()).toBe(1);
    expect(count({ operation: 'DescribeFargateProfile' })).toBe(1);
  });

  test('a context whose remaining time never shrinks cannot keep isComplete polling forever', async () => {
    bed.emulator.createDelayMs = 60_000;
    const event = createEvent(props());
    const result = await onEvent(event);
    const frozen: LambdaContext = { getRemainingTimeInMillis: () => 400 };
    await expect(isComplete(completeEvent(event, result), frozen)).resolves.toEqual({ IsComplete: false });
  }, 5_000);

  test('isComplete polls no more often than HANDLER_POLL_INTERVAL_MS and yields at the safety margin', async () => {
    bed.emulator.createDelayMs = 5_000;
    process.env.HANDLER_POLL_INTERVAL_MS = '100';
    process.env.HANDLER_SAFETY_MARGIN_MS = '100';
    const event = createEvent(props());
    const result = await onEvent(event);
    bed.emulator.clearCalls();
    const started = Date.now();
    await expect(isComplete(completeEvent(event, result), contextWithBudget(600))).resolves.toEqual({ IsComplete: false });
    const elapsed = Date.now() - started;
    const describes = callsHere().filter(c => c.operation === 'DescribeFargateProfile');
    expect(describes.length).toBeGreaterThanOrEqual(2);
    expect(describes.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 1);
    for (let i = 1; i < describes.length; i++) {
      expect(describes[i].at - describes[i - 1].at).toBeGreaterThanOrEqual(95);
    }
  });
});

describe('update', () => {
  test('a tags-only change is applied in place with the same physical id', async () => {
    const old = props({ Tags: [{ Key: 'keep', Value: '1' }, { Key: 'drop', Value: 'x' }] });
    const name = await createProfile(old);
    const arn = bed.emulator.describe(bed.cluster, name)!.fargateProfileArn;
    const next = props({ Tags: [{ Key: 'keep', Value: '2' }, { Key: 'new', Value: 'y' }] });
    const { physicalId, complete } = await run(updateEvent(name, old, next));
    expect(physicalId).toBe(name);
    expect(complete).toEqual({ IsComplete: true, Data: { Arn: arn } });
    expect(bed.emulator.describe(bed.cluster, name)!.tags).toEqual({ keep: '2', new: 'y', ...ownerTag() });
    expect(bed.emulator.profiles(bed.cluster)).toHaveLength(1);
    expect(count({ operation: 'CreateFargateProfile', outcome: 'OK' })).toBe(1);
  });

  test('tags added outside the stack are left alone by a tag update', async () => {
    const old = props({ Tags: [{ Key: 'team', Value: 'a' }] });
    const name = await createProfile(old);
    const arn = bed.emulator.describe(bed.cluster, name)!.fargateProfileArn;
    await new EKSClient(bed.emulator.clientConfig()).send(new TagResourceCommand({ resourceArn: arn, tags: { external: 'z' } }));
    await run(updateEvent(name, old, props({ Tags: [] })));
    expect(bed.emulator.describe(bed.cluster, name)!.tags).toEqual({ external: 'z', ...ownerTag() });
  });

  test('reordering selectors, labels and subnets is a no-op', async () => {
    const old = props({
      Selectors: [
        { Namespace: 'a', Labels: [{ Key: 'x', Value: '1' }, { Key: 'y', Value: '2' }] },
        { Namespace: 'b' },
      ],
      Subnets: ['subnet-1', 'subnet-2'],
    });
    const name = await createProfile(old);
    bed.emulator.clearCalls();
    const next = props({
      Selectors: [
        { Namespace: 'b' },
        { Namespace: 'a', Labels: [{ Key: 'y', Value: '2' }, { Key: 'x', Value: '1' }] },
      ],
      Subnets: ['subnet-2', 'subnet-1'],
    });
    const { physicalId, complete } = await run(updateEvent(name, old, next));
    expect(physicalId).toBe(name);
    expect(complete.IsComplete).toBe(true);
    const mutations = callsHere().filter(c => c.operation !== 'DescribeFargateProfile');
    expect(mutations).toEqual([]);
  });

  test('an immutable change with a generated name creates a replacement with a new name', async () => {
    const old = props();
    const name = await createProfile(old);
    const next = props({ Selectors: [{ Namespace: 'other' }] });
    const event = updateEvent(name, old, next);
    const result = await onEvent(event, contextWithBudget(2000));
    const physicalId = generateProfileName('MyProfile', event.RequestId);
    expect(physicalId).not.toBe(name);
    // Like a create's: pending until complete, so a failed replacement's cleanup removes only a marked profile.
    expect(result.PhysicalResourceId).toBe(`pending-create:${physicalId}`);
    const { complete } = await pollUntilComplete(event, result);
    const created = bed.emulator.describe(bed.cluster, physicalId)!;
    expect(created.status).toBe('ACTIVE');
    expect(created.selectors).toEqual([{ namespace: 'other' }]);
    expect(complete).toEqual({ IsComplete: true, PhysicalResourceId: physicalId, Data: { Arn: created.fargateProfileArn } });
    // The old one is CloudFormation's to delete (with a Delete event), not the update's.
    expect(bed.emulator.describe(bed.cluster, name)!.status).toBe('ACTIVE');
  });

  test('changing the explicit name creates the new profile under the new name', async () => {
    const old = props({ FargateProfileName: 'name-one' });
    await createProfile(old);
    const { physicalId } = await run(updateEvent('name-one', old, props({ FargateProfileName: 'name-two', PodExecutionRoleArn: OTHER_ROLE })));
    expect(physicalId).toBe('name-two');
    expect(bed.emulator.describe(bed.cluster, 'name-two')!.podExecutionRoleArn).toBe(OTHER_ROLE);
    expect(bed.emulator.describe(bed.cluster, 'name-one')!.status).toBe('ACTIVE');
  });

  test('an immutable change with an unchanged explicit name is rejected touching nothing', async () => {
    const old = props({ FargateProfileName: 'fixed' });
    await createProfile(old);
    bed.emulator.clearCalls();
    await expect(onEvent(updateEvent('fixed', old, props({ FargateProfileName: 'fixed', Subnets: ['subnet-9'] }))))
      .rejects.toThrow(/Subnets changed, but Fargate profiles are immutable .* Change FargateProfileName, or remove it/);
    expect(callsHere().filter(c => c.operation !== 'DescribeFargateProfile')).toEqual([]);
  });

  test('adding subnets is an immutable change even when they are the ones EKS chose: with an explicit name it is rejected', async () => {
    const old = props({ FargateProfileName: 'keeps-subnets' });
    await createProfile(old);
    const chosen = bed.emulator.describe(bed.cluster, 'keeps-subnets')!.subnets;
    bed.emulator.clearCalls();
    await expect(onEvent(updateEvent('keeps-subnets', old, props({ FargateProfileName: 'keeps-subnets', Subnets: [...chosen].reverse() }))))
      .rejects.toThrow(/Subnets changed, but Fargate profiles are immutable/);
    expect(callsHere().filter(c => c.operation !== 'DescribeFargateProfile')).toEqual([]);
  });

  test('removing the subnets replaces the profile, so EKS picks the cluster\'s private subnets', async () => {
    const old = props({ Subnets: ['subnet-x1', 'subnet-x2'] });
    const name = await createProfile(old);
    const { physicalId } = await run(updateEvent(name, old, props()));
    expect(physicalId).not.toBe(name);
    expect(bed.emulator.describe(bed.cluster, physicalId)!.status).toBe('ACTIVE');
    expect(bed.emulator.describe(bed.cluster, name)!.status).toBe('ACTIVE'); // CloudFormation deletes it in cleanup
  });

  test('the rollback of a refused update (old properties never took effect) completes in place', async () => {
    const original = props({ FargateProfileName: 'rolls-back' });
    await createProfile(original);
    const refused = props({ FargateProfileName: 'rolls-back', Subnets: ['subnet-9'] });
    bed.emulator.clearCalls();
    const { physicalId } = await run(updateEvent('rolls-back', refused, original));
    expect(physicalId).toBe('rolls-back');
    expect(callsHere().filter(c => c.operation !== 'DescribeFargateProfile')).toEqual([]);
  });

  test('a replacement blocked by a profile in DELETING is deferred and completed by isComplete', async () => {
    await createProfile(props({ FargateProfileName: 'going' }), 'Going');
    const old = props();
    const name = await createProfile(old);
    bed.emulator.setProfileDelays('going', { deleteDelayMs: 1_000 });
    await onEvent(deleteEvent('going', props({ FargateProfileName: 'going' }), 'Going'));

    const event = updateEvent(name, old, props({ PodExecutionRoleArn: OTHER_ROLE }));
    const { physicalId } = await run(event);
    expect(physicalId).not.toBe(name);
    expect(bed.emulator.describe(bed.cluster, physicalId)!.status).toBe('ACTIVE');
    expect(count({ operation: 'CreateFargateProfile', profile: physicalId, outcome: 'ResourceInUseException' })).toBeGreaterThanOrEqual(1);
  });
});

describe('update rollbacks and busy clusters', () => {
  test('rolling back a rejected update (malformed old properties) uses the existing profile as the old state', async () => {
    const good = props({ Tags: [{ Key: 'team', Value: 'a' }] });
    const name = await createProfile(good);
    bed.emulator.clearCalls();
    // CloudFormation's rollback: the new properties are the good ones, the old ones those that were refused.
    const bad = { ...good, Selectors: 'default' } as unknown as FargateProfileResourceProperties;
    const { physicalId, complete } = await run(updateEvent(name, bad, good));
    expect(physicalId).toBe(name);
    expect(complete.IsComplete).toBe(true);
    expect(callsHere().filter(c => c.operation !== 'DescribeFargateProfile')).toEqual([]);
    // The profile's ownership marker is not one of its old tags: nothing to change.
    expect(bed.logs.some(l => l.includes('"action":"PLAN_NO_OP"'))).toBe(true);
  });

  test('rolling back with malformed old properties still applies a tag difference in place', async () => {
    const name = await createProfile(props({ Tags: [{ Key: 'team', Value: 'a' }] }));
    const bad = { ...props(), Selectors: 'default' } as unknown as FargateProfileResourceProperties;
    const { physicalId } = await run(updateEvent(name, bad, props({ Tags: [{ Key: 'team', Value: 'b' }] })));
    expect(physicalId).toBe(name);
    expect(bed.emulator.describe(bed.cluster, name)!.tags).toEqual({ team: 'b', ...ownerTag() });
  });

  test('rolling back a rejected update completes in place instead of being rejected again', async () => {
    const original = props({ FargateProfileName: 'fixed' });
    await createProfile(original);
    const refused = props({ FargateProfileName: 'fixed', PodExecutionRoleArn: OTHER_ROLE });
    await expect(onEvent(updateEvent('fixed', original, refused))).rejects.toThrow(/immutable/);
    bed.emulator.clearCalls();
    // CloudFormation's rollback: back to the original properties, the refused ones as old.
    const { physicalId, complete } = await run(updateEvent('fixed', refused, original));
    expect(physicalId).toBe('fixed');
    expect(complete).toEqual({ IsComplete: true, Data: { Arn: bed.emulator.describe(bed.cluster, 'fixed')!.fargateProfileArn } });
    expect(callsHere().filter(c => c.operation !== 'DescribeFargateProfile')).toEqual([]);
  });

  test('rolling back a failed replacement keeps the original profile', async () => {
    const original = props({ FargateProfileName: 'one' });
    await createProfile(original);
    const renamed = props({ FargateProfileName: 'two', PodExecutionRoleArn: OTHER_ROLE });
    bed.emulator.injectFault({ operation: 'CreateFargateProfile', profile: 'two', healthIssues: { code: 'AccessDenied', message: 'role not usable' } });
    await expect(run(updateEvent('one', original, renamed))).rejects.toThrow(/"two" .* failed to create/);
    bed.emulator.clearCalls();
    const { physicalId } = await run(updateEvent('one', renamed, original));
    expect(physicalId).toBe('one');
    expect(bed.emulator.describe(bed.cluster, 'one')!.status).toBe('ACTIVE');
    expect(callsHere().filter(c => c.operation !== 'DescribeFargateProfile')).toEqual([]);
  });

  test('an update whose profile cannot be described fails clearly, touching nothing', async () => {
    const old = props();
    const name = await createProfile(old);
    bed.emulator.clearCalls();
    bed.emulator.injectFault({ error: 'ThrottlingException', operation: 'DescribeFargateProfile', profile: name, times: 5 });
    await expect(onEvent(updateEvent(name, old, props({ PodExecutionRoleArn: OTHER_ROLE })))).rejects.toThrow(
      `Cannot plan the update of Fargate profile "${name}" on cluster "${bed.cluster}": describing it failed (ThrottlingException: Rate exceeded). Nothing was changed; retry the update.`);
    expect(count({ operation: 'DescribeFargateProfile', outcome: 'ThrottlingException' })).toBe(3);
    expect(callsHere().filter(c => c.operation !== 'DescribeFargateProfile')).toEqual([]);
  });

  test('a cluster with an update in progress defers the create until it is done', async () => {
    bed.emulator.setClusterUpdating(bed.cluster, true);
    const event = createEvent(props());
    const result = await onEvent(event);
    expect(bed.emulator.describe(bed.cluster, pendingName(result.PhysicalResourceId))).toBeUndefined();
    expect(await isComplete(completeEvent(event, result), contextWithBudget(150))).toEqual({ IsComplete: false });
    bed.emulator.setClusterUpdating(bed.cluster, false);
    const { complete } = await pollUntilComplete(event, result, 20);
    expect(complete.IsComplete).toBe(true);
    expect(bed.emulator.describe(bed.cluster, pendingName(result.PhysicalResourceId))!.status).toBe('ACTIVE');
  });

  test('a profile still CREATING when its delete arrives (rollback) is deleted once it settles', async () => {
    bed.emulator.createDelayMs = 1_500;
    const p = props();
    const created = await onEvent(createEvent(p));
    const name = pendingName(created.PhysicalResourceId);
    expect(bed.emulator.describe(bed.cluster, name)!.status).toBe('CREATING');
    // The rollback's delete carries the pending id: the profile carries this resource's marker, so it goes.
    const { complete } = await run(deleteEvent(created.PhysicalResourceId, p), 80);
    expect(complete).toEqual({ IsComplete: true });
    expect(bed.logs.some(l => l.includes('"waitReason":"LEAVING_CREATING"'))).toBe(true);
    expect(bed.emulator.describe(bed.cluster, name)).toBeUndefined();
    expect(count({ operation: 'DeleteFargateProfile', outcome: 'ResourceInUseException' })).toBe(0);
  });

  test('a delete whose deadline passes names the last status', async () => {
    const p = props();
    const name = await createProfile(p);
    bed.emulator.setProfileDelays(name, { deleteDelayMs: 60_000 });
    process.env.HANDLER_WAIT_TIMEOUT_MS = '100';
    const event = deleteEvent(name, p);
    const result = await onEvent(event);
    await expect(isComplete(completeEvent(event, result), contextWithBudget(2000))).rejects.toThrow(
      `Timed out waiting for Fargate profile "${name}" on cluster "${bed.cluster}" to be deleted: last status DELETING.`);
  });
});

describe('ownership: only the resource that created a profile adopts, tags or deletes it', () => {
  /** A profile made outside this handler (by hand, or by a version that set no marker), with the SDK. */
  async function handMade(name: string, p: FargateProfileResourceProperties): Promise<void> {
    const spec = canonicalSpec(p);
    await new EKSClient(bed.emulator.clientConfig()).send(new CreateFargateProfileCommand({
      clusterName: bed.cluster,
      fargateProfileName: name,
      podExecutionRoleArn: spec.podExecutionRoleArn,
      selectors: spec.selectors.map(s => ({ namespace: s.namespace })),
      tags: { ...spec.tags },
    }));
    while (bed.emulator.describe(bed.cluster, name)!.status !== 'ACTIVE') await new Promise(r => setTimeout(r, 20));
  }

  test('another resource\'s profile with the same name and spec: the create fails naming it, and a delete of that name removes nothing', async () => {
    const p = props({ FargateProfileName: 'apps' });
    await createProfile(p, 'StackAProfile');
    const arn = bed.emulator.describe(bed.cluster, 'apps')!.fargateProfileArn;
    bed.emulator.clearCalls();
    await expect(run(createEvent(p, 'StackBProfile'))).rejects.toThrow(
      `Fargate profile "apps" on cluster "${bed.cluster}" already exists and belongs to another resource: resource StackAProfile of stack s ` +
      `(marker "${ownerTag('StackAProfile')[OWNER_TAG_KEY]}"). It is left untouched`);
    // Even if CloudFormation's rollback delete reached the handler with that name, nothing is removed.
    const { complete } = await run(deleteEvent('apps', p, 'StackBProfile'));
    expect(complete).toEqual({ IsComplete: true });
    const profile = bed.emulator.describe(bed.cluster, 'apps')!;
    expect(profile).toMatchObject({ status: 'ACTIVE', fargateProfileArn: arn, tags: { team: 'a', ...ownerTag('StackAProfile') } });
    expect(callsHere().map(c => c.operation).filter(o => o !== 'DescribeFargateProfile')).toEqual([]);
    expect(bed.logs.some(l => l.includes('belongs to another resource: resource StackAProfile of stack s') && l.includes('left untouched'))).toBe(true);
  });

  test('a hand-made profile with the same name and spec: the create fails saying it has no marker, and nothing is touched', async () => {
    const p = props({ FargateProfileName: 'by-hand' });
    await handMade('by-hand', p);
    bed.emulator.clearCalls();
    await expect(run(createEvent(p))).rejects.toThrow(
      `Fargate profile "by-hand" on cluster "${bed.cluster}" already exists and has no ownership marker (tag "${OWNER_TAG_KEY}")`);
    expect(bed.emulator.describe(bed.cluster, 'by-hand')!.tags).toEqual({ team: 'a' });
    expect(callsHere().map(c => c.operation)).toEqual(['DescribeFargateProfile']);
  });

  test('a profile created before markers (none on it): an in-place tag update marks it, then syncs its tags', async () => {
    const old = props({ FargateProfileName: 'legacy' });
    await handMade('legacy', old);
    const next = props({ FargateProfileName: 'legacy', Tags: [{ Key: 'team', Value: 'b' }] });
    const { physicalId } = await run(updateEvent('legacy', old, next));
    expect(physicalId).toBe('legacy');
    expect(bed.emulator.describe(bed.cluster, 'legacy')!.tags).toEqual({ team: 'b', ...ownerTag() });
    expect(bed.logs.some(l => l.includes('"action":"MARKED"'))).toBe(true);
  });

  test('a profile created before markers: its resource\'s delete marks it, then deletes it', async () => {
    const p = props({ FargateProfileName: 'legacy-gone' });
    await handMade('legacy-gone', p);
    const { complete } = await run(deleteEvent('legacy-gone', p));
    expect(complete).toEqual({ IsComplete: true });
    expect(bed.emulator.describe(bed.cluster, 'legacy-gone')).toBeUndefined();
    const ops = callsHere().filter(c => c.profile === 'legacy-gone' || c.operation === 'TagResource').map(c => c.operation);
    expect(ops.indexOf('TagResource')).toBeGreaterThanOrEqual(0);
    expect(ops.indexOf('TagResource')).toBeLessThan(ops.indexOf('DeleteFargateProfile'));
  });

  test('a replacement under a new explicit name that is taken by an unmarked profile fails: a new name is not CloudFormation\'s record', async () => {
    const old = props({ FargateProfileName: 'first' });
    await createProfile(old);
    const taken = props({ FargateProfileName: 'second' });
    await handMade('second', taken);
    await expect(run(updateEvent('first', old, taken))).rejects.toThrow(/"second" .* already exists and has no ownership marker/);
    expect(bed.emulator.describe(bed.cluster, 'second')!.tags).toEqual({ team: 'a' });
  });

  test('tag updates never remove the marker, whatever the old properties listed', async () => {
    const old = props({ Tags: [{ Key: 'team', Value: 'a' }] });
    const name = await createProfile(old);
    await run(updateEvent(name, old, props({ Tags: [] })));
    expect(bed.emulator.describe(bed.cluster, name)!.tags).toEqual(ownerTag());
  });
});

describe('delete', () => {
  test('deletes the profile and completes when it is gone', async () => {
    const p = props();
    const name = await createProfile(p);
    const { complete } = await run(deleteEvent(name, p));
    expect(complete).toEqual({ IsComplete: true });
    expect(bed.emulator.describe(bed.cluster, name)).toBeUndefined();
  });

  test('an already deleted profile counts as deleted', async () => {
    const p = props();
    const name = await createProfile(p);
    bed.emulator.deleteProfileOutOfBand(bed.cluster, name);
    const { complete } = await run(deleteEvent(name, p));
    expect(complete).toEqual({ IsComplete: true });
    expect(count({ operation: 'DeleteFargateProfile' })).toBe(0);
  });

  test('a deleted cluster counts as deleted', async () => {
    const p = props();
    const name = await createProfile(p);
    bed.emulator.deleteClusterOutOfBand(bed.cluster);
    const { complete } = await run(deleteEvent(name, p));
    expect(complete).toEqual({ IsComplete: true });
  });

  test('DELETE_FAILED fails with the health issues', async () => {
    const p = props();
    const name = await createProfile(p);
    bed.emulator.injectFault({
      operation: 'DeleteFargateProfile', profile: name, healthIssues: { code: 'AccessDenied', message: 'Not allowed to detach', resourceIds: ['eni-1'] },
    });
    await expect(run(deleteEvent(name, p))).rejects.toThrow(/failed to delete \(status DELETE_FAILED\): AccessDenied: Not allowed to detach \(resources: eni-1\)/);
    expect(bed.emulator.describe(bed.cluster, name)!.status).toBe('DELETE_FAILED');
  });

  test('a retried stack deletion tries a DELETE_FAILED profile again', async () => {
    const p = props();
    const name = await createProfile(p);
    bed.emulator.injectFault({ operation: 'DeleteFargateProfile', profile: name, healthIssues: { code: 'AccessDenied', message: 'Not allowed to detach' } });
    await expect(run(deleteEvent(name, p))).rejects.toThrow(/DELETE_FAILED/);
    // The cause is fixed (the failure budget is spent); the user retries the deletion: a new request.
    const { complete } = await run(deleteEvent(name, p));
    expect(complete).toEqual({ IsComplete: true });
    expect(bed.emulator.describe(bed.cluster, name)).toBeUndefined();
    expect(count({ operation: 'DeleteFargateProfile', outcome: 'OK' })).toBe(2);
  });

  /**
   * Our create (or an update's replacement, renamed to `mine`'s name) is deferred, because another profile
   * is DELETING; meanwhile someone else creates the name, with `theirs` as its spec. Returns our event and
   * onEvent's result.
   */
  async function loseNameWhileDeferred(mine: FargateProfileResourceProperties, theirs: { role: string; namespace: string },
    start: 'create' | 'replacement' = 'create') {
    const old = props({ FargateProfileName: 'before-rename' });
    if (start === 'replacement') await createProfile(old);
    await createProfile(props({ FargateProfileName: 'slow-going' }), 'SlowGoing');
    bed.emulator.setProfileDelays('slow-going', { deleteDelayMs: 1_000 });
    await onEvent(deleteEvent('slow-going', props({ FargateProfileName: 'slow-going' }), 'SlowGoing'));
    const event = start === 'create' ? createEvent(mine) : updateEvent('before-rename', old, mine);
    const result = await onEvent(event);
    expect(pendingName(result.PhysicalResourceId)).toBe(mine.FargateProfileName);
    expect(bed.emulator.describe(bed.cluster, mine.FargateProfileName!)).toBeUndefined();
    while (bed.emulator.describe(bed.cluster, 'slow-going')) await new Promise(r => setTimeout(r, 50));
    const eks = new EKSClient(bed.emulator.clientConfig());
    await eks.send(new CreateFargateProfileCommand({
      clusterName: bed.cluster,
      fargateProfileName: mine.FargateProfileName,
      podExecutionRoleArn: theirs.role,
      selectors: [{ namespace: theirs.namespace }],
    }));
    return { event, result };
  }

  test('a create that lost its name to someone else\'s profile does not delete that profile on rollback', async () => {
    const mine = props({ FargateProfileName: 'contested' });
    const { event, result } = await loseNameWhileDeferred(mine, { role: OTHER_ROLE, namespace: 'theirs' });

    await expect(isComplete(completeEvent(event, result), contextWithBudget(300))).rejects.toThrow(/"contested" .* already exists and has no ownership marker/);
    // CloudFormation's rollback deletes the physical id the failed create reported: the pending one.
    expect(pendingName(result.PhysicalResourceId)).toBe('contested');
    const { complete } = await run(deleteEvent(result.PhysicalResourceId, mine));
    expect(complete).toEqual({ IsComplete: true });
    expect(bed.emulator.describe(bed.cluster, 'contested')!.podExecutionRoleArn).toBe(OTHER_ROLE);
    expect(count({ operation: 'DeleteFargateProfile', profile: 'contested' })).toBe(0);
    expect(bed.logs.some(l => l.includes('has no ownership marker') && l.includes('left untouched'))).toBe(true);
  });

  test.each(['create', 'replacement'] as const)('a %s that lost its name to a hand-made profile of the SAME spec neither adopts nor deletes it on rollback', async (start) => {
    // Same name, role and selectors: only the missing marker tells it apart from ours.
    const mine = props({ FargateProfileName: 'lookalike' });
    const { event, result } = await loseNameWhileDeferred(mine, { role: ROLE, namespace: mine.Selectors[0].Namespace }, start);
    const made = bed.emulator.describe(bed.cluster, 'lookalike')!;
    // Neither names subnets: both get the cluster's.
    expect(mine.Subnets).toBeUndefined();
    expect([made.podExecutionRoleArn, made.selectors]).toEqual([ROLE, [{ namespace: mine.Selectors[0].Namespace }]]);

    await expect(isComplete(completeEvent(event, result), contextWithBudget(300))).rejects.toThrow(/"lookalike" .* already exists and has no ownership marker/);
    // The rollback (of the create) or the rollback's cleanup (of the replacement) deletes the pending id.
    const { complete } = await run(deleteEvent(result.PhysicalResourceId, mine));
    expect(complete).toEqual({ IsComplete: true });
    if (start === 'replacement') expect(bed.emulator.describe(bed.cluster, 'before-rename')!.status).toBe('ACTIVE');
    const theirs = bed.emulator.describe(bed.cluster, 'lookalike')!;
    expect(theirs).toBeDefined();
    expect(['CREATING', 'ACTIVE']).toContain(theirs.status);
    expect(theirs.tags ?? {}).not.toHaveProperty(OWNER_TAG_KEY);
    expect(callsHere().filter(c => c.profile === 'lookalike' && ['DeleteFargateProfile', 'TagResource'].includes(c.operation))).toEqual([]);
    expect(bed.logs.some(l => l.includes('"lookalike"') && l.includes('has no ownership marker') && l.includes('left untouched'))).toBe(true);
  });

  test('a delete whose properties no longer validate still deletes (ownership cannot be checked)', async () => {
    const p = props();
    const name = await createProfile(p);
    const { complete } = await run(deleteEvent(name, { ...p, Selectors: [] }));
    expect(complete).toEqual({ IsComplete: true });
    expect(bed.emulator.describe(bed.cluster, name)).toBeUndefined();
  });

  test('only the profile named by the event is touched', async () => {
    const p = props();
    const mine = await createProfile(p);
    const theirs = await createProfile(props(), 'Theirs');
    await run(deleteEvent(mine, p));
    expect(bed.emulator.describe(bed.cluster, theirs)!.status).toBe('ACTIVE');
    expect(callsHere().filter(c => c.profile === theirs && c.operation === 'DeleteFargateProfile')).toEqual([]);
  });
});

describe('configuration', () => {
  test('the EKS client is built per invocation, so a changed AWS_ENDPOINT_URL_EKS is honoured', async () => {
    const other = await EksEmulator.start({ createDelayMs: 10 });
    other.addCluster(bed.cluster);
    const restore = other.useInProcessEnv();
    try {
      await onEvent(createEvent(props()));
      expect(other.profiles(bed.cluster)).toHaveLength(1);
      expect(bed.emulator.profiles(bed.cluster)).toHaveLength(0);
    } finally {
      restore();
      await other.stop();
    }
  });
});

describe('logging', () => {
  test('logs one JSON line per decision with the event summary, never the ResponseURL', async () => {
    await run(createEvent(props()));
    expect(bed.logs.length).toBeGreaterThan(0);
    for (const line of bed.logs) {
      expect(line).not.toContain('X-Amz-Signature');
      expect(line).not.toContain('emulator-fake');
      const entry = JSON.parse(line);
      expect(entry).toMatchObject({ requestType: 'Create', logicalResourceId: 'MyProfile', cluster: bed.cluster });
      expect(typeof entry.action).toBe('string');
    }
  });

  test('the update plan is logged with what was observed: a tag-only change sees a matching profile', async () => {
    const old = props({ Tags: [{ Key: 'team', Value: 'a' }] });
    const name = await createProfile(old);
    bed.logs = [];
    await run(updateEvent(name, old, props({ Tags: [{ Key: 'team', Value: 'b' }] })));
    const plan = bed.logs.map(l => JSON.parse(l)).find(e => e.action?.startsWith('PLAN_'));
    expect(plan).toMatchObject({ action: 'PLAN_UPDATE_TAGS', observed: 'ACTIVE', physicalResourceId: name });
  });

  test('a decision repeated while polling is logged once, with the count on the next line', async () => {
    bed.emulator.createDelayMs = 400;
    const event = createEvent(props());
    const result = await onEvent(event);
    bed.logs = [];
    const complete = await isComplete(completeEvent(event, result), contextWithBudget(3000));
    expect(complete.IsComplete).toBe(true);
    const entries = bed.logs.map(l => JSON.parse(l));
    const waits = entries.filter(e => e.action === 'WAIT' && e.waitReason === 'CREATING');
    expect(waits).toHaveLength(1);
    const done = entries.find(e => e.action === 'DONE');
    // Polled every 20 ms for ~400 ms: the WAIT recurred (unlogged) before DONE.
    expect(done.previousRepeated).toBeGreaterThanOrEqual(1);
  });

  test('a malformed event is rejected with a clear message and nothing logged of its secrets', async () => {
    const event = { ...createEvent(props()), ResourceProperties: { ClusterName: bed.cluster } };
    await expect(onEvent(event)).rejects.toThrow('Invalid event: ResourceProperties.PodExecutionRoleArn must be a non-empty string, got nothing (the property is missing).');
    expect(bed.logs.join('\n')).not.toContain('X-Amz-Signature');
    expect(count()).toBe(0);
  });
});
