import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamo/tables';
import { CONSUMERS } from '#functions/shared/consumers';
import { SCHEDULES } from '#functions/shared/schedules';
import { PROJECT_ROOT } from '../../lib/constructs/coord-function';
import { buildCoordApp } from '../../lib/coord-app';
import { stageConfig } from '../../lib/stage-config';
import { appWithoutBundling, buildStacks, scratchDir, synthesize } from './support/synth';

interface Manifest {
  readonly artifacts: Record<
    string,
    { readonly type: string; readonly properties?: { readonly templateFile?: string } }
  >;
}

describe('the CDK app', () => {
  it('synthesizes the data and messaging stacks of stage local from bin/app.ts, without AWS Backup', () => {
    const outdir = scratchDir('synth');

    // What `cdk synth -c stage=local` hands the app, with bundling skipped to keep the test fast.
    execFileSync(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['bin/app.ts'], {
      cwd: PROJECT_ROOT,
      stdio: 'pipe',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ stage: 'local', [BUNDLING_STACKS]: [] }),
      },
    });

    const manifest: Manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    const template = (stack: string) => {
      const templateFile = manifest.artifacts[stack]?.properties?.templateFile;
      if (!templateFile) throw new Error(`No template for ${stack}`);
      return JSON.stringify(JSON.parse(readFileSync(join(outdir, templateFile), 'utf8')));
    };
    const data = template('coord-local-data');
    const messaging = template('coord-local-messaging');
    expect(data).toContain('"TableName":"coord-local-Work"');
    expect(data).not.toContain('AWS::Backup::BackupPlan');
    expect(messaging.match(/"Type":"AWS::Lambda::Function"/g)).toHaveLength(
      CONSUMERS.length + SCHEDULES.length,
    );
    expect(messaging).toContain('"COORD_STAGE":"local"');
    // LocalStack's free tier runs neither HTTP nor WebSocket APIs, CloudFront nor CodeDeploy.
    const stacks = Object.entries(manifest.artifacts).filter(
      ([, artifact]) => artifact.type === 'aws:cloudformation:stack',
    );
    expect(stacks.map(([name]) => name).sort()).toEqual(['coord-local-data', 'coord-local-messaging']);
    // `npm run deploy:localstack` deploys exactly the stacks stage local builds.
    const scripts: Record<string, string> = JSON.parse(
      readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'),
    ).scripts;
    const deployed = scripts['deploy:localstack']
      ?.match(/cdklocal deploy ([\w\s-]+?) -c stage=local/)?.[1]
      ?.split(' ');
    expect(deployed?.sort()).toEqual(stacks.map(([name]) => name).sort());
  });

  it('fails clearly when no stage is given, instead of picking one', () => {
    const outdir = scratchDir('synth-no-stage');
    const run = () =>
      execFileSync(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['bin/app.ts'], {
        cwd: PROJECT_ROOT,
        stdio: 'pipe',
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ [BUNDLING_STACKS]: [] }),
        },
      });
    expect(run).toThrow(/No stage given: run cdk with -c stage=<name>, one of dev, prod, local/);
    expect(JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context?.stage).toBeUndefined();
  });

  it('names tables and stacks after the stage and leaves dev unprotected', () => {
    const { stacks, data } = synthesize('dev');

    expect(
      [stacks.data, stacks.messaging, stacks.api, stacks.realtime, stacks.web].map(
        (stack) => stack.stackName,
      ),
    ).toEqual([
      'coord-dev-data',
      'coord-dev-messaging',
      'coord-dev-api',
      'coord-dev-realtime',
      'coord-dev-web',
    ]);
    expect(
      [stacks.data, stacks.messaging, stacks.api, stacks.realtime, stacks.web].map(
        (stack) => stack.terminationProtection,
      ),
    ).toEqual([false, false, false, false, false]);
    for (const definition of TABLES) {
      data.hasResourceProperties('AWS::DynamoDB::Table', { TableName: `coord-dev-${definition.id}` });
    }
    data.resourceCountIs('AWS::Backup::BackupPlan', 1);
    expect(
      data.findResources('AWS::DynamoDB::Table', { Properties: { DeletionProtectionEnabled: true } }),
    ).toEqual({});
  });

  it('lets the WebSocket message function answer ask as the AI routes do: the key, time, and the AI gate', () => {
    const { stacks, realtime } = synthesize('dev');
    const wsMessage = stacks.realtime.routes.functions.get('wsMessage');
    const logicalId = stacks.realtime.getLogicalId(
      wsMessage?.function.node.defaultChild as Parameters<typeof stacks.realtime.getLogicalId>[0],
    );
    const { Properties: fn } = realtime.toJSON().Resources[logicalId];

    expect(fn.Timeout).toBe(29);
    expect(Object.keys(fn.Environment.Variables)).toContain('ANTHROPIC_API_KEY_SECRET_ARN');
    const roleId = fn.Role['Fn::GetAtt'][0];
    const policies = Object.values(realtime.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
    );
    const statements = JSON.stringify(policies);
    expect(statements).toContain('secretsmanager:GetSecretValue');
    expect(statements).toContain('dynamodb:UpdateItem');
  });

  it('lets the sweeper run the health assessment with Claude: the data stack’s key and every queue’s depth', () => {
    const { stacks, messaging } = synthesize('dev');
    const sweeper = stacks.messaging.sweeper?.handler.function;
    const logicalId = stacks.messaging.getLogicalId(
      sweeper?.node.defaultChild as Parameters<typeof stacks.messaging.getLogicalId>[0],
    );
    const { Properties: fn } = messaging.toJSON().Resources[logicalId];

    const keyArn = fn.Environment.Variables.ANTHROPIC_API_KEY_SECRET_ARN;
    expect(JSON.stringify(keyArn)).toContain('coord-dev-data:');
    const roleId = fn.Role['Fn::GetAtt'][0];
    const statements = Object.values(messaging.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
      .flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
      );
    const onKey = statements.filter(
      (statement) => JSON.stringify(statement.Resource) === JSON.stringify(keyArn),
    );
    expect(JSON.stringify(onKey)).toContain('secretsmanager:GetSecretValue');
    for (const queue of stacks.messaging.queues.values()) {
      for (const q of [queue.queue, queue.deadLetterQueue]) {
        const arn = {
          'Fn::GetAtt': [
            stacks.messaging.getLogicalId(
              q.node.defaultChild as Parameters<typeof stacks.messaging.getLogicalId>[0],
            ),
            'Arn',
          ],
        };
        const reads = statements.filter((statement) =>
          JSON.stringify([statement.Resource].flat()).includes(JSON.stringify(arn)),
        );
        expect(JSON.stringify(reads)).toContain('sqs:GetQueueAttributes');
      }
    }
  });

  it('protects the stacks and tables and keeps the secrets and logs of stage prod', () => {
    const { stacks, data, api } = synthesize('prod');

    for (const stack of [
      stacks.data,
      stacks.messaging,
      stacks.api,
      stacks.realtime,
      stacks.web,
      stacks.observability,
      stacks.edge,
    ]) {
      expect(stack?.terminationProtection).toBe(true);
    }
    data.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    data.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    api.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    api.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    api.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ COORD_STAGE: 'prod', COORD_TABLE_PREFIX: 'coord-prod' }) },
    });
  });

  it.each(['Dev', 'dev_1', '1dev', ''])('fails on the stage name "%s"', (stage) => {
    expect(() => buildCoordApp(appWithoutBundling(), { config: { ...stageConfig('dev'), stage } })).toThrow(
      /must be lower-case letters/,
    );
  });

  it('fails on an unknown stage, naming the known ones', () => {
    expect(() => stageConfig('staging')).toThrow('Unknown stage "staging": use one of dev, prod, local');
  });

  it('fails when the config sets a function that does not exist', () => {
    expect(() =>
      buildStacks({ ...stageConfig('dev'), functions: { 'http/no-such-route': { memoryMiB: 256 } } }),
    ).toThrow(/configures functions that do not exist: http\/no-such-route/);
  });

  it('refuses a stage that would let two sweeper passes run at once', () => {
    expect(() =>
      buildStacks({ ...stageConfig('dev'), functions: { 'scheduled/sweep': { reservedConcurrency: 2 } } }),
    ).toThrow(/the sweeper runs one pass at a time; its reservedConcurrency must be 1, not 2/);
  });
});
