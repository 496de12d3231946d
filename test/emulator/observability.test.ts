// What tests and benchmarks read back from the emulator (call log, counters, timelines,
// snapshots), the raw wire format, and the test-facing API's own input checks.
import {
  CreateFargateProfileCommand,
  ResourceInUseException,
} from '@aws-sdk/client-eks';
import { ROLE, useEksEmulator, withOwnEmulator } from './fixture';
import { EksEmulator } from '../support/eks-emulator';

const fx = useEksEmulator();
const { create, remove, describeProfile, advance } = fx;

test('the call log records operation, cluster, profile, time, status and outcome', async () => {
  await create('a');
  advance(10);
  await create('b').catch(() => undefined);
  advance(10);
  await describeProfile('a');

  expect(fx.emulator.calls).toEqual([
    { operation: 'CreateFargateProfile', cluster: 'demo', profile: 'a', at: 1_700_000_000_000, httpStatus: 200, outcome: 'OK' },
    {
      operation: 'CreateFargateProfile',
      cluster: 'demo',
      profile: 'b',
      at: 1_700_000_000_010,
      httpStatus: 409,
      outcome: 'ResourceInUseException',
      message: 'Cannot create Fargate Profile b because cluster demo currently has Fargate profile a in status CREATING',
    },
    { operation: 'DescribeFargateProfile', cluster: 'demo', profile: 'a', at: 1_700_000_000_020, httpStatus: 200, outcome: 'OK' },
  ]);
});

test('counters and callCount count per operation and profile; clearCalls resets', async () => {
  await create('a');
  await describeProfile('a');
  await describeProfile('a');
  await describeProfile('zzz').catch(() => undefined);

  expect(fx.emulator.counters()).toEqual({
    CreateFargateProfile: { a: 1 },
    DescribeFargateProfile: { a: 2, zzz: 1 },
  });
  expect(fx.emulator.callCount({ operation: 'DescribeFargateProfile' })).toBe(3);
  expect(fx.emulator.callCount({ outcome: 'ResourceNotFoundException' })).toBe(1);
  expect(fx.emulator.callCount({ profile: 'a', cluster: 'demo' })).toBe(3);
  fx.emulator.clearCalls();
  expect(fx.emulator.callCount()).toBe(0);
});

test('timelines keep every incarnation of a re-created profile', async () => {
  const first = await create('web');
  advance(300);
  await remove('web');
  advance(300);
  const second = await create('web');
  advance(400);

  expect(fx.emulator.timelines()).toEqual([
    {
      cluster: 'demo',
      name: 'web',
      arn: first.fargateProfile!.fargateProfileArn,
      createRequestedAt: 1_700_000_000_000,
      activeAt: 1_700_000_000_300,
      deleteRequestedAt: 1_700_000_000_300,
      goneAt: 1_700_000_000_600,
    },
    { cluster: 'demo', name: 'web', arn: second.fargateProfile!.fargateProfileArn, createRequestedAt: 1_700_000_000_600, activeAt: 1_700_000_000_900 },
  ]);
  expect(second.fargateProfile!.fargateProfileArn).not.toBe(first.fargateProfile!.fargateProfileArn);
  expect(fx.emulator.timeline('demo', 'web')?.arn).toBe(second.fargateProfile!.fargateProfileArn);
  expect(fx.emulator.timeline('demo', 'never')).toBeUndefined();
});

test('describe and profiles return snapshots that apply due transitions and cannot alter state', async () => {
  await create('web');
  expect(fx.emulator.describe('demo', 'web')?.status).toBe('CREATING');
  advance(300);
  const snap = fx.emulator.describe('demo', 'web')!;
  expect(snap.status).toBe('ACTIVE');
  expect(snap.createdAt).toEqual(new Date(1_700_000_000_000));
  snap.tags.injected = 'x';
  snap.subnets.push('subnet-x');
  expect(fx.emulator.profiles('demo')).toEqual([expect.objectContaining({ fargateProfileName: 'web', tags: {}, subnets: snap.subnets.slice(0, 2) })]);
  expect(fx.emulator.profiles('unknown')).toEqual([]);
  expect(fx.emulator.describe('unknown', 'web')).toBeUndefined();
});

