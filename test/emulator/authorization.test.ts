// The authorization step of the emulator's request pipeline: where it sits (after faults, before
// the input rules and the operation), what an authorizer sees, and how a denial reaches the SDK.
import { EKSServiceException, ThrottlingException } from '@aws-sdk/client-eks';
import { ROLE, useEksEmulator } from './fixture';
import type { CallToAuthorize } from '../support/eks-emulator';

const fx = useEksEmulator();
const { create, describeProfile } = fx;

const DENY = { error: 'AccessDeniedException', message: 'User: handler is not authorized to perform: eks:CreateFargateProfile' };

test('a denial is answered as the service error with HTTP 403, and nothing is created', async () => {
  const seen: CallToAuthorize[] = [];
  fx.emulator.authorizer = (call) => {
    seen.push(call);
    return call.operation === 'CreateFargateProfile' ? DENY : undefined;
  };
  const err = await create('web', { subnets: ['subnet-a'] }).catch((e) => e);
  expect(err).toBeInstanceOf(EKSServiceException);
  expect(err.name).toBe('AccessDeniedException');
  expect(err.message).toBe(DENY.message);
  expect(err.$metadata.httpStatusCode).toBe(403);
  expect(fx.emulator.describe('demo', 'web')).toBeUndefined();
  expect(seen).toEqual([{
    operation: 'CreateFargateProfile',
    cluster: 'demo',
    profile: 'web',
    resourceArn: undefined,
    parameters: expect.objectContaining({ fargateProfileName: 'web', podExecutionRoleArn: ROLE, subnets: ['subnet-a'] }),
  }]);
  // Other operations are allowed.
  await expect(describeProfile('web')).rejects.toThrow('No Fargate Profile found with name: web.');
});

test('authorization comes before the input rules and the lookups: an invalid call to an unknown cluster is denied', async () => {
  fx.emulator.authorizer = () => DENY;
  const err = await create('eks-web', { clusterName: 'nope', selectors: [] }).catch((e) => e);
  expect(err.name).toBe('AccessDeniedException');
  expect(fx.emulator.calls.map((c) => c.outcome)).toEqual(['AccessDeniedException']);
});

test('an injected fault comes before authorization', async () => {
  fx.emulator.authorizer = () => DENY;
  fx.emulator.injectFault({ error: 'ThrottlingException' });
  await expect(describeProfile('x')).rejects.toBeInstanceOf(ThrottlingException);
  await expect(describeProfile('x')).rejects.toMatchObject({ name: 'AccessDeniedException' });
});
