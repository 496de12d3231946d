// Profile lifecycle through the real @aws-sdk/client-eks over HTTP: create, describe, list,
// tag, delete, and the status transitions driven by the emulator's (injected) clock.
import {
  CreateFargateProfileCommand,
  DeleteFargateProfileCommand,
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  ListFargateProfilesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  NotFoundException,
  BadRequestException,
} from '@aws-sdk/client-eks';
import { ROLE, useEksEmulator, withOwnEmulator } from './fixture';
import { DEFAULT_PRIVATE_SUBNETS } from '../support/eks-emulator';

const fx = useEksEmulator({ deleteDelayMs: 500 });
const { create, describeProfile, advance } = fx;

async function statusOf(name: string): Promise<string | undefined> {
  const out = await describeProfile(name);
  return out.fargateProfile?.status;
}

test('create returns the full profile in CREATING with the service ARN format', async () => {
  const out = await create('web', {
    subnets: ['subnet-a'],
    selectors: [{ namespace: 'web', labels: { app: 'shop' } }],
    tags: { team: 'blue' },
  });

  const profile = out.fargateProfile!;
  expect(profile.fargateProfileName).toBe('web');
  expect(profile.clusterName).toBe('demo');
  expect(profile.status).toBe('CREATING');
  expect(profile.podExecutionRoleArn).toBe(ROLE);
  expect(profile.subnets).toEqual(['subnet-a']);
  expect(profile.selectors).toEqual([{ namespace: 'web', labels: { app: 'shop' } }]);
  expect(profile.tags).toEqual({ team: 'blue' });
  expect(profile.health).toEqual({ issues: [] });
  expect(profile.createdAt).toEqual(new Date(fx.now));
  expect(profile.fargateProfileArn).toMatch(
    /^arn:aws:eks:us-east-1:123456789012:fargateprofile\/demo\/web\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('omitted subnets default to the cluster private subnets', async () => {
  const out = await create('web');
  expect(out.fargateProfile?.subnets).toEqual(DEFAULT_PRIVATE_SUBNETS);
});

test('CREATING becomes ACTIVE exactly after createDelayMs, and the timeline records when', async () => {
  await create('web');
  advance(299);
  expect(await statusOf('web')).toBe('CREATING');
  advance(1);
  expect(await statusOf('web')).toBe('ACTIVE');
  advance(5_000); // observed late; the recorded moment is still the scheduled one
  expect(fx.emulator.timeline('demo', 'web')).toMatchObject({ createRequestedAt: 1_700_000_000_000, activeAt: 1_700_000_000_300 });
});

test('DELETING disappears after deleteDelayMs and then describe says ResourceNotFoundException', async () => {
  await create('web');
  advance(300);
  const deleted = await fx.eks.send(new DeleteFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'web' }));
  expect(deleted.fargateProfile?.status).toBe('DELETING');
  advance(499);
  expect(await statusOf('web')).toBe('DELETING');
  advance(1);
  const err = await statusOf('web').catch((e) => e);
  expect(err).toBeInstanceOf(ResourceNotFoundException);
  expect(err.message).toBe('No Fargate Profile found with name: web.');
  expect(fx.emulator.timeline('demo', 'web')).toMatchObject({ deleteRequestedAt: 1_700_000_000_300, goneAt: 1_700_000_000_800 });
});

test('per-profile delays override the emulator defaults', async () => {
  fx.emulator.setProfileDelays('slow', { createDelayMs: 1_000 });
  await create('slow');
  advance(300);
  expect(await statusOf('slow')).toBe('CREATING');
  advance(700);
  expect(await statusOf('slow')).toBe('ACTIVE');
});

test('unknown cluster and unknown profile raise ResourceNotFoundException', async () => {
  const noCluster = await fx.eks.send(new DescribeFargateProfileCommand({ clusterName: 'nope', fargateProfileName: 'x' })).catch((e) => e);
  expect(noCluster).toBeInstanceOf(ResourceNotFoundException);
  expect(noCluster.name).toBe('ResourceNotFoundException');
  expect(noCluster.message).toBe('No cluster found for name: nope.');
  expect(noCluster.clusterName).toBe('nope');
  expect(noCluster.$metadata.httpStatusCode).toBe(404);

  const createInUnknown = await fx.eks.send(new CreateFargateProfileCommand({
    clusterName: 'nope', fargateProfileName: 'x', podExecutionRoleArn: ROLE, selectors: [{ namespace: 'a' }],
  })).catch((e) => e);
  expect(createInUnknown).toBeInstanceOf(ResourceNotFoundException);

  const deleteUnknown = await fx.eks.send(new DeleteFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'x' })).catch((e) => e);
  expect(deleteUnknown).toBeInstanceOf(ResourceNotFoundException);
  expect(deleteUnknown.fargateProfileName).toBe('x');
});

