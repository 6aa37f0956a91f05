import { App } from 'aws-cdk-lib';
import { buildCoordApp } from '../lib/coord-app';

// Synthesizes offline: no lookups, so an unset account or region yields environment-agnostic stacks.
const app = new App();
const stage: unknown = app.node.tryGetContext('stage') ?? 'dev';
buildCoordApp(app, {
  stage: String(stage),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
