// The example CDK app (`npx projen example` synthesizes it with the pinned CLI).
import { App } from 'aws-cdk-lib';
import { buildExampleStack } from './example-stack';

const app = new App();
buildExampleStack(app);
app.synth();
