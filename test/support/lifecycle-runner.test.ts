// Tests of the lifecycle runner itself, with a scripted in-memory handler (the scenarios
// under test/scenarios run the real bundle against the EKS emulator).
import { CfnTemplate, LifecycleRunner } from './lifecycle-runner';
import { CREATE_FAILED_PHYSICAL_ID_MARKER, UserHandler } from './provider-framework';
import { FARGATE_PROFILE_RESOURCE_TYPE as TYPE } from '../../src/wire-contract';

const TOKEN = { 'Fn::GetAtt': ['ProviderOnEvent', 'Arn'] };

/** A profile-like resource: becomes ready `readyAfter` isComplete calls after onEvent. */
class ScriptedHandler implements UserHandler {
  public readonly live = new Map<string, Record<string, unknown>>();
  public readonly log: string[] = [];
  public failCreate = new Set<string>(); // logical ids whose create fails in isComplete
  public throwOnEvent = new Set<string>(); // logical ids whose onEvent throws (any request type)
  public neverComplete = new Set<string>();
  public concurrent = 0;
  public maxConcurrent = 0;
  private counter = 0;

  public async onEvent(event: any): Promise<any> {
    this.log.push(`${event.RequestType} ${event.LogicalResourceId} ${event.PhysicalResourceId ?? ''}`.trim());
    if (this.throwOnEvent.has(event.LogicalResourceId)) throw new Error(`boom on ${event.LogicalResourceId}`);
    const props = event.ResourceProperties;
    switch (event.RequestType) {
      case 'Create': {
        const name = `${event.LogicalResourceId}-${++this.counter}`;
        this.live.set(name, props);
        return { PhysicalResourceId: name, Data: { Started: 'yes' } };
      }
      case 'Update': {
        if (props.Selector !== event.OldResourceProperties.Selector) {
          const name = `${event.LogicalResourceId}-${++this.counter}`;
          this.live.set(name, props);
          return { PhysicalResourceId: name };
        }
        this.live.set(event.PhysicalResourceId, props);
        return { PhysicalResourceId: event.PhysicalResourceId };
      }
      default:
        this.live.delete(event.PhysicalResourceId);
        return { PhysicalResourceId: event.PhysicalResourceId };
    }
  }

  public async isComplete(event: any, context: any): Promise<any> {
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    await new Promise(r => setTimeout(r, 20));
    this.concurrent--;
    if (typeof context?.getRemainingTimeInMillis() !== 'number') throw new Error('no context');
    if (event.Data?.Started !== undefined && event.RequestType !== 'Create') throw new Error('Data leaked');
    if (this.neverComplete.has(event.LogicalResourceId) && event.RequestType === 'Create') return { IsComplete: false };
    if (event.RequestType === 'Create' && this.failCreate.has(event.LogicalResourceId)) {
      throw new Error(`profile ${event.PhysicalResourceId} went CREATE_FAILED`);
    }
    if (event.RequestType === 'Delete') return { IsComplete: true };
    return { IsComplete: true, Data: { Arn: `arn:test:${event.PhysicalResourceId}` } };
  }
}

function profile(selector: string, extra: Record<string, unknown> = {}, dependsOn?: string[]): any {
  return {
    Type: TYPE,
    Properties: {
      ServiceToken: TOKEN,
      ClusterName: 'demo',
      PodExecutionRoleArn: { 'Fn::GetAtt': ['PodRole', 'Arn'] },
      Subnets: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }],
      Selector: selector,
      ...extra,
    },
    ...(dependsOn ? { DependsOn: dependsOn } : {}),
  };
}

function template(resources: Record<string, any>): CfnTemplate {
  return {
    Resources: {
      PodRole: { Type: 'AWS::IAM::Role', Properties: {} },
      SubnetA: { Type: 'AWS::EC2::Subnet', Properties: {} },
      SubnetB: { Type: 'AWS::EC2::Subnet', Properties: {} },
      ProviderOnEvent: { Type: 'AWS::Lambda::Function', Properties: {} },
      ...resources,
    },
  };
}

