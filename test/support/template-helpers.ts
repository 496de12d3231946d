// Shared by the template tests (test/fargate-profile.test.ts, test/security/least-privilege.test.ts):
// stacks in a fixed environment, imported clusters, and lookups of what a FargateProfile synthesizes
// by construct (logical ids) and by Match (the provider's handler role policies), so that tests
// never search a template's text.
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import { IConstruct } from 'constructs';
import { FargateProfile } from '../../src';
import { FargateProfileProvider } from '../../src/fargate-profile-provider';

/** A fixed, fake environment: ARNs in the template carry these literals. */
export const ENV = { account: '123456789012', region: 'us-east-1' };

/** A stack in {@link ENV}, in an app of its own. */
export function newStack(id = 'Stack'): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, id, { env: ENV }) };
}

/** A cluster this app does not own, known by name only. */
export function importedCluster(stack: Stack, clusterName = 'demo-cluster', id = 'Cluster'): eks.ICluster {
  return eks.Cluster.fromClusterAttributes(stack, id, { clusterName });
}

/**
 * The logical id of a construct's CloudFormation resource: a `CfnResource` itself, a construct whose
 * default child is one (an `iam.Role`, a `logs.LogGroup`), or a FargateProfile (its custom resource).
 */
export function logicalIdOf(construct: IConstruct): string {
  const scope = construct instanceof FargateProfile ? construct.node.findChild('Resource') : construct;
  const resource = CfnResource.isCfnResource(scope) ? scope : scope.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  }
  return Stack.of(resource).resolve(resource.logicalId);
}

/** The stack's Fargate profile provider (it exists once a profile has been defined in the stack). */
export function providerOf(stack: Stack): FargateProfileProvider {
  return stack.node.findChild(FargateProfileProvider.ID) as FargateProfileProvider;
}

/** The (customer-managed) policies attached to the provider's handler role (and to no other role), by logical id. */
export function handlerPolicies(stack: Stack, template: Template): Record<string, any> {
  const roleId = logicalIdOf(providerOf(stack).handlerRole);
  const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: Match.exact([{ Ref: roleId }]) } });
  if (Object.keys(policies).length === 0) throw new Error(`no policy is attached to the handler role ${roleId}`);
  return policies;
}

/** Every statement of the handler role's policies, in template order. */
export function handlerStatements(stack: Stack, template: Template): any[] {
  return Object.values(handlerPolicies(stack, template)).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
