// The template's IAM, exercised end to end: the example stack (test/example) synthesized with the
// real construct and deployed by the lifecycle runner through the BUNDLED handler against the EKS
// emulator, which authorizes every call with the handler role's policies as the stack creates and
// deletes them (see test/support/handler-identity.ts), in scaled time (1:100).
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../../src/wire-contract';
import { buildExampleStack, EXAMPLE_STACK_NAME } from '../example/example-stack';
import { CfnTemplate } from '../support/lifecycle-runner';
import { useScenario } from '../support/scenario-harness';

const CLUSTER = 'demo-cluster';
const HANDLER_ROLE = 'EksFargateProfileProviderHandlerRoleA9012659';

let synthesized: CfnTemplate | undefined;
/** The example stack's template (synthesized once; a copy each time). */
function exampleTemplate(): CfnTemplate {
  synthesized ??= Template.fromStack(buildExampleStack(new App())).toJSON() as CfnTemplate;
  return structuredClone(synthesized);
}

/** The template with `action` taken out of every IAM policy statement (a statement left with no action goes). */
function withoutAction(template: CfnTemplate, action: string): CfnTemplate {
  let removed = 0;
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const document = resource.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[] }> };
    document.Statement = document.Statement.flatMap((statement) => {
      const actions = ([] as string[]).concat(statement.Action);
      const kept = actions.filter((a) => a !== action);
      removed += actions.length - kept.length;
      if (kept.length === 0) return [];
      return [{ ...statement, Action: kept.length === 1 ? kept[0] : kept }];
    });
  }
  if (removed === 0) throw new Error(`no policy of the template grants ${action}`);
  return template;
}

/** Calls the emulator refused for a permission (the handler's describes of profiles not yet created are not). */
const refusals = () => scenario().emulator.calls.filter((c) => ['AccessDeniedException', 'InvalidRequestException'].includes(c.outcome));

const profileIds = (template: CfnTemplate) =>
  Object.keys(template.Resources).filter((id) => template.Resources[id].Type === FARGATE_PROFILE_RESOURCE_TYPE);

const scenario = useScenario({ clusters: [CLUSTER] });

test('the example stack deploys and is destroyed with its handler policies authorizing every call; they outlive the profile deletes', async () => {
  const template = exampleTemplate();
  const stack = scenario().stack(EXAMPLE_STACK_NAME);

  const created = await stack.deploy(template);

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  expect(scenario().emulator.profiles(CLUSTER).map((p) => p.status)).toEqual(['ACTIVE', 'ACTIVE']);
  // Authorization was on: the handler role's policies were installed, as the role's session.
  const installed = scenario().emulator.callerPolicies();
  expect(installed.map((p) => p.id.split('/').slice(-2).join('/')).sort()).toEqual([
    `EksFargateProfileProviderClusterdemoclusterPermissionsBB2E1FEF/${HANDLER_ROLE}`,
    `EksFargateProfileProviderHandlerRolePolicyE015EF5F/${HANDLER_ROLE}`,
  ]);
  expect(new Set(installed.map((p) => p.callerArn))).toEqual(new Set([
    `arn:aws:sts::123456789012:assumed-role/${HANDLER_ROLE}/EksFargateProfileProviderOnEventHandler1D2D3141`,
  ]));
  expect(scenario().emulator.fargateServiceLinkedRoleExists).toBe(true);
  expect(refusals()).toEqual([]);

  const deleted = await stack.destroy();

  expect(deleted.failureReason).toBeUndefined();
  expect(deleted.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario().emulator.profiles(CLUSTER)).toEqual([]);
  expect(refusals()).toEqual([]);
  // CloudFormation deletes the policies only after the last profile: their Deletes were all authorized.
  const lastProfileGone = Math.max(...profileIds(template).map((id) =>
    deleted.events.findIndex((e) => e.logicalId === id && e.status === 'DELETE_COMPLETE')));
  for (const policy of ['EksFargateProfileProviderClusterdemoclusterPermissionsBB2E1FEF', 'EksFargateProfileProviderHandlerRolePolicyE015EF5F']) {
    expect(deleted.events.findIndex((e) => e.logicalId === policy && e.status === 'DELETE_IN_PROGRESS')).toBeGreaterThan(lastProfileGone);
  }
  expect(scenario().emulator.callerPolicies()).toEqual([]);
});

test('without ec2:DescribeSubnets the create fails within seconds, and the reason names the missing permission', async () => {
  const template = withoutAction(exampleTemplate(), 'ec2:DescribeSubnets');
  const stack = scenario().stack(EXAMPLE_STACK_NAME);

  const report = await stack.deploy(template);

  expect(report.stackStatus).toBe('ROLLBACK_COMPLETE');
  expect(report.failureReason).toContain('Received response status [FAILED] from custom resource.');
  expect(report.failureReason).toContain('ec2:DescribeSubnets');
  // The role to fix, as the handler's function knows it from its environment (HANDLER_ROLE_ARN in the template).
  expect(report.failureReason).toContain(`arn:aws:iam::123456789012:role/${HANDLER_ROLE}`);
  // Within the handler's IAM retry window (2 minutes, 1.2 s at scale), not the Provider's hour (36 s at scale).
  expect(report.durationMs).toBeLessThan(10_000);
  // The service refused every create with its message; nothing was created, and the rollback succeeded.
  const creates = scenario().emulator.calls.filter((c) => c.operation === 'CreateFargateProfile');
  expect(creates.length).toBeGreaterThan(0);
  expect(creates.every((c) => c.outcome === 'InvalidRequestException' && c.message === 'Missing permissions for "ec2:DescribeSubnets"')).toBe(true);
  expect(scenario().emulator.profiles(CLUSTER)).toEqual([]);
  expect(stack.resources.size).toBe(0);
});

test('handler policies that take effect 60 s after CloudFormation creates them (0.6 s at scale): the stack still converges', async () => {
  scenario().emulator.policyPropagationMs = 60_000 * scenario().scale;
  const stack = scenario().stack(EXAMPLE_STACK_NAME);

  const created = await stack.deploy(exampleTemplate());

  expect(created.failureReason).toBeUndefined();
  expect(created.stackStatus).toBe('CREATE_COMPLETE');
  expect(scenario().emulator.profiles(CLUSTER).map((p) => p.status)).toEqual(['ACTIVE', 'ACTIVE']);
  // The handler was refused at first, for its own permissions, and waited them out.
  const refused = refusals();
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.every((c) => c.outcome === 'AccessDeniedException' && c.message!.startsWith(`User: arn:aws:sts::123456789012:assumed-role/${HANDLER_ROLE}/`))).toBe(true);

  const deleted = await stack.destroy();
  expect(deleted.failureReason).toBeUndefined();
  expect(deleted.stackStatus).toBe('DELETE_COMPLETE');
  expect(scenario().emulator.profiles(CLUSTER)).toEqual([]);
});
