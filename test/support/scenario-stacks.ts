// Templates for the lifecycle scenarios, synthesized from the real FargateProfile
// construct (never hand-written), against an imported cluster whose name the EKS
// emulator knows.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import { CfnTemplate } from './cfn-template';
import { FargateProfile, FargateProfileSelector } from '../../src';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../../src/wire-contract';

export const SCENARIO_ENV = { account: '123456789012', region: 'us-east-1' };

/** One profile of a scenario stack; the construct id doubles as the profile's key in assertions. */
export interface ProfileSpec {
  readonly id: string;
  readonly selectors: FargateProfileSelector[];
  readonly name?: string;
  readonly tags?: Record<string, string>;
}

/**
 * Synthesizes a stack with `profiles` (in order, so the construct chains them) on the
 * imported cluster `clusterName`, and returns its CloudFormation template.
 */
export function synthProfiles(profiles: readonly ProfileSpec[], clusterName = 'demo', stackName = 'ScenarioStack'): CfnTemplate {
  // Synthesis costs about a second; scenarios synthesize the same stacks repeatedly.
  const key = JSON.stringify([profiles, clusterName, stackName]);
  let template = synthesized.get(key);
  if (!template) {
    template = synthesize(profiles, clusterName, stackName);
    synthesized.set(key, template);
  }
  return structuredClone(template);
}

const synthesized = new Map<string, CfnTemplate>();

function synthesize(profiles: readonly ProfileSpec[], clusterName: string, stackName: string): CfnTemplate {
  const app = new App();
  const stack = new Stack(app, stackName, { env: SCENARIO_ENV });
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName });
  for (const spec of profiles) {
    new FargateProfile(stack, spec.id, {
      cluster,
      selectors: spec.selectors,
      fargateProfileName: spec.name,
      tags: spec.tags,
    });
  }
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

/** Logical id of the custom resource of profile construct `id` in `template`. */
export function profileLogicalId(template: CfnTemplate, id: string): string {
  // The CustomResource is the construct's "Resource" child, which logical ids omit: <id><8-hex hash>.
  const pattern = new RegExp(`^${id}[0-9A-F]{8}$`);
  const matches = Object.keys(template.Resources).filter(logicalId =>
    template.Resources[logicalId].Type === FARGATE_PROFILE_RESOURCE_TYPE && pattern.test(logicalId));
  if (matches.length !== 1) {
    throw new Error(`expected one ${FARGATE_PROFILE_RESOURCE_TYPE} for construct "${id}", found: ${matches.join(', ') || 'none'}`);
  }
  return matches[0];
}

/** `count` profiles P1..Pn, each selecting its own namespace. */
export function numberedProfiles(count: number, extra: (i: number) => Partial<ProfileSpec> = () => ({})): ProfileSpec[] {
  return Array.from({ length: count }, (_, k) => ({
    id: `P${k + 1}`,
    selectors: [{ namespace: `ns-${k + 1}` }],
    ...extra(k + 1),
  }));
}
