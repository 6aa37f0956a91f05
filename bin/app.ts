import { App } from 'aws-cdk-lib';
import { buildCoordApp } from '../lib/coord-app';
import { acknowledgeNagFindings, addNagChecks } from '../lib/nag';
import { stageConfig } from '../lib/stage-config';

// Synthesizes offline: no lookups, so an unset account or region yields environment-agnostic stacks.
// The stage has no default: deploying to the wrong one by forgetting `-c stage=...` is worse than an error.
const app = new App();
const stacks = buildCoordApp(app, {
  config: stageConfig(app.node.tryGetContext('stage')),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// cdk-nag's AWS Solutions checks: a finding that is not acknowledged with a reason stops the synth.
addNagChecks(app);
acknowledgeNagFindings(app, stacks);
app.synth();
