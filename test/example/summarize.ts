// Prints what `cdk synth` produced for the example app: resource types with
// counts, and each Fargate profile's custom resource properties.
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_STACK_NAME } from './example-stack';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../../src/wire-contract';

interface Template {
  readonly Resources: { [logicalId: string]: { Type: string; Properties?: { [key: string]: unknown }; DependsOn?: string[] } };
}

const outDir = process.argv[2] ?? 'cdk.out';
const file = path.join(outDir, `${EXAMPLE_STACK_NAME}.template.json`);
if (!fs.existsSync(file)) {
  console.error(`No template at ${file}: did cdk synth run?`);
  process.exit(1);
}
const template = JSON.parse(fs.readFileSync(file, 'utf8')) as Template;

const counts = new Map<string, number>();
for (const resource of Object.values(template.Resources)) {
  counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
}
console.log(`\n${file}: ${Object.keys(template.Resources).length} resources`);
for (const [type, count] of [...counts.entries()].sort()) {
  console.log(`  ${String(count).padStart(3)}  ${type}`);
}

for (const [logicalId, resource] of Object.entries(template.Resources)) {
  if (resource.Type !== FARGATE_PROFILE_RESOURCE_TYPE) continue;
  const { ServiceToken, ...properties } = resource.Properties ?? {};
  void ServiceToken;
  console.log(`\n${FARGATE_PROFILE_RESOURCE_TYPE} ${logicalId}`
    + (resource.DependsOn ? ` (DependsOn: ${resource.DependsOn.join(', ')})` : ''));
  console.log(JSON.stringify(properties, null, 2).replace(/^/gm, '  '));
}
