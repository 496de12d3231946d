// `npx projen measure-template`: what profiles cost in a CloudFormation template. For 1 and 50
// default-role profiles on one cluster, the resource count and the template's size in bytes (as
// `cdk synth` writes it to cdk.out, and minified), next to the native way: one
// AWS::EKS::FargateProfile and one IAM role per profile (what aws-eks-v2's FargateProfile
// synthesizes without a podExecutionRole). CloudFormation's limits: 500 resources per stack,
// 1 MB for a template uploaded through S3 (as the CDK does), 51,200 bytes for an inline one.
import { App, Stack } from 'aws-cdk-lib';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import { FargateProfile } from '../src';
import { nativeProfiles } from './support/native-profiles';

const ENV = { account: '123456789012', region: 'us-east-1' };
const COUNTS = [1, 50];

interface Measure {
  readonly resources: number;
  readonly bytes: number;
  readonly minifiedBytes: number;
}

function measure(build: (stack: Stack, count: number) => void, count: number): Measure {
  const app = new App();
  const stack = new Stack(app, 'Measure', { env: ENV });
  build(stack, count);
  const template = app.synth().getStackByName(stack.stackName).template;
  return {
    resources: Object.keys(template.Resources ?? {}).length,
    bytes: Buffer.byteLength(JSON.stringify(template, undefined, 1)),
    minifiedBytes: Buffer.byteLength(JSON.stringify(template)),
  };
}

/** This library: default-role profiles on an imported cluster. */
function ours(stack: Stack, count: number): void {
  const cluster = eksv2.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'demo' });
  for (let i = 0; i < count; i++) {
    new FargateProfile(stack, `Profile${i}`, { cluster, selectors: [{ namespace: `ns-${i}` }] });
  }
}

/** Native: CfnFargateProfile plus its own pod execution role, as aws-eks-v2's FargateProfile does per profile. */
function native(stack: Stack, count: number): void {
  nativeProfiles(stack, [0, count], (i) => [{ namespace: `ns-${i}` }]);
}

const rows: Array<[string, Measure, Measure]> = [
  ['cdk-eks-fargate-profile (default role)', measure(ours, COUNTS[0]), measure(ours, COUNTS[1])],
  ['native CfnFargateProfile + Role', measure(native, COUNTS[0]), measure(native, COUNTS[1])],
];

const pad = (value: string | number, width: number) => String(value).padStart(width);
console.log(`One cluster, default pod execution roles; ${COUNTS[0]} and ${COUNTS[1]} profiles.`);
console.log(`${'template'.padEnd(40)} ${pad('res@1', 6)} ${pad('res@50', 6)} ${pad('res/profile', 11)} `
  + `${pad('bytes@1', 8)} ${pad('bytes@50', 8)} ${pad('bytes/profile', 13)} ${pad('minified@50', 11)}`);
for (const [name, one, fifty] of rows) {
  const perProfile = (a: number, b: number) => ((b - a) / (COUNTS[1] - COUNTS[0])).toFixed(1);
  console.log(`${name.padEnd(40)} ${pad(one.resources, 6)} ${pad(fifty.resources, 6)} `
    + `${pad(perProfile(one.resources, fifty.resources), 11)} ${pad(one.bytes, 8)} ${pad(fifty.bytes, 8)} `
    + `${pad(perProfile(one.bytes, fifty.bytes), 13)} ${pad(fifty.minifiedBytes, 11)}`);
}
console.log('Bytes: the template as `cdk synth` writes it (JSON, indent 1); minified: without whitespace.');
console.log('CloudFormation limits: 500 resources per stack; 1,048,576 bytes per template (uploaded to S3 by the CDK).');
