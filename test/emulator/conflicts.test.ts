// The service's one-at-a-time rules, name conflicts and idempotency, through the real SDK.
import {
  DescribeFargateProfileCommand,
  InvalidParameterException,
  ResourceInUseException,
  ResourceLimitExceededException,
} from '@aws-sdk/client-eks';
import { ROLE, useEksEmulator } from './fixture';

const fx = useEksEmulator();
const { create, remove, advance } = fx;

test('create while another profile is CREATING: ResourceInUseException with the service message', async () => {
  await create('first');
  const err = await create('second').catch((e) => e);
  expect(err).toBeInstanceOf(ResourceInUseException);
  expect(err.name).toBe('ResourceInUseException');
  expect(err.$metadata.httpStatusCode).toBe(409);
  expect(err.clusterName).toBe('demo');
  expect(err.message).toBe('Cannot create Fargate Profile second because cluster demo currently has Fargate profile first in status CREATING');
  advance(300);
  await expect(create('second')).resolves.toBeDefined();
});

test('create while another profile is DELETING: ResourceInUseException naming DELETING', async () => {
  await create('first');
  advance(300);
  await remove('first');
  const err = await create('second').catch((e) => e);
  expect(err).toBeInstanceOf(ResourceInUseException);
  expect(err.message).toBe('Cannot create Fargate Profile second because cluster demo currently has Fargate profile first in status DELETING');
});

test('delete while another profile is DELETING: ResourceInUseException with the service message', async () => {
  await create('a');
  advance(300);
  await create('b');
  advance(300);
  await remove('a');
  const err = await remove('b').catch((e) => e);
  expect(err).toBeInstanceOf(ResourceInUseException);
  expect(err.message).toBe('Cannot Delete Fargate Profile b because cluster demo currently has Fargate profile a in status DELETING');
  advance(300);
  await expect(remove('b')).resolves.toBeDefined();
});

test('delete while another profile is CREATING is refused by default', async () => {
  await create('a');
  advance(300);
  await create('b');
  const err = await remove('a').catch((e) => e);
  expect(err).toBeInstanceOf(ResourceInUseException);
  expect(err.message).toBe('Cannot Delete Fargate Profile a because cluster demo currently has Fargate profile b in status CREATING');
});

test('deleteBlockedByCreating: false lets a delete run beside a create', async () => {
  await fx.restart({ deleteBlockedByCreating: false });
  await create('a');
  advance(300);
  await create('b');
  const out = await remove('a');
  expect(out.fargateProfile?.status).toBe('DELETING');
});

test('deleting a profile that is itself CREATING or already DELETING is ResourceInUseException naming it', async () => {
  await fx.restart({ deleteBlockedByCreating: false });
  await create('a');
  const whileCreating = await remove('a').catch((e) => e);
  expect(whileCreating).toBeInstanceOf(ResourceInUseException);
  expect(whileCreating.message).toBe('Cannot Delete Fargate Profile a because cluster demo currently has Fargate profile a in status CREATING');
  advance(300);
  await remove('a');
  const again = await remove('a').catch((e) => e);
  expect(again).toBeInstanceOf(ResourceInUseException);
  expect(again.message).toBe('Cannot Delete Fargate Profile a because cluster demo currently has Fargate profile a in status DELETING');
});

test('a cluster update in progress blocks creates and deletes', async () => {
  await create('a');
  advance(300);
  fx.emulator.setClusterUpdating('demo', true);
  const c = await create('b').catch((e) => e);
  expect(c).toBeInstanceOf(ResourceInUseException);
  expect(c.message).toBe('Cannot create Fargate Profile b because cluster demo currently has an update in progress');
  const d = await remove('a').catch((e) => e);
  expect(d).toBeInstanceOf(ResourceInUseException);
  expect(d.message).toBe('Cannot Delete Fargate Profile a because cluster demo currently has an update in progress');
  fx.emulator.setClusterUpdating('demo', false);
  await expect(remove('a')).resolves.toBeDefined();
});

test('a name already in use is ResourceInUseException, even once ACTIVE', async () => {
  await create('web');
  advance(300);
  const err = await create('web').catch((e) => e);
  expect(err).toBeInstanceOf(ResourceInUseException);
  expect(err.message).toBe('A Fargate Profile already exists with this name in this cluster.');
});

test('the same name in another cluster is fine', async () => {
  fx.emulator.addCluster('other');
  await create('web');
  const out = await create('web', { clusterName: 'other' });
  expect(out.fargateProfile?.clusterName).toBe('other');
});

test('clientRequestToken replay with the same parameters returns the original profile', async () => {
  const first = await create('web', { clientRequestToken: 'tok-1', tags: { a: '1' } });
  advance(100);
  const replay = await create('web', { clientRequestToken: 'tok-1', tags: { a: '1' } });
  expect(replay.fargateProfile?.fargateProfileArn).toBe(first.fargateProfile?.fargateProfileArn);
  expect(replay.fargateProfile?.status).toBe('CREATING');
  expect(fx.emulator.timelines()).toHaveLength(1);
});

test('clientRequestToken replay with different parameters is InvalidParameterException', async () => {
  await create('web', { clientRequestToken: 'tok-1' });
  const err = await create('web', { clientRequestToken: 'tok-1', selectors: [{ namespace: 'other' }] }).catch((e) => e);
  expect(err).toBeInstanceOf(InvalidParameterException);
  expect(err.message).toBe("The clientRequestToken 'tok-1' was already used with different parameters.");
});

test('without a token a second create of the same name is a conflict (the SDK generates a fresh token)', async () => {
  await create('web');
  await expect(create('web')).rejects.toBeInstanceOf(ResourceInUseException);
});

test('more than maxProfilesPerCluster profiles is ResourceLimitExceededException', async () => {
  await fx.restart({ maxProfilesPerCluster: 2 });
  await create('a');
  advance(300);
  await create('b');
  advance(300);
  await expect(create('c')).rejects.toBeInstanceOf(ResourceLimitExceededException);
});

test('CREATE_FAILED and DELETE_FAILED profiles do not block others and can be deleted', async () => {
  fx.emulator.injectFault({ operation: 'CreateFargateProfile', cluster: 'demo', healthIssues: { code: 'AccessDenied', message: 'denied', resourceIds: [ROLE] } });
  await create('bad');
  advance(300);
  await expect(create('good')).resolves.toBeDefined();
  advance(300);
  const out = await remove('bad');
  expect(out.fargateProfile?.status).toBe('DELETING');
  advance(300);
  await expect(fx.eks.send(new DescribeFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'bad' })))
    .rejects.toThrow('No Fargate Profile found with name: bad.');
});
