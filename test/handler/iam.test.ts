// IAM at deploy time, end to end through the real AWS SDK over HTTP against the EKS emulator with
// authorization on: a refusal is waited on while IAM may still be settling (HANDLER_IAM_RETRY_WINDOW_MS
// after the request started), then the resource fails at once with what to fix, long before the
// wait deadline. Two refusals: the handler role's own permissions (the emulator evaluates the caller
// policy a test installs, with the checks EKS makes on the caller's behalf), and the pod execution
// role's trust policy (the emulator's IAM propagation window).
import {
  CreateFargateProfileCommand, DeleteFargateProfileCommand, EKSClient, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-eks';
import { isComplete, onEvent } from '../../lambda/index';
import { OWNED_PROFILE_ACTIONS } from '../../src/cluster-profiles';
import { EC2_LOOKUP_ACTIONS } from '../../src/fargate-profile-provider';
import { FargateProfileResourceProperties, OWNER_TAG_KEY } from '../../src/wire-contract';
import { fakeAttribute, fakePhysicalId, ResolveContext, resolveValue } from '../support/cfn-template';
import { CallFilter, IAM_TRUST_POLICY_MESSAGE } from '../support/eks-emulator';
import type { PolicyStatement } from '../support/eks-emulator/iam-policy';
import {
  completeEvent,
  contextWithBudget,
  createEvent,
  deleteEvent,
  ownerTag,
  POD_EXECUTION_ROLE as ROLE,
  profileProperties,
  runToCompletion as run,
  STACK_ID,
  updateEvent,
} from '../support/handler-events';
import { HandlerIdentity } from '../support/handler-identity';
import { useHandlerTestBed } from '../support/handler-test-bed';
import { profileLogicalId, synthProfiles } from '../support/scenario-stacks';

const ACCOUNT = '123456789012';
const HANDLER_ROLE = `arn:aws:iam::${ACCOUNT}:role/Stack-HandlerRole-ABC`;
/** The principal IAM names in a denial: the handler role's session. */
const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/Stack-HandlerRole-ABC/Stack-IsCompleteHandler`;
const FARGATE_SLR = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/eks-fargate.amazonaws.com/AWSServiceRoleForAmazonEKSForFargate`;

/** Short enough that a test sees it close; long compared with the emulator's answers. */
const WINDOW_MS = 600;

const KNOBS = {
  HANDLER_POLL_INTERVAL_MS: '20',
  HANDLER_SAFETY_MARGIN_MS: '50',
  HANDLER_RETRY_BASE_MS: '10',
  HANDLER_WAIT_TIMEOUT_MS: '20000',
  HANDLER_IAM_RETRY_WINDOW_MS: String(WINDOW_MS),
  HANDLER_ROLE_ARN: HANDLER_ROLE,
  AWS_MAX_ATTEMPTS: '1',
};

const bed = useHandlerTestBed({ knobs: KNOBS, clusterPrefix: 'iam-cluster' });

beforeEach(() => {
  bed.emulator.faults.iamPropagationMs = 0;
});

afterEach(() => {
  bed.emulator.clearCallerPolicies();
});

function props(overrides: Partial<FargateProfileResourceProperties> = {}): FargateProfileResourceProperties {
  return profileProperties(bed.cluster, { Tags: [{ Key: 'team', Value: 'a' }], ...overrides });
}

function count(filter: Omit<CallFilter, 'cluster'> = {}): number {
  return bed.emulator.callCount({ cluster: bed.cluster, ...filter });
}

/**
 * What the construct grants the handler role for this test's cluster (src/fargate-profile-provider.ts,
 * src/cluster-profiles.ts), resolved, without the actions in `without`.
 */
function handlerPolicy(without: string[] = []): PolicyStatement[] {
  const keep = (actions: string[]) => actions.filter((a) => !without.includes(a));
  const profiles = `arn:aws:eks:us-east-1:${ACCOUNT}:fargateprofile/${bed.cluster}/*`;
  const ownStack = { [`aws:RequestTag/${OWNER_TAG_KEY}`]: `${STACK_ID}/*` };
  const statements: PolicyStatement[] = [
    {
      Effect: 'Allow',
      Action: keep(['eks:CreateFargateProfile']),
      Resource: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/${bed.cluster}`,
      Condition: { StringLike: ownStack },
    },
    { Effect: 'Allow', Action: keep(['eks:DescribeFargateProfile']), Resource: profiles },
    {
      Effect: 'Allow',
      Action: keep(OWNED_PROFILE_ACTIONS),
      Resource: profiles,
      Condition: {
        'StringLike': { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: `${STACK_ID}/*` },
        'ForAllValues:StringNotEquals': { 'aws:TagKeys': [OWNER_TAG_KEY] },
      },
    },
    {
      Effect: 'Allow',
      Action: keep(['eks:TagResource']),
      Resource: profiles,
      Condition: { Null: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: 'true' }, StringLike: ownStack },
    },
    { Effect: 'Allow', Action: keep(['iam:PassRole']), Resource: ROLE },
    { Effect: 'Allow', Action: keep(EC2_LOOKUP_ACTIONS), Resource: '*' },
    { Effect: 'Allow', Action: keep(['iam:GetRole']), Resource: FARGATE_SLR },
    {
      Effect: 'Allow',
      Action: keep(['iam:CreateServiceLinkedRole']),
      Resource: FARGATE_SLR,
      Condition: { StringEquals: { 'iam:AWSServiceName': 'eks-fargate.amazonaws.com' } },
    },
  ];
  return statements.filter((s) => (s.Action as string[]).length > 0);
}

/** Runs `work` and returns how long it took and what it threw. */
async function timed(work: () => Promise<unknown>): Promise<{ ms: number; error: Error }> {
  const started = Date.now();
  const error = await work().then(() => new Error('expected a failure'), (e: Error) => e);
  return { ms: Date.now() - started, error };
}

describe('the handler role\'s own permissions', () => {
  test('the whole policy the construct grants lets a create, a tag update and a delete through', async () => {
    bed.emulator.setCallerPolicy({ callerArn: CALLER, statements: handlerPolicy() });
    bed.emulator.fargateServiceLinkedRoleExists = false;
    const p = props();
    const { physicalId } = await run(createEvent(p));
    // The first profile of the account: the caller may create the Fargate service-linked role.
    expect(bed.emulator.fargateServiceLinkedRoleExists).toBe(true);
    await run(updateEvent(physicalId, p, props({ Tags: [{ Key: 'team', Value: 'b' }] })));
    expect(bed.emulator.describe(bed.cluster, physicalId)!.tags).toEqual({ team: 'b', ...ownerTag() });
    await run(deleteEvent(physicalId, p));
    expect(bed.emulator.describe(bed.cluster, physicalId)).toBeUndefined();
    // Nothing refused (a describe before the create and after the delete finds no profile).
    expect(bed.emulator.calls.filter((c) => c.cluster === bed.cluster && !['OK', 'ResourceNotFoundException'].includes(c.outcome))).toEqual([]);
  });

  test('a policy that takes effect within the window (IAM propagation): refusals are waited on, the create converges', async () => {
    bed.emulator.setCallerPolicy({ callerArn: CALLER, statements: handlerPolicy(), effectiveAfterMs: WINDOW_MS / 3 });
    const { physicalId } = await run(createEvent(props()));
    expect(bed.emulator.describe(bed.cluster, physicalId)!.status).toBe('ACTIVE');
    expect(count({ outcome: 'AccessDeniedException' })).toBeGreaterThanOrEqual(1);
    expect(bed.logs.some((l) => l.includes('"waitReason":"ACCESS_DENIED"'))).toBe(true);
  });

  test('a permission EKS checks on the caller\'s behalf, still missing after the window: the create fails within seconds, naming it and the role', async () => {
    bed.emulator.setCallerPolicy({ callerArn: CALLER, statements: handlerPolicy(['ec2:DescribeSubnets']) });
    const { ms, error } = await timed(() => run(createEvent(props()), 200));
    expect(error.message).toContain(
      `the handler role ${HANDLER_ROLE} is not allowed ec2:DescribeSubnets (InvalidRequestException: Missing permissions for "ec2:DescribeSubnets")`);
    expect(error.message).toContain(`Grant ec2:DescribeSubnets to ${HANDLER_ROLE}`);
    expect(error.message).toMatch(/explicit deny, a service control policy or a permissions boundary/);
    // The window, then one more poll: nowhere near the 20 s deadline.
    expect(ms).toBeLessThan(WINDOW_MS + 3_000);
    expect(bed.emulator.profiles(bed.cluster)).toEqual([]);
    expect(count({ operation: 'CreateFargateProfile', outcome: 'InvalidRequestException' })).toBeGreaterThanOrEqual(2);
  });

  test('iam:PassRole of the pod execution role missing: IAM\'s AccessDeniedException, with the action named', async () => {
    bed.emulator.setCallerPolicy({ callerArn: CALLER, statements: handlerPolicy(['iam:PassRole']) });
    const { error } = await timed(() => run(createEvent(props()), 200));
    expect(error.message).toContain(`the handler role ${HANDLER_ROLE} is not allowed iam:PassRole (AccessDeniedException: User: ${CALLER} ` +
      `is not authorized to perform: iam:PassRole on resource: ${ROLE}`);
  });

  test('a delete refused after the window fails naming eks:DeleteFargateProfile, and the profile stays', async () => {
    const p = props();
    const { physicalId } = await run(createEvent(p));
    bed.emulator.setCallerPolicy({ callerArn: CALLER, statements: handlerPolicy(['eks:DeleteFargateProfile']) });
    const { ms, error } = await timed(() => run(deleteEvent(physicalId, p), 200));
    expect(error.message).toMatch(new RegExp(`^Failed to delete Fargate profile "${physicalId}" on cluster "${bed.cluster}": ` +
      `the handler role ${HANDLER_ROLE} is not allowed eks:DeleteFargateProfile \\(AccessDeniedException: User: ${CALLER} is not authorized`));
    expect(ms).toBeLessThan(WINDOW_MS + 3_000);
    expect(bed.emulator.describe(bed.cluster, physicalId)!.status).toBe('ACTIVE');
  });

  test('an update that cannot describe its profile after the window fails naming the permission, touching nothing', async () => {
    const p = props();
    const { physicalId } = await run(createEvent(p));
    process.env.HANDLER_IAM_RETRY_WINDOW_MS = '0';
    bed.emulator.setCallerPolicy({ callerArn: CALLER, statements: handlerPolicy(['eks:DescribeFargateProfile']) });
    bed.emulator.clearCalls();
    await expect(onEvent(updateEvent(physicalId, p, props({ Selectors: [{ Namespace: 'other' }] })), contextWithBudget(2000))).rejects.toThrow(
      new RegExp('is not allowed eks:DescribeFargateProfile .* Nothing was changed; retry the update\\.$'));
    expect(bed.emulator.calls.filter((c) => c.cluster === bed.cluster && c.operation !== 'DescribeFargateProfile')).toEqual([]);
  });
});

// The handler policy as the construct synthesizes it (not a copy): a stack's handler may delete, tag
// and untag only profiles marked for that stack, never change a marker, and mark only unmarked ones.
describe('ownership, with the handler policy synthesized from the template', () => {
  const OTHER_STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/2';

  /** The handler role's policies of a stack with one profile on this test's cluster, resolved for {@link STACK_ID}. */
  function synthesized(): { statements: PolicyStatement[]; properties: FargateProfileResourceProperties } {
    const template = synthProfiles([{ id: 'Apps', selectors: [{ namespace: 'default' }] }], bed.cluster, 's');
    const env = { accountId: ACCOUNT, region: 'us-east-1' };
    const ctx: ResolveContext = {
      ...env,
      stackName: 's',
      stackId: STACK_ID,
      template,
      physicalId: (id) => fakePhysicalId(id, template.Resources[id].Type, env),
      attribute: (id, attribute) => fakeAttribute(id, template.Resources[id].Type, attribute, env),
    };
    const statements: PolicyStatement[] = [];
    const identity = new HandlerIdentity(STACK_ID, {
      addCallerPolicy: (_id, policy) => statements.push(...policy.statements),
      removeCallerPolicy: () => {},
    });
    for (const logicalId of Object.keys(template.Resources)) {
      const problem = identity.apply(logicalId, ctx);
      if (problem) throw new Error(problem);
    }
    const { ServiceToken: _token, ...properties } = resolveValue(template.Resources[profileLogicalId(template, 'Apps')].Properties, ctx, 'Apps') as any;
    return { statements, properties };
  }

  const eks = () => new EKSClient(bed.emulator.clientConfig());
  const arnOf = (name: string) => bed.emulator.describe(bed.cluster, name)!.fargateProfileArn;
  const outcome = (work: Promise<unknown>) => work.then(() => 'OK', (e: Error) => e.name);

  /** Before the policy is installed (the emulator cannot tell callers apart): a profile with these tags, made with the SDK. */
  async function made(name: string, role: string, tags?: Record<string, string>): Promise<void> {
    await eks().send(new CreateFargateProfileCommand({
      clusterName: bed.cluster, fargateProfileName: name, podExecutionRoleArn: role, selectors: [{ namespace: 'default' }], tags,
    }));
    while (bed.emulator.describe(bed.cluster, name)!.status !== 'ACTIVE') await new Promise((r) => setTimeout(r, 20));
  }

  test('DeleteFargateProfile is denied on a profile tagged for another stack, and allowed on its own', async () => {
    const { statements, properties } = synthesized();
    await made('theirs', properties.PodExecutionRoleArn, { [OWNER_TAG_KEY]: `${OTHER_STACK_ID}/AppsABCD1234` });
    bed.emulator.setCallerPolicy({ callerArn: CALLER, statements });
    // The handler creates its own profile under this policy (the marker comes with the create) ...
    const { physicalId: mine } = await run(createEvent({ ...properties, FargateProfileName: 'mine' }));
    expect(bed.emulator.describe(bed.cluster, mine)!.tags).toEqual(ownerTag());

    // ... may not delete, untag or re-mark another stack's ...
    expect(await outcome(eks().send(new DeleteFargateProfileCommand({ clusterName: bed.cluster, fargateProfileName: 'theirs' }))))
      .toBe('AccessDeniedException');
    expect(await outcome(eks().send(new UntagResourceCommand({ resourceArn: arnOf('theirs'), tagKeys: [OWNER_TAG_KEY] }))))
      .toBe('AccessDeniedException');
    expect(await outcome(eks().send(new TagResourceCommand({ resourceArn: arnOf('theirs'), tags: { [OWNER_TAG_KEY]: `${STACK_ID}/Apps` } }))))
      .toBe('AccessDeniedException');
    // ... nor remove or change its own marker ...
    expect(await outcome(eks().send(new UntagResourceCommand({ resourceArn: arnOf(mine), tagKeys: [OWNER_TAG_KEY] }))))
      .toBe('AccessDeniedException');
    expect(await outcome(eks().send(new TagResourceCommand({ resourceArn: arnOf(mine), tags: { [OWNER_TAG_KEY]: `${OTHER_STACK_ID}/X` } }))))
      .toBe('AccessDeniedException');
    // ... nor create a profile without its stack's marker.
    expect(await outcome(eks().send(new CreateFargateProfileCommand({
      clusterName: bed.cluster, fargateProfileName: 'unmarked', podExecutionRoleArn: properties.PodExecutionRoleArn, selectors: [{ namespace: 'x' }],
    })))).toBe('AccessDeniedException');

    // Its own: tags change in place, and the delete goes through.
    await run(updateEvent(mine, { ...properties, FargateProfileName: 'mine' }, { ...properties, FargateProfileName: 'mine', Tags: [{ Key: 'team', Value: 'b' }] }));
    expect(bed.emulator.describe(bed.cluster, mine)!.tags).toEqual({ team: 'b', ...ownerTag() });
    await run(deleteEvent(mine, { ...properties, FargateProfileName: 'mine' }));
    expect(bed.emulator.describe(bed.cluster, mine)).toBeUndefined();
    expect(bed.emulator.describe(bed.cluster, 'theirs')!.status).toBe('ACTIVE');
  });

  test('a profile created before markers: the policy lets its own resource mark it, then delete it; an unmarked one cannot be deleted as is', async () => {
    const { statements, properties } = synthesized();
    await made('legacy', properties.PodExecutionRoleArn);
    bed.emulator.setCallerPolicy({ callerArn: CALLER, statements });
    expect(await outcome(eks().send(new DeleteFargateProfileCommand({ clusterName: bed.cluster, fargateProfileName: 'legacy' }))))
      .toBe('AccessDeniedException');
    await run(deleteEvent('legacy', { ...properties, FargateProfileName: 'legacy' }));
    expect(bed.emulator.describe(bed.cluster, 'legacy')).toBeUndefined();
    expect(count({ operation: 'TagResource', outcome: 'OK' })).toBe(1);
  });
});

describe('the pod execution role\'s trust policy', () => {
  test('rejected while the role propagates, within the window: retried until the role works', async () => {
    bed.emulator.faults.iamPropagationMs = WINDOW_MS / 3;
    const { physicalId } = await run(createEvent(props({ PodExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/fresh-role` })));
    expect(bed.emulator.describe(bed.cluster, physicalId)!.status).toBe('ACTIVE');
    expect(count({ operation: 'CreateFargateProfile', outcome: 'InvalidParameterException' })).toBeGreaterThanOrEqual(1);
    expect(bed.logs.some((l) => l.includes('"waitReason":"IAM_PROPAGATION"'))).toBe(true);
  });

  test('still rejected after the window: fails within seconds with the service\'s message and what to fix', async () => {
    bed.emulator.faults.iamPropagationMs = 60_000;
    const role = `arn:aws:iam::${ACCOUNT}:role/never-trusted`;
    const { ms, error } = await timed(() => run(createEvent(props({ PodExecutionRoleArn: role })), 200));
    expect(error.message).toMatch(new RegExp(`^Cannot create Fargate profile ".*" on cluster "${bed.cluster}": EKS rejects its pod execution role ${role} `));
    expect(error.message).toContain(`(InvalidParameterException: ${IAM_TRUST_POLICY_MESSAGE})`);
    expect(error.message).toContain('must allow sts:AssumeRole to the service principal eks-fargate-pods.amazonaws.com');
    expect(error.message).toContain('for an imported role, fix its trust policy');
    expect(ms).toBeLessThan(WINDOW_MS + 3_000);
  });

  test('a window longer than the deadline: the deadline error still says what to fix', async () => {
    bed.emulator.faults.iamPropagationMs = 60_000;
    process.env.HANDLER_WAIT_TIMEOUT_MS = '100';
    process.env.HANDLER_IAM_RETRY_WINDOW_MS = '60000';
    const event = createEvent(props({ PodExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/never-trusted-2` }));
    const result = await onEvent(event);
    await expect(isComplete(completeEvent(event, result), contextWithBudget(2000))).rejects.toThrow(
      /to become ACTIVE: last status NOT_FOUND \(create deferred\), the pod execution role's trust policy was still rejected .*eks-fargate-pods\.amazonaws\.com/);
  });
});