function newRunner(handler: UserHandler, timing = {}) {
  return new LifecycleRunner({ handler, timing: { queryIntervalMs: 10, totalTimeoutMs: 2_000, ...timing } });
}

test('creates in dependency order, resolves intrinsics, and deletes in reverse order', async () => {
  const handler = new ScriptedHandler();
  const runner = newRunner(handler);
  const report = await runner.deploy(template({
    A: profile('a'),
    B: profile('b', { Note: { 'Fn::Join': ['/', [{ Ref: 'A' }, { 'Fn::GetAtt': ['A', 'Arn'] }]] }, Count: 3 }),
    C: profile('c', { Name: { 'Fn::Sub': '${AWS::StackName}-${B}-${!Literal}' } }, ['B']),
  }));

  expect(report.stackStatus).toBe('CREATE_COMPLETE');
  const b = runner.resources.get('B')!;
  expect(b.properties).toMatchObject({
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:ProviderOnEvent',
    PodExecutionRoleArn: 'arn:aws:iam::123456789012:role/PodRole',
    Subnets: ['subnet-subneta', 'subnet-subnetb'],
    Note: `${runner.physicalId('A')}/arn:test:${runner.physicalId('A')}`,
    Count: '3', // custom resources receive strings
  });
  // The framework merges onEvent's Data with isComplete's Data.
  expect(b.attributes).toEqual({ Started: 'yes', Arn: `arn:test:${runner.physicalId('B')}` });
  expect(runner.resources.get('C')!.properties!.Name).toBe(`TestStack-${runner.physicalId('B')}-\${Literal}`);
  expect(handler.log).toEqual(['Create A', 'Create B', 'Create C']);

  const request = report.calls[0].request;
  expect(request).toMatchObject({ RequestType: 'Create', LogicalResourceId: 'A', ResourceType: TYPE, StackId: runner.stackId });
  expect(new Set(report.calls.map(c => c.request.RequestId)).size).toBe(3);

  const destroy = await runner.destroy();
  expect(destroy.stackStatus).toBe('DELETE_COMPLETE');
  expect(handler.log.slice(3)).toEqual([
    `Delete C ${b.physicalId.replace('B', 'C').replace(/\d+$/, '3')}`,
    `Delete B ${b.physicalId}`,
    'Delete A A-1',
  ]);
  expect(handler.live.size).toBe(0);
});

test('runs independent resources in parallel', async () => {
  const handler = new ScriptedHandler();
  const report = await newRunner(handler).deploy(template({ A: profile('a'), B: profile('b'), C: profile('c') }));
  expect(report.stackStatus).toBe('CREATE_COMPLETE');
  expect(handler.maxConcurrent).toBe(3);
});

test('an update keeps in-place ids, and replaced ids are deleted in a parallel cleanup after all updates', async () => {
  const handler = new ScriptedHandler();
  const runner = newRunner(handler);
  await runner.deploy(template({ A: profile('a'), B: profile('b'), C: profile('c', {}, ['A', 'B']) }));
  const [a, b, c] = ['A', 'B', 'C'].map(id => runner.physicalId(id));
  handler.log.length = 0;

  const report = await runner.deploy(template({ A: profile('a2'), B: profile('b2'), C: profile('c', { Tag: 'x' }, ['A', 'B']) }));

  expect(report.stackStatus).toBe('UPDATE_COMPLETE');
  expect(runner.physicalId('C')).toBe(c);
  expect(runner.physicalId('A')).not.toBe(a);
  expect(runner.physicalId('B')).not.toBe(b);
  const updateA = report.calls.find(x => x.request.LogicalResourceId === 'A' && x.request.RequestType === 'Update')!;
  expect(updateA.request.OldResourceProperties).toMatchObject({ Selector: 'a' });
  expect(updateA.request.ResourceProperties).toMatchObject({ Selector: 'a2' });
  // Cleanup deletes come after every update, and both run at the same time.
  const deletes = report.calls.filter(x => x.request.RequestType === 'Delete');
  expect(deletes.map(d => d.request.PhysicalResourceId).sort()).toEqual([a, b].sort());
  expect(deletes.every(d => d.phase === 'cleanup')).toBe(true);
  const lastUpdateEnd = Math.max(...report.calls.filter(x => x.request.RequestType === 'Update').map(x => x.endMs));
  expect(Math.min(...deletes.map(d => d.startMs))).toBeGreaterThanOrEqual(lastUpdateEnd);
  expect(deletes[0].startMs).toBeLessThan(deletes[1].endMs);
  expect(deletes[1].startMs).toBeLessThan(deletes[0].endMs);
  expect([...handler.live.keys()].sort()).toEqual([runner.physicalId('A'), runner.physicalId('B'), c].sort());
});

