import { HandlerEvent, InvalidEventError, parseEvent } from '../../lambda/event';
import { createEvent, profileProperties, withServiceToken } from '../support/handler-events';

/** Valid delivered properties; `overrides` may be malformed on purpose. */
function props(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...withServiceToken(profileProperties('demo')), ...overrides };
}

/** A valid Create event; `overrides` may be malformed on purpose. */
function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...createEvent(profileProperties('demo'), 'Profile'), ...overrides };
}

/** parseEvent, checked to be of `requestType`, so the test can read that type's fields. */
function parseAs<T extends HandlerEvent['requestType']>(requestType: T, raw: unknown): Extract<HandlerEvent, { requestType: T }> {
  const parsed = parseEvent(raw);
  if (parsed.requestType !== requestType) throw new Error(`expected a ${requestType} event, got ${parsed.requestType}`);
  return parsed as Extract<HandlerEvent, { requestType: T }>;
}

describe('valid events', () => {
  test('canonicalizes selectors, labels, subnets and tags', () => {
    const parsed = parseAs('Create', event({
      ResourceProperties: props({
        FargateProfileName: 'web',
        Selectors: [
          { Namespace: 'b', Labels: [{ Key: 'z', Value: '1' }, { Key: 'a', Value: '2' }] },
          { Namespace: 'a' },
        ],
        Subnets: ['subnet-2', 'subnet-1'],
        Tags: [{ Key: 'y', Value: '' }, { Key: 'x', Value: '1' }],
      }),
    }));
    expect(parsed.requestType).toBe('Create');
    expect(parsed.spec.explicitName).toBe('web');
    expect(parsed.spec.selectors.map(s => [s.namespace, Object.entries(s.labels)])).toEqual([
      ['a', []],
      ['b', [['a', '2'], ['z', '1']]],
    ]);
    expect(parsed.spec.subnets).toEqual(['subnet-1', 'subnet-2']);
    expect(Object.entries(parsed.spec.tags)).toEqual([['x', '1'], ['y', '']]);
  });

  test('repeated selectors and subnets are kept once', () => {
    const parsed = parseAs('Create', event({
      ResourceProperties: props({ Selectors: [{ Namespace: 'a' }, { Namespace: 'a', Labels: [] }], Subnets: ['subnet-1', 'subnet-1'] }),
    }));
    expect(parsed.spec.selectors).toHaveLength(1);
    expect(parsed.spec.subnets).toEqual(['subnet-1']);
  });

  test('an empty subnet list means no subnets (EKS picks the private ones)', () => {
    expect(parseAs('Create', event({ ResourceProperties: props({ Subnets: [] }) })).spec.subnets).toBeUndefined();
  });

  test('an empty FargateProfileName means a generated name', () => {
    expect(parseAs('Create', event({ ResourceProperties: props({ FargateProfileName: '' }) })).spec.explicitName).toBeUndefined();
  });

  test('reads WaitDeadline from Data as epoch ms; missing or malformed means no deadline', () => {
    expect(parseEvent(event({ Data: { WaitDeadline: '1700000000000' } })).waitDeadline).toBe(1700000000000);
    expect(parseEvent(event({ Data: {} })).waitDeadline).toBeUndefined();
    expect(parseEvent(event({ Data: { WaitDeadline: 'soon' } })).waitDeadline).toBeUndefined();
    expect(parseEvent(event()).waitDeadline).toBeUndefined();
  });

  test('Update keeps old properties; malformed old properties are reported, not fatal (rollback of a rejected update)', () => {
    const ok = parseAs('Update', event({ RequestType: 'Update', PhysicalResourceId: 'web', OldResourceProperties: props({ ClusterName: 'old' }) }));
    expect(ok.oldSpec?.clusterName).toBe('old');
    const bad = parseAs('Update', event({ RequestType: 'Update', PhysicalResourceId: 'web', OldResourceProperties: props({ Selectors: 'default' }) }));
    expect(bad.oldSpec).toBeUndefined();
    expect(bad.oldSpecError).toMatch(/Invalid OldResourceProperties\.Selectors: expected an array of 1 to 5 selectors/);
  });

  test('Delete needs only a valid ClusterName, so a stricter rule never blocks removing a profile', () => {
    const parsed = parseAs('Delete', event({ RequestType: 'Delete', PhysicalResourceId: 'web', ResourceProperties: props({ Selectors: [] }) }));
    expect(parsed.clusterName).toBe('demo');
    expect(parsed.physicalResourceId).toBe('web');
    // Nothing else is known, so the profile cannot be compared with what this resource created.
    expect(parsed.knownSpec).toBeUndefined();
  });

  test('a Delete of a name is CloudFormation\'s record; a Delete of a pending create\'s id is not (the rollback of a failed create)', () => {
    const recorded = parseAs('Delete', event({ RequestType: 'Delete', PhysicalResourceId: 'web' }));
    expect([recorded.physicalResourceId, recorded.recordedName]).toEqual(['web', true]);
    const pending = parseAs('Delete', event({ RequestType: 'Delete', PhysicalResourceId: 'pending-create:web' }));
    expect([pending.physicalResourceId, pending.recordedName]).toEqual(['web', false]);
  });

  test('isComplete\'s Create carries onEvent\'s pending id, or (from a handler before pending ids) the name itself', () => {
    const pending = parseAs('Create', event({ PhysicalResourceId: 'pending-create:web' }));
    expect([pending.physicalResourceId, pending.pendingId]).toEqual(['web', true]);
    const named = parseAs('Create', event({ PhysicalResourceId: 'web' }));
    expect([named.physicalResourceId, named.pendingId]).toEqual(['web', false]);
    const fresh = parseAs('Create', event());
    expect([fresh.physicalResourceId, fresh.pendingId]).toEqual([undefined, false]);
  });

  test('isComplete\'s Update carries a replacement\'s pending id, or the name of the profile kept', () => {
    const update = (physicalId: string) => parseAs('Update', event({ RequestType: 'Update', PhysicalResourceId: physicalId, OldResourceProperties: props() }));
    expect([update('pending-create:web-2').physicalResourceId, update('pending-create:web-2').pendingId]).toEqual(['web-2', true]);
    expect([update('web').physicalResourceId, update('web').pendingId]).toEqual(['web', false]);
  });
});

