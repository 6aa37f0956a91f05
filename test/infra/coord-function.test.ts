import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { platform } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CoordFunction, PROJECT_ROOT } from '../../lib/constructs/coord-function';
import { appWithoutBundling, logicalIdOf, scratchDir } from './support/synth';

const PROBE_ENTRY = 'test/infra/fixtures/sdk-probe-handler.ts';

describe('CoordFunction', () => {
  it('runs Node.js 22 on arm64 with active tracing, source maps and Powertools defaults', () => {
    const stack = new Stack(appWithoutBundling(), 'Functions');
    new CoordFunction(stack, 'Probe', { entry: PROBE_ENTRY, environment: { COORD_STAGE: 'test' } });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          COORD_FUNCTION_TIMEOUT_MS: '10000',
          POWERTOOLS_SERVICE_NAME: 'coord',
          POWERTOOLS_METRICS_NAMESPACE: 'Coord',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          COORD_STAGE: 'test',
        },
      },
    });
  });

  it('writes to its own log group, kept one month by default', () => {
    const stack = new Stack(appWithoutBundling(), 'Functions');
    const probe = new CoordFunction(stack, 'Probe', { entry: PROBE_ENTRY });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(probe.logGroup) } },
    });
  });

  it('takes memory, timeout and Powertools settings from its props', () => {
    const stack = new Stack(appWithoutBundling(), 'Functions');
    new CoordFunction(stack, 'Probe', {
      entry: PROBE_ENTRY,
      memorySizeMiB: 1024,
      timeout: Duration.seconds(29),
      serviceName: 'coord-sweeper',
      logLevel: 'DEBUG',
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 29,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'coord-sweeper',
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
          COORD_FUNCTION_TIMEOUT_MS: '29000',
        }),
      },
    });
  });

  it('fails with the name of a handler module that does not exist', () => {
    const stack = new Stack(appWithoutBundling(), 'Functions');

    expect(() => new CoordFunction(stack, 'Missing', { entry: 'functions/http/no-such-route.ts' })).toThrow(
      /handler module functions\/http\/no-such-route\.ts does not exist/,
    );
  });

  it('bundles a CommonJS module with source maps that runs with only the AWS SDK beside it, as on Lambda', async () => {
    // The cloud assembly goes to a temporary folder outside the project, so an import of a
    // package left external other than the SDK would fail to resolve there.
    const outdir = scratchDir('bundle');
    mkdirSync(join(outdir, 'node_modules'));
    symlinkSync(join(PROJECT_ROOT, 'node_modules/@aws-sdk'), join(outdir, 'node_modules/@aws-sdk'));
    const app = new App({ outdir });
    new CoordFunction(new Stack(app, 'Bundled'), 'Probe', { entry: PROBE_ENTRY });
    app.synth();
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const assetDir = join(outdir, assets[0] as string);

    // Loaded with `require`, as the Lambda runtime loads a `.js` handler.
    const run = `const { handler } = require(${JSON.stringify(join(assetDir, 'index.js'))}); handler().then((reply) => process.stdout.write(JSON.stringify(reply)));`;

    // A plain Node process, not the test runner's module loader.
    const reply = execFileSync(process.execPath, ['--eval', run], {
      encoding: 'utf8',
      stdio: 'pipe',
    });

    expect(JSON.parse(reply)).toEqual({ region: 'eu-west-1', platform: platform() });
    expect(readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map']);
    // The runtime's SDK is required, not bundled.
    const bundle = readFileSync(join(assetDir, 'index.js'), 'utf8');
    expect(bundle).toMatch(/require\(\s*["']@aws-sdk\/client-dynamodb["']\s*\)/);
    expect(bundle).not.toContain('DynamoDBServiceException');
  });
});