test('a failed create rolls back: the failed resource (with its physical id) and the created ones are deleted', async () => {
  const handler = new ScriptedHandler();
  handler.failCreate.add('B');
  const runner = newRunner(handler);
  const report = await runner.deploy(template({ A: profile('a'), B: profile('b', {}, ['A']), C: profile('c', {}, ['B']) }));

  expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
  expect(report.failureReason).toContain('B: Received response status [FAILED] from custom resource. Message returned: profile B-2 went CREATE_FAILED');
  expect(report.failureReason).toContain('Logs: /aws/lambda/');
  expect(handler.log).toEqual(['Create A', 'Create B', 'Delete B B-2', 'Delete A A-1']);
  expect(handler.live.size).toBe(0);
  await expect(runner.deploy(template({}))).rejects.toThrow(/ROLLBACK_COMPLETE state and can not be updated/);
});

test('a create whose onEvent throws reports the CREATE_FAILED marker, and its DELETE never reaches the handler', async () => {
  const handler = new ScriptedHandler();
  handler.throwOnEvent.add('B');
  const runner = newRunner(handler);
  const report = await runner.deploy(template({ A: profile('a'), B: profile('b', {}, ['A']) }));

  expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
  const deleteB = report.calls.find(x => x.request.LogicalResourceId === 'B' && x.request.RequestType === 'Delete')!;
  expect(deleteB.request.PhysicalResourceId).toBe(CREATE_FAILED_PHYSICAL_ID_MARKER);
  expect(deleteB.response).toMatchObject({ Status: 'SUCCESS', userHandlerInvoked: false });
  expect(handler.log).toEqual(['Create A', 'Create B', 'Delete A A-1']);
});

