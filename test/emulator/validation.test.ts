// Request validation: each rule raises the SDK's InvalidParameterException (or the tagging API's
// BadRequestException) with a message naming what was wrong, and nothing is created.
import {
  BadRequestException,
  CreateFargateProfileCommand,
  CreateFargateProfileCommandInput,
  EKSClient,
  InvalidParameterException,
  ListFargateProfilesCommand,
  TagResourceCommand,
} from '@aws-sdk/client-eks';
import { EksEmulator } from '../support/eks-emulator';

const ROLE = 'arn:aws:iam::123456789012:role/pod-execution';

let emulator: EksEmulator;
let eks: EKSClient;

beforeAll(async () => {
  emulator = await EksEmulator.start({ createDelayMs: 0, deleteDelayMs: 0 });
  emulator.addCluster('demo');
  emulator.markSubnetPublic('subnet-pub');
  eks = new EKSClient({ ...emulator.clientConfig(), maxAttempts: 1 });
});

afterAll(async () => {
  eks.destroy();
  await emulator.stop();
});

function input(extra: Partial<CreateFargateProfileCommandInput>): CreateFargateProfileCommandInput {
  return { clusterName: 'demo', fargateProfileName: 'web', podExecutionRoleArn: ROLE, selectors: [{ namespace: 'default' }], ...extra };
}

const selector = (i: number) => ({ namespace: `ns${i}` });
const labels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));

test.each<[string, Partial<CreateFargateProfileCommandInput>, string]>([
  ['more than 5 selectors', { selectors: [1, 2, 3, 4, 5, 6].map(selector) }, 'Fargate Profile can have at most 5 selectors; got 6.'],
  ['no selectors', { selectors: [] }, 'Fargate Profile must have at least one selector.'],
  ['a selector without namespace', { selectors: [{ namespace: 'a' }, { labels: { a: 'b' } } as never] }, 'Fargate Profile selector 2 must have a namespace.'],
  ['a selector with an empty namespace', { selectors: [{ namespace: '' }] }, 'Fargate Profile selector 1 must have a namespace.'],
  ['more than 5 labels', { selectors: [{ namespace: 'a', labels: labels(6) }] }, 'Fargate Profile selector 1 can have at most 5 labels; got 6.'],
  ['a name over 100 characters', { fargateProfileName: 'x'.repeat(101) }, 'The Fargate profile name parameter should not be greater than 100 characters.'],
  ['the reserved eks- prefix', { fargateProfileName: 'eks-web' }, "The fargate profile name starts with the reserved prefix: 'eks-'."],
  ['a name with invalid characters', { fargateProfileName: 'web.app' }, "Fargate Profile name 'web.app' must start with a letter or digit and contain only letters, digits, '-' and '_'."],
  ['a public subnet', { subnets: ['subnet-priv', 'subnet-pub'] }, 'Subnet subnet-pub provided in Fargate Profile is not a private subnet'],
  ['a role that is not an IAM role ARN', { podExecutionRoleArn: 'arn:aws:iam::123456789012:user/bob' }, "podExecutionRoleArn 'arn:aws:iam::123456789012:user/bob' is not an IAM role ARN."],
  ['a reserved aws: tag', { tags: { 'aws:cloudformation:stack-name': 's' } }, "Tag keys starting with 'aws:' are reserved: 'aws:cloudformation:stack-name'."],
])('%s is InvalidParameterException', async (_, extra, message) => {
  const err = await eks.send(new CreateFargateProfileCommand(input(extra))).catch((e) => e);
  expect(err).toBeInstanceOf(InvalidParameterException);
  expect(err.name).toBe('InvalidParameterException');
  expect(err.$metadata.httpStatusCode).toBe(400);
  expect(err.message).toBe(message);
  expect(emulator.profiles('demo')).toEqual([]);
});

test('exactly 5 selectors with 5 labels each and a 100-character name are accepted', async () => {
  const name = 'n'.repeat(100);
  const out = await eks.send(new CreateFargateProfileCommand(input({
    fargateProfileName: name,
    selectors: [1, 2, 3, 4, 5].map((i) => ({ namespace: `ns${i}`, labels: labels(5) })),
  })));
  expect(out.fargateProfile?.selectors).toHaveLength(5);
  emulator.deleteProfileOutOfBand('demo', name);
});

test('maxResults outside 1..100 is InvalidParameterException', async () => {
  for (const maxResults of [0, 101]) {
    const err = await eks.send(new ListFargateProfilesCommand({ clusterName: 'demo', maxResults })).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toBe(`maxResults must be an integer between 1 and 100; got '${maxResults}'.`);
  }
});

test('a forged nextToken is InvalidParameterException', async () => {
  const err = await eks.send(new ListFargateProfilesCommand({ clusterName: 'demo', nextToken: 'garbage' })).catch((e) => e);
  expect(err).toBeInstanceOf(InvalidParameterException);
  expect(err.message).toBe('The nextToken is invalid.');
});

test('tagging with a reserved aws: key is BadRequestException and leaves the tags alone', async () => {
  const out = await eks.send(new CreateFargateProfileCommand(input({ fargateProfileName: 'tagged', tags: { a: '1' } })));
  const err = await eks.send(new TagResourceCommand({ resourceArn: out.fargateProfile!.fargateProfileArn!, tags: { 'aws:x': 'y' } }))
    .catch((e) => e);
  expect(err).toBeInstanceOf(BadRequestException);
  expect(emulator.describe('demo', 'tagged')?.tags).toEqual({ a: '1' });
});
