// FargateProfileProvider: created explicitly before a stack's profiles (or by the first of them with the
// defaults); VPC placement of every function, the key of every log group, tracing, sizing, and the
// synth-time errors and warning. The packs' findings are in test/security/compliance.test.ts, IAM in
// test/security/least-privilege.test.ts.
import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FargateProfile, FargateProfileProvider, FargateProfileProviderProps } from '../src';
import { LOGS_KEY_ACTIONS, LOGS_KEY_SID } from '../src/fargate-profile-provider';
import { MISSING_ENDPOINTS_WARNING_ID } from '../src/provider-networking';
import { ENV, importedCluster, logicalIdOf, newStack } from './support/template-helpers';

/** A VPC of the stack with private (NAT), isolated and public subnets. */
function vpcOf(stack: Stack, natGateways = 1): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

function profileIn(stack: Stack, id = 'Profile'): FargateProfile {
  return new FargateProfile(stack, id, { cluster: importedCluster(stack), selectors: [{ namespace: id.toLowerCase() }] });
}

const functionsOf = (stack: Stack) => stack.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
const logGroupsOf = (stack: Stack) => stack.node.findAll().filter((c): c is logs.CfnLogGroup => c instanceof logs.CfnLogGroup);

describe('one provider per stack, created before its profiles', () => {
  test('the profiles of a stack use the explicit provider, and no default one is created', () => {
    const { stack } = newStack();
    const provider = new FargateProfileProvider(stack, 'Provider', { memorySize: 256 });
    const profile = profileIn(stack);
    expect(stack.node.tryFindChild(FargateProfileProvider.ID)).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.hasResourceProperties('Custom::EKSFargateProfile', { ServiceToken: stack.resolve(provider.serviceToken) });
    expect(logicalIdOf(profile)).toBeDefined();
  });

  test('created after a profile of the stack: a synth error naming both paths', () => {
    const { stack } = newStack();
    profileIn(stack, 'First');
    expect(() => new FargateProfileProvider(stack, 'Late'))
      .toThrow('Stack/Late: a FargateProfileProvider must be created before the Fargate profiles of its stack: the profile '
        + 'Stack/First already created the default provider Stack/EksFargateProfileProvider.');
  });

  test('created twice in a stack: a synth error naming both paths', () => {
    const { stack } = newStack();
    new FargateProfileProvider(stack, 'One');
    expect(() => new FargateProfileProvider(stack, 'Two'))
      .toThrow('Stack/Two: the stack already has a FargateProfileProvider, Stack/One; a stack has one provider');
  });

  test('each stack of an app has its own', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: ENV });
    const b = new Stack(app, 'B', { env: ENV });
    new FargateProfileProvider(a, 'Provider');
    profileIn(b);
    expect(b.node.tryFindChild(FargateProfileProvider.ID)).toBeInstanceOf(FargateProfileProvider);
  });
});

describe('compliant defaults', () => {
  const { stack } = newStack();
  profileIn(stack);
  const template = Template.fromStack(stack);

  test('every function has an explicit memory size and active tracing', () => {
    expect(functionsOf(stack).map((fn) => [stack.resolve(fn.memorySize), stack.resolve(fn.tracingConfig)]))
      .toEqual(Array(5).fill([128, { mode: 'Active' }]));
  });

  test('three log groups: one year, retained when the stack is deleted, named per stack instance', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    const groups = template.findResources('AWS::Logs::LogGroup');
    for (const group of Object.values(groups)) {
      expect(group).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { RetentionInDays: 365 } });
      expect(group.Properties.KmsKeyId).toBeUndefined();
      // The stack's own id (not its name alone): a re-created stack never collides with retained groups.
      expect(JSON.stringify(group.Properties.LogGroupName)).toContain('{"Fn::Select":[2,{"Fn::Split":["/",{"Ref":"AWS::StackId"}]}]}');
    }
  });

  test('the waiter state machine logs all events (never execution data) to its log group, and traces', () => {
    const waiterLogs = stack.node.findChild(FargateProfileProvider.ID).node.findChild('WaiterLogs');
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(waiterLogs), 'Arn'] } } }],
        IncludeExecutionData: false,
        Level: sfn.LogLevel.ALL,
      },
      TracingConfiguration: { Enabled: true },
    });
  });

  test('no inline policy anywhere in the stack', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.Policies).toBeUndefined();
  });

  test('no reserved concurrency and no VPC', () => {
    for (const fn of functionsOf(stack)) {
      expect(fn.reservedConcurrentExecutions).toBeUndefined();
      expect(fn.vpcConfig).toBeUndefined();
    }
  });
});