test('a failed update rolls back: in-place resources get the old properties, replacements are deleted', async () => {
  const handler = new ScriptedHandler();
  const runner = newRunner(handler);
  await runner.deploy(template({ A: profile('a'), B: profile('b', {}, ['A']), C: profile('c', {}, ['B']) }));
  handler.log.length = 0;
  handler.throwOnEvent.add('C');

  const report = await runner.deploy(template({
    A: profile('a2'), B: profile('b', { Tag: 'new' }, ['A']), C: profile('c', { Tag: 'new' }, ['B']), D: profile('d'),
  }));

  expect(report.stackStatus).toBe('UPDATE_ROLLBACK_FAILED'); // C throws on its rollback update too
  handler.throwOnEvent.clear();
  expect(report.failureReason).toContain('C: Received response status [FAILED]');
  expect(report.failureReason).toContain('boom on C');

  // Second attempt where the rollback succeeds.
  const handler2 = new ScriptedHandler();
  const runner2 = newRunner(handler2);
  await runner2.deploy(template({ A: profile('a'), B: profile('b', {}, ['A']), C: profile('c', {}, ['B']) }));
  const [a2, b2, c2] = ['A', 'B', 'C'].map(id => runner2.physicalId(id));
  handler2.failCreate.add('D');
  handler2.log.length = 0;
  const report2 = await runner2.deploy(template({
    A: profile('a2'), B: profile('b', { Tag: 'new' }, ['A']), C: profile('c', {}, ['B']), D: profile('d', {}, ['B']),
  }));
  expect(report2.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(['A', 'B', 'C'].map(id => runner2.physicalId(id))).toEqual([a2, b2, c2]);
  expect(runner2.resources.has('D')).toBe(false);
  const newA = handler2.log.find(l => l.startsWith('Delete A'))!.split(' ')[2];
  expect(handler2.log).toEqual([
    `Update A ${a2}`, `Update B ${b2}`, 'Create D',
    `Update B ${b2}`, // rollback of the in-place update, to the old properties
    expect.stringMatching(/^Delete (A|D) /), expect.stringMatching(/^Delete (A|D) /),
  ]);
  expect(newA).not.toBe(a2);
  const rollbackB = report2.calls.filter(x => x.request.LogicalResourceId === 'B')[1];
  expect(rollbackB.phase).toBe('rollback');
  expect(rollbackB.request.ResourceProperties).not.toHaveProperty('Tag');
  expect(rollbackB.request.OldResourceProperties).toMatchObject({ Tag: 'new' });
  expect([...handler2.live.keys()].sort()).toEqual([a2, b2, c2].sort());
  expect(handler2.live.get(b2)).not.toHaveProperty('Tag');
});

test('the waiter gives up after totalTimeout with the framework message', async () => {
  const handler = new ScriptedHandler();
  handler.neverComplete.add('A');
  const report = await newRunner(handler, { queryIntervalMs: 10, totalTimeoutMs: 50 }).deploy(template({ A: profile('a') }));
  expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
  expect(report.failureReason).toBe('A: Received response status [FAILED] from custom resource. Message returned: Operation timed out');
  const create = report.calls[0];
  expect(create.response.isCompleteCalls).toBe(6); // right away + 50 / 10 retries
  // The timed-out create still had a physical id, so the rollback deletes it.
  expect(handler.log).toEqual(['Create A', 'Delete A A-1']);
});

test('a user function that exceeds its Lambda timeout fails like Lambda does', async () => {
  const slow: UserHandler = {
    onEvent: async () => ({ PhysicalResourceId: 'p' }),
    isComplete: () => new Promise(r => setTimeout(() => r({ IsComplete: true }), 200)),
  };
  const report = await newRunner(slow, { isCompleteTimeoutMs: 30 }).deploy(template({ A: profile('a') }));
  expect(report.failureReason).toContain('Task timed out after 0.03 seconds');
});

test('a template error names the resource and the location', async () => {
  const report = await newRunner(new ScriptedHandler()).deploy(template({ A: profile('a', { X: { 'Fn::ImportValue': 'x' } }) }));
  expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
  expect(report.failureReason).toBe('A: A.Properties.X.Fn::ImportValue: intrinsic function Fn::ImportValue is not supported by the lifecycle runner');
});

test('resolves Select/Split/If/NoValue/Sub variables, skips resources whose condition is false, stringifies scalars', async () => {
  const handler = new ScriptedHandler();
  const runner = newRunner(handler);
  const report = await runner.deploy({
    ...template({
      A: profile('a', {
        Second: { 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y,z'] }] },
        Maybe: { 'Fn::If': ['IsProd', 'prod', { Ref: 'AWS::NoValue' }] },
        List: ['keep', { 'Fn::If': ['IsProd', 'prod', { Ref: 'AWS::NoValue' }] }],
        Vars: { 'Fn::Sub': ['${Greeting}-${AWS::Region}-${SubnetA}', { Greeting: { Ref: 'Stage' } }] },
        Flag: true,
      }),
    }),
    Parameters: { Stage: { Type: 'String', Default: 'dev' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  });
  expect(report.stackStatus).toBe('CREATE_COMPLETE');
  const props = runner.resources.get('A')!.properties!;
  expect(props.Second).toBe('y');
  expect(props).not.toHaveProperty('Maybe');
  expect(props.List).toEqual(['keep']);
  expect(props.Vars).toBe('dev-us-east-1-subnet-subneta');
  expect(props.Flag).toBe('true');

  const conditional = template({ A: profile('a'), B: { ...profile('b'), Condition: 'IsProd' } });
  const runner2 = newRunner(new ScriptedHandler());
  const report2 = await runner2.deploy({
    ...conditional,
    Parameters: { Stage: { Type: 'String', Default: 'dev' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  });
  expect(report2.stackStatus).toBe('CREATE_COMPLETE');
  expect(runner2.resources.has('B')).toBe(false);
  expect(runner2.resources.has('A')).toBe(true);
});

test('framework rules: Data with IsComplete false fails; a Delete may not change the physical id', async () => {
  const dataTooEarly: UserHandler = {
    onEvent: async () => ({ PhysicalResourceId: 'p' }),
    isComplete: async () => ({ IsComplete: false, Data: { Arn: 'x' } }),
  };
  const report = await newRunner(dataTooEarly).deploy(template({ A: profile('a') }));
  expect(report.failureReason).toContain('Message returned: "Data" is not allowed if "IsComplete" is "False"');

  const renamesOnDelete: UserHandler = {
    onEvent: async (e: any) => ({ PhysicalResourceId: e.RequestType === 'Delete' ? 'other' : 'p' }),
    isComplete: async () => ({ IsComplete: true, Data: { Arn: 'arn' } }),
  };
  const runner = newRunner(renamesOnDelete);
  await runner.deploy(template({ A: profile('a') }));
  const deleted = await runner.destroy();
  expect(deleted.stackStatus).toBe('DELETE_FAILED');
  expect(deleted.failureReason).toContain('DELETE: cannot change the physical resource ID from "p" to "other" during deletion');
});

test('a GetAtt of an attribute the provider did not return fails the referencing resource', async () => {
  const noArn: UserHandler = {
    onEvent: async () => ({ PhysicalResourceId: 'p' }),
    isComplete: async () => ({ IsComplete: true }),
  };
  const report = await newRunner(noArn).deploy(template({
    A: profile('a'),
    B: profile('b', { Parent: { 'Fn::GetAtt': ['A', 'Arn'] } }),
  }));
  expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
  expect(report.failureReason).toBe(
    "B: B.Properties.Parent.Fn::GetAtt: CustomResource attribute error: Vendor response doesn't contain Arn key in object A");
});

describe('callerPolicies: the handler role\'s identity policy goes to the emulator as the stack creates and deletes it', () => {
  const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  const statement = (Action: string, Resource: unknown, extra = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
  const policy = (role: string, statements: unknown[]) =>
    ({ Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: role }], PolicyDocument: { Version: '2012-10-17', Statement: statements } } });
  const clusterArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':cluster/demo']] };
  /** As aws-cdk-lib's Provider writes it: the framework function runs the user function, whose role is the handler's. */
  const stack = (handlerPolicy: unknown[]) => template({
    HandlerRole: {
      Type: 'AWS::IAM::Role',
      Properties: { Policies: [{ PolicyName: 'Logs', PolicyDocument: { Statement: statement('logs:PutLogEvents', '*') } }] },
    },
    HandlerPolicy: policy('HandlerRole', handlerPolicy),
    FrameworkRole: { Type: 'AWS::IAM::Role', Properties: {} },
    FrameworkPolicy: policy('FrameworkRole', [statement('lambda:InvokeFunction', getAtt('UserOnEvent'))]),
    UserOnEvent: {
      Type: 'AWS::Lambda::Function',
      Properties: { Role: getAtt('HandlerRole'), Environment: { Variables: { TEST_HANDLER_ROLE: getAtt('HandlerRole') } } },
      DependsOn: ['HandlerPolicy'],
    },
    ProviderOnEvent: {
      Type: 'AWS::Lambda::Function',
      Properties: { Role: getAtt('FrameworkRole'), Environment: { Variables: { USER_ON_EVENT_FUNCTION_ARN: getAtt('UserOnEvent') } } },
      DependsOn: ['FrameworkPolicy'],
    },
    A: profile('a', {}, ['HandlerPolicy']),
  });
  const CALLER = 'arn:aws:sts::123456789012:assumed-role/HandlerRole/UserOnEvent';

  function recordingRunner(handler: ScriptedHandler) {
    const policies = new Map<string, any>();
    const callerPolicies = {
      addCallerPolicy: (id: string, p: any) => { handler.log.push(`add ${id.split('/').slice(-2).join('/')}`); policies.set(id, p); },
      removeCallerPolicy: (id: string) => { handler.log.push(`remove ${id.split('/').slice(-2).join('/')}`); policies.delete(id); },
    };
    const runner = new LifecycleRunner({ handler, timing: { queryIntervalMs: 10, totalTimeoutMs: 2_000 }, callerPolicies });
    return { runner, policies: () => [...policies.values()] };
  }

  test('installed resolved, under the role\'s session, before the profiles; removed after them', async () => {
    const handler = new ScriptedHandler();
    const { runner, policies } = recordingRunner(handler);
    const passRole = statement('iam:PassRole', getAtt('PodRole'), { Condition: { StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } } });

    expect((await runner.deploy(stack([statement('eks:CreateFargateProfile', clusterArn), passRole]))).stackStatus).toBe('CREATE_COMPLETE');

    expect(handler.log).toEqual(['add HandlerRole/Policies[0]', 'add HandlerPolicy/HandlerRole', 'Create A']);
    expect(policies()).toEqual([
      { callerArn: CALLER, statements: [statement('logs:PutLogEvents', '*')] },
      {
        callerArn: CALLER,
        statements: [
          statement('eks:CreateFargateProfile', 'arn:aws:eks:us-east-1:123456789012:cluster/demo'),
          { ...passRole, Resource: 'arn:aws:iam::123456789012:role/PodRole' },
        ],
      },
    ]);

    // The handler ran with its function's environment from the template, resolved.
    expect(process.env.TEST_HANDLER_ROLE).toBe('arn:aws:iam::123456789012:role/HandlerRole');
    delete process.env.TEST_HANDLER_ROLE;

    expect((await runner.destroy()).stackStatus).toBe('DELETE_COMPLETE');
    expect(handler.log.slice(3)).toEqual([`Delete A ${runner.allCalls[0].response.PhysicalResourceId}`, 'remove HandlerPolicy/HandlerRole', 'remove HandlerRole/Policies[0]']);
    expect(policies()).toEqual([]);
  });

  test('an updated policy replaces the old one before the profiles update', async () => {
    const handler = new ScriptedHandler();
    const { runner, policies } = recordingRunner(handler);
    await runner.deploy(stack([statement('eks:CreateFargateProfile', clusterArn)]));
    handler.log.length = 0;

    const next = stack([statement('eks:*', clusterArn)]);
    next.Resources.A = profile('b', {}, ['HandlerPolicy']);
    expect((await runner.deploy(next)).stackStatus).toBe('UPDATE_COMPLETE');

    expect(handler.log.slice(0, 3)).toEqual(['remove HandlerPolicy/HandlerRole', 'add HandlerPolicy/HandlerRole', expect.stringMatching(/^Update A /)]);
    expect(policies()[1].statements).toEqual([statement('eks:*', 'arn:aws:eks:us-east-1:123456789012:cluster/demo')]);
  });

  test('a policy the emulator cannot evaluate fails its resource, and the stack rolls back', async () => {
    const handler = new ScriptedHandler();
    const { runner, policies } = recordingRunner(handler);
    const report = await runner.deploy(stack([statement('eks:*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01' } } })]));

    expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
    expect(report.failureReason).toBe(
      'HandlerPolicy: HandlerPolicy.Properties.PolicyDocument.Statement[0].Condition: operator DateLessThan is not modelled (StringEquals, StringNotEquals, StringLike, ArnEquals, ArnLike and Null are, ' +
      'the first ones also after ForAllValues: or ForAnyValue:)');
    expect(handler.log).not.toContain('Create A');
    expect(policies()).toEqual([]);
  });
});