test('profile ARNs are reproducible for a seed', async () => {
  const arnFor = (seed: number) => withOwnEmulator({ seed }, 'demo', async (_, client) => {
    const out = await client.send(new CreateFargateProfileCommand({
      clusterName: 'demo', fargateProfileName: 'web', podExecutionRoleArn: ROLE, selectors: [{ namespace: 'a' }],
    }));
    return out.fargateProfile!.fargateProfileArn!;
  });
  const arn = await arnFor(3);
  expect(await arnFor(3)).toBe(arn);
  expect(await arnFor(4)).not.toBe(arn);
});

describe('wire format', () => {
  test('errors carry x-amzn-errortype, the modelled HTTP status and a JSON message', async () => {
    await create('a');
    const res = await fetch(`${fx.emulator.endpoint}/clusters/demo/fargate-profiles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fargateProfileName: 'b', podExecutionRoleArn: ROLE, selectors: [{ namespace: 'x' }] }),
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceInUseException:http://internal.amazon.com/coral/com.amazonaws.eks/');
    expect(await res.json()).toEqual({
      message: 'Cannot create Fargate Profile b because cluster demo currently has Fargate profile a in status CREATING',
      clusterName: 'demo',
      fargateProfileName: 'b',
    });
  });

  test('createdAt is epoch seconds on the wire', async () => {
    await create('a');
    const res = await fetch(`${fx.emulator.endpoint}/clusters/demo/fargate-profiles/a`);
    const body = await res.json() as { fargateProfile: { createdAt: number } };
    expect(body.fargateProfile.createdAt).toBe(1_700_000_000);
  });

  test('malformed JSON is BadRequestException and an unknown route is UnknownOperationException', async () => {
    const bad = await fetch(`${fx.emulator.endpoint}/clusters/demo/fargate-profiles`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toMatch(/^BadRequestException:/);
    const unknown = await fetch(`${fx.emulator.endpoint}/addons`, { method: 'PUT' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toMatch(/^UnknownOperationException:/);
    expect(fx.emulator.calls.map((c) => c.outcome)).toEqual(['BadRequestException', 'UnknownOperationException']);
  });
});

describe('test-facing API input checks', () => {
  test('unknown clusters, duplicate clusters and bad delays are clear errors', () => {
    expect(() => fx.emulator.addCluster('demo')).toThrow("EksEmulator.addCluster: cluster 'demo' already exists");
    expect(() => fx.emulator.injectFault({ operation: 'CreateFargateProfile', cluster: 'nope', healthIssues: { code: 'AccessDenied', message: 'm' } }))
      .toThrow("EksEmulator.injectFault: unknown cluster 'nope' (call addCluster first)");
    expect(() => fx.emulator.deleteProfileOutOfBand('demo', 'ghost'))
      .toThrow("EksEmulator.deleteProfileOutOfBand: no profile 'ghost' in cluster 'demo'");
    expect(() => fx.emulator.setProfileDelays('p', { createDelayMs: -1 }))
      .toThrow('EksEmulator: createDelayMs must be a finite number >= 0 (ms); got -1');
  });

  test('injectFault rejects a fault that could never fire as meant', () => {
    const issue = { code: 'AccessDenied', message: 'm' };
    expect(() => fx.emulator.injectFault({ error: 'ServerException', times: 0 }))
      .toThrow('EksEmulator.injectFault: times must be an integer >= 1; got 0');
    expect(() => fx.emulator.injectFault({ operation: 'DescribeFargateProfile', healthIssues: issue } as never))
      .toThrow('EksEmulator.injectFault: healthIssues need operation CreateFargateProfile or DeleteFargateProfile; got DescribeFargateProfile');
    expect(() => fx.emulator.injectFault({ operation: 'CreateFargateProfile', healthIssues: issue, error: 'ServerException' } as never))
      .toThrow('EksEmulator.injectFault: give either healthIssues or error, not both');
  });

  test('start rejects a non-finite delay', async () => {
    await expect(EksEmulator.start({ deleteDelayMs: Number.NaN })).rejects.toThrow('deleteDelayMs must be a finite number >= 0');
  });

  test('a conflict error from the SDK exposes the cluster name field', async () => {
    await create('a');
    const err = await create('b').catch((e) => e);
    expect(err).toBeInstanceOf(ResourceInUseException);
    expect(err.clusterName).toBe('demo');
  });
});