describe('configured', () => {
  test('every function in the chosen private subnets, with the given security groups', () => {
    const { stack } = newStack();
    const vpc = vpcOf(stack);
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    new FargateProfileProvider(stack, 'Provider', { vpc, vpcSubnets: { subnetGroupName: 'private' }, securityGroups: [sg] });
    const subnets = vpc.selectSubnets({ subnetGroupName: 'private' }).subnetIds.map((id) => stack.resolve(id));
    expect(functionsOf(stack).map((fn) => stack.resolve(fn.vpcConfig))).toEqual(Array(5).fill({
      subnetIds: subnets,
      securityGroupIds: [stack.resolve(sg.securityGroupId)],
    }));
  });

  test('public subnets are refused, by type or by group', () => {
    for (const vpcSubnets of [{ subnetType: ec2.SubnetType.PUBLIC }, { subnetGroupName: 'public' }]) {
      const { stack } = newStack();
      expect(() => new FargateProfileProvider(stack, 'Provider', { vpc: vpcOf(stack), vpcSubnets }))
        .toThrow(/^Stack\/Provider: vpcSubnets selects (PUBLIC|public) subnet/);
    }
  });

  test('vpcSubnets or securityGroups without vpc is an error', () => {
    const { stack } = newStack();
    expect(() => new FargateProfileProvider(stack, 'Provider', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))
      .toThrow('Stack/Provider: vpcSubnets requires vpc');
  });

  test.each([[64], [10241], [128.5]])('memorySize %p is refused with Lambda\'s range', (memorySize) => {
    const { stack } = newStack();
    expect(() => new FargateProfileProvider(stack, 'Provider', { memorySize }))
      .toThrow(`Stack/Provider: memorySize is ${memorySize}; Lambda accepts an integer from 128 to 10240 (MiB)`);
  });

  test('reservedConcurrentExecutions 0 is refused: it would stop every deployment', () => {
    const { stack } = newStack();
    expect(() => new FargateProfileProvider(stack, 'Provider', { reservedConcurrentExecutions: 0 }))
      .toThrow('Stack/Provider: reservedConcurrentExecutions is 0');
  });

  test('memory size for the handler\'s two functions; tracing off everywhere, with its permissions', () => {
    const { stack } = newStack();
    new FargateProfileProvider(stack, 'Provider', { memorySize: 512, tracing: false });
    expect(functionsOf(stack).map((fn) => [stack.resolve(fn.memorySize), fn.tracingConfig]))
      .toEqual([[512, undefined], [512, undefined], [128, undefined], [128, undefined], [128, undefined]]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: Match.absent() });
    expect(JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('xray:');
  });
});

describe('the log encryption key', () => {
  test('a key of the stack encrypts the three log groups, and its policy lets CloudWatch Logs use it for exactly them', () => {
    const { stack } = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new FargateProfileProvider(stack, 'Provider', { logEncryptionKey: key });
    const groups = logGroupsOf(stack);
    expect(groups.map((g) => stack.resolve(g.kmsKeyId))).toEqual(Array(3).fill({ 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] }));
    const arns = groups.map((g) => stack.resolve(stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: g.logGroupName!, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })));
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: LOGS_KEY_SID,
          Effect: 'Allow',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Action: LOGS_KEY_ACTIONS,
          Resource: '*',
          Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': arns } },
        }]),
      },
    });
  });

  test('an imported key encrypts the log groups and gets no statement (its policy is the user\'s)', () => {
    const { stack } = newStack();
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    new FargateProfileProvider(stack, 'Provider', { logEncryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn) });
    expect(logGroupsOf(stack).map((g) => g.kmsKeyId)).toEqual([keyArn, keyArn, keyArn]);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  });

  test('a key of another stack is refused: its policy and this stack would depend on each other', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env: ENV });
    const key = new kms.Key(keys, 'Key');
    const stack = new Stack(app, 'Stack', { env: ENV });
    expect(() => new FargateProfileProvider(stack, 'Provider', { logEncryptionKey: key }))
      .toThrow('Stack/Provider: logEncryptionKey Keys/Key belongs to another stack');
  });
});

describe('isolated subnets', () => {
  const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('VPC endpoint'))
    .map((w) => w.entry.data as string);

  function isolatedStack(props: Partial<FargateProfileProviderProps> = {}, endpoints: string[] = []) {
    const { stack } = newStack();
    const vpc = vpcOf(stack, 0 /* no NAT */);
    for (const service of endpoints) {
      if (service === 's3') vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
      else vpc.addInterfaceEndpoint(service, { service: new ec2.InterfaceVpcEndpointAwsService(service) });
    }
    new FargateProfileProvider(stack, 'Provider', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, ...props });
    return stack;
  }

  test('without endpoints: a warning with its id, naming the missing services', () => {
    const warnings = warningsOf(isolatedStack());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('for: eks, lambda, states, s3, xray.');
    expect(warnings[0]).toContain(`[ack: ${MISSING_ENDPOINTS_WARNING_ID}]`);
  });

  test('with some endpoints: the rest; without tracing, no X-Ray', () => {
    expect(warningsOf(isolatedStack({ tracing: false }, ['eks', 's3']))[0]).toContain('for: lambda, states.');
  });

  test('with every endpoint, or in subnets with a NAT gateway: no warning', () => {
    expect(warningsOf(isolatedStack({}, ['eks', 'lambda', 'states', 's3', 'xray']))).toEqual([]);
    const { stack } = newStack();
    new FargateProfileProvider(stack, 'Provider', { vpc: vpcOf(stack) });
    expect(warningsOf(stack)).toEqual([]);
  });
});