test('list pages with maxResults and nextToken and includes every status', async () => {
  for (const name of ['a', 'b', 'c']) {
    await create(name);
    advance(300);
  }
  await fx.eks.send(new DeleteFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'b' }));

  const first = await fx.eks.send(new ListFargateProfilesCommand({ clusterName: 'demo', maxResults: 2 }));
  expect(first.fargateProfileNames).toEqual(['a', 'b']);
  expect(first.nextToken).toEqual(expect.any(String));
  const second = await fx.eks.send(new ListFargateProfilesCommand({ clusterName: 'demo', maxResults: 2, nextToken: first.nextToken }));
  expect(second.fargateProfileNames).toEqual(['c']);
  expect(second.nextToken).toBeUndefined();
});

test('tags: tag, untag and list by profile ARN; unknown ARN is NotFoundException', async () => {
  const arn = (await create('web', { tags: { a: '1' } })).fargateProfile!.fargateProfileArn!;
  await fx.eks.send(new TagResourceCommand({ resourceArn: arn, tags: { b: '2', c: '3' } }));
  await fx.eks.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a', 'c'] }));
  const listed = await fx.eks.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  expect(listed.tags).toEqual({ b: '2' });
  expect(fx.emulator.describe('demo', 'web')?.tags).toEqual({ b: '2' });

  const unknown = await fx.eks.send(new ListTagsForResourceCommand({ resourceArn: arn.replace(/[0-9a-f]{12}$/, '000000000000') })).catch((e) => e);
  expect(unknown).toBeInstanceOf(NotFoundException);
  const malformed = await fx.eks.send(new TagResourceCommand({ resourceArn: 'not-an-arn', tags: { a: 'b' } })).catch((e) => e);
  expect(malformed).toBeInstanceOf(BadRequestException);
});

test('describe cluster returns the registered cluster', async () => {
  const out = await fx.eks.send(new DescribeClusterCommand({ name: 'demo' }));
  expect(out.cluster).toMatchObject({ name: 'demo', status: 'ACTIVE', arn: 'arn:aws:eks:us-east-1:123456789012:cluster/demo' });
});

test('useInProcessEnv points a default-configured client at the emulator and restores the environment', async () => {
  const before = process.env.AWS_ENDPOINT_URL_EKS;
  const restore = fx.emulator.useInProcessEnv();
  const fromEnv = new EKSClient({ maxAttempts: 1 });
  try {
    await create('web');
    const out = await fromEnv.send(new DescribeFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'web' }));
    expect(out.fargateProfile?.fargateProfileName).toBe('web');
  } finally {
    fromEnv.destroy();
    restore();
  }
  expect(process.env.AWS_ENDPOINT_URL_EKS).toBe(before);
});

test('real clock: transitions happen with wall time and stop() leaves no handles', async () => {
  await withOwnEmulator({ createDelayMs: 40, deleteDelayMs: 40 }, 'c', async (_, client) => {
    await client.send(new CreateFargateProfileCommand({
      clusterName: 'c', fargateProfileName: 'p', podExecutionRoleArn: ROLE, selectors: [{ namespace: 'a' }],
    }));
    await new Promise((r) => setTimeout(r, 60));
    const out = await client.send(new DescribeFargateProfileCommand({ clusterName: 'c', fargateProfileName: 'p' }));
    expect(out.fargateProfile?.status).toBe('ACTIVE');
  });
});