// event overrides -> message (exact substring)
const malformed: Array<[string, unknown, string]> = [
  ['not an object', 'hello', 'Invalid event: expected a CloudFormation custom resource request object, got the string "hello".'],
  ['null', null, 'expected a CloudFormation custom resource request object, got null.'],
  ['unknown RequestType', event({ RequestType: 'Replace' }), 'RequestType must be "Create", "Update" or "Delete", got the string "Replace".'],
  ['missing RequestType', event({ RequestType: undefined }), 'RequestType must be "Create", "Update" or "Delete", got nothing (the property is missing).'],
  ['missing RequestId', event({ RequestId: undefined }), 'RequestId must be a non-empty string, got nothing (the property is missing).'],
  ['numeric LogicalResourceId', event({ LogicalResourceId: 7 }), 'LogicalResourceId must be a non-empty string, got number 7.'],
  ['no ResourceProperties', event({ ResourceProperties: undefined }), 'Invalid ResourceProperties: expected an object with the Fargate profile properties'],
  ['ResourceProperties is an array', event({ ResourceProperties: [] }), 'Invalid ResourceProperties: expected an object with the Fargate profile properties, got an array of 0 item(s).'],
  ['missing ClusterName', event({ ResourceProperties: props({ ClusterName: undefined }) }), 'ResourceProperties.ClusterName must be a non-empty string'],
  ['ClusterName with a space', event({ ResourceProperties: props({ ClusterName: 'my cluster' }) }), 'Invalid ResourceProperties.ClusterName "my cluster"'],
  ['missing role', event({ ResourceProperties: props({ PodExecutionRoleArn: undefined }) }), 'ResourceProperties.PodExecutionRoleArn must be a non-empty string'],
  ['role that is not an ARN', event({ ResourceProperties: props({ PodExecutionRoleArn: 'pod-role' }) }), 'Invalid ResourceProperties.PodExecutionRoleArn "pod-role": expected an IAM role ARN'],
  ['bad profile name', event({ ResourceProperties: props({ FargateProfileName: '-web' }) }), 'Invalid ResourceProperties.FargateProfileName "-web"'],
  ['numeric profile name', event({ ResourceProperties: props({ FargateProfileName: 5 }) }), 'ResourceProperties.FargateProfileName must be a non-empty string, got number 5.'],
  ['selectors missing', event({ ResourceProperties: props({ Selectors: undefined }) }), 'Invalid ResourceProperties.Selectors: expected an array of 1 to 5 selectors'],
  ['selectors empty', event({ ResourceProperties: props({ Selectors: [] }) }), 'Invalid ResourceProperties.Selectors: expected an array of 1 to 5 selectors ({ Namespace, Labels? }), got an array of 0 item(s).'],
  ['six selectors', event({ ResourceProperties: props({ Selectors: Array.from({ length: 6 }, (_, i) => ({ Namespace: `n${i}` })) }) }),
    'got an array of 6 item(s).'],
  ['selector is a string', event({ ResourceProperties: props({ Selectors: ['default'] }) }), 'Invalid ResourceProperties.Selectors[0]: expected an object { Namespace, Labels? }'],
  ['selector without namespace', event({ ResourceProperties: props({ Selectors: [{ Labels: [] }] }) }), 'ResourceProperties.Selectors[0].Namespace must be a non-empty string'],
  ['labels as a map', event({ ResourceProperties: props({ Selectors: [{ Namespace: 'a', Labels: { k: 'v' } }] }) }),
    'Invalid ResourceProperties.Selectors[0].Labels: expected an array of { Key, Value } objects, got an object.'],
  ['label without key', event({ ResourceProperties: props({ Selectors: [{ Namespace: 'a', Labels: [{ Value: 'v' }] }] }) }),
    'ResourceProperties.Selectors[0].Labels[0].Key must be a non-empty string'],
  ['label with numeric value', event({ ResourceProperties: props({ Selectors: [{ Namespace: 'a', Labels: [{ Key: 'k', Value: 1 }] }] }) }),
    'Invalid ResourceProperties.Selectors[0].Labels[0].Value: expected a string, got number 1.'],
  ['duplicate label key', event({ ResourceProperties: props({ Selectors: [{ Namespace: 'a', Labels: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] }] }) }),
    'Invalid ResourceProperties.Selectors[0].Labels[1]: duplicate key "k".'],
  ['subnets as a string', event({ ResourceProperties: props({ Subnets: 'subnet-1' }) }), 'Invalid ResourceProperties.Subnets: expected an array of subnet ids'],
  ['subnet not a string', event({ ResourceProperties: props({ Subnets: ['subnet-1', 2] }) }), 'ResourceProperties.Subnets[1] must be a non-empty string, got number 2.'],
  ['tags as a map', event({ ResourceProperties: props({ Tags: { a: 'b' } }) }), 'Invalid ResourceProperties.Tags: expected an array of { Key, Value } objects'],
  ['tag item null', event({ ResourceProperties: props({ Tags: [null] }) }), 'Invalid ResourceProperties.Tags[0]: expected an object { Key, Value }, got null.'],
  ['duplicate tag key', event({ ResourceProperties: props({ Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '1' }] }) }),
    'Invalid ResourceProperties.Tags[1]: duplicate key "a".'],
  ['the ownership marker among the tags', event({ ResourceProperties: props({ Tags: [{ Key: 'cdk-eks-fargate-profile:owner', Value: 'theirs' }] }) }),
    'Invalid ResourceProperties.Tags: the key "cdk-eks-fargate-profile:owner" is reserved for the ownership marker the handler sets itself. Remove it from the tags.'],
  ['no StackId', event({ StackId: undefined }), 'Invalid event: StackId must be a non-empty string, got nothing (the property is missing).'],
  ['Update without PhysicalResourceId', event({ RequestType: 'Update', OldResourceProperties: props() }),
    'PhysicalResourceId must be a non-empty string, got nothing (the property is missing).'],
  ['Update with a physical id that is no profile name', event({ RequestType: 'Update', PhysicalResourceId: 'arn:aws:eks:x', OldResourceProperties: props() }),
    'Invalid Update request: PhysicalResourceId "arn:aws:eks:x" cannot be a Fargate profile name'],
  ['Delete with a physical id that is no profile name', event({ RequestType: 'Delete', PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }),
    'Invalid Delete request: PhysicalResourceId "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED" cannot be a Fargate profile name'],
  ['Delete of a pending id without a name', event({ RequestType: 'Delete', PhysicalResourceId: 'pending-create:' }),
    'Invalid Delete request: PhysicalResourceId "pending-create:" (name "") cannot be a Fargate profile name'],
  ['Delete of a pending id whose name is no profile name', event({ RequestType: 'Delete', PhysicalResourceId: 'pending-create:-web' }),
    'Invalid Delete request: PhysicalResourceId "pending-create:-web" (name "-web") cannot be a Fargate profile name'],
  ['Delete without a usable ClusterName', event({ RequestType: 'Delete', PhysicalResourceId: 'web', ResourceProperties: props({ ClusterName: 3 }) }),
    'ResourceProperties.ClusterName must be a non-empty string, got number 3.'],
];

test.each(malformed)('%s -> clear InvalidEventError', (_name, raw, message) => {
  let thrown: unknown;
  try {
    parseEvent(raw);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(InvalidEventError);
  expect((thrown as Error).message).toContain(message);
});

test('a very long bad value is truncated in the message', () => {
  const long = 'x '.repeat(500);
  expect(() => parseEvent(event({ ResourceProperties: props({ ClusterName: long }) }))).toThrow(/"(x ){60}\.\.\."/);
});

test('prototype-looking tag and label keys are plain keys', () => {
  const parsed = parseAs('Create', event({
    ResourceProperties: props({
      Selectors: [{ Namespace: 'a', Labels: [{ Key: '__proto__', Value: 'x' }] }],
      Tags: [{ Key: 'constructor', Value: 'c' }, { Key: '__proto__', Value: 'p' }],
    }),
  }));
  expect(Object.keys(parsed.spec.tags)).toEqual(['__proto__', 'constructor']);
  expect(parsed.spec.tags.__proto__).toBe('p');
  expect(Object.keys(parsed.spec.selectors[0].labels)).toEqual(['__proto__']);
});
