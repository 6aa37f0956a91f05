import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamo/tables';
import { ROUTES } from '#functions/shared/routes';
import { PROJECT_ROOT } from '../../lib/constructs/coord-function';
import { buildCoordApp } from '../../lib/coord-app';
import { appWithoutBundling, scratchDir, synthesize } from './support/synth';

interface Manifest {
  readonly artifacts: Record<
    string,
    { readonly type: string; readonly properties?: { readonly templateFile?: string } }
  >;
}

describe('the CDK app', () => {
  it('synthesizes both stacks of stage local from bin/app.ts, without AWS Backup', () => {
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
    const api = template('coord-local-api');
    expect(data).toContain('"TableName":"coord-local-Work"');
    expect(data).not.toContain('AWS::Backup::BackupPlan');
    expect(api.match(/"Type":"AWS::Lambda::Function"/g)).toHaveLength(ROUTES.length);
    expect(api).toContain('"COORD_STAGE":"local"');
  });

  it('names tables and stacks after the stage and leaves dev unprotected', () => {
    const { stacks, data } = synthesize('dev');

    expect([stacks.data.stackName, stacks.api.stackName]).toEqual(['coord-dev-data', 'coord-dev-api']);
    for (const definition of TABLES) {
      data.hasResourceProperties('AWS::DynamoDB::Table', { TableName: `coord-dev-${definition.id}` });
    }
    data.resourceCountIs('AWS::Backup::BackupPlan', 1);
    expect(
      data.findResources('AWS::DynamoDB::Table', { Properties: { DeletionProtectionEnabled: true } }),
    ).toEqual({});
  });

  it('protects the tables and keeps the secrets and logs of stage prod', () => {
    const { data, api } = synthesize('prod');

    data.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    data.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    api.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    api.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    api.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ COORD_STAGE: 'prod', COORD_TABLE_PREFIX: 'coord-prod' }) },
    });
  });

  it.each(['Dev', 'dev_1', '1dev', ''])('fails on the stage name "%s"', (stage) => {
    expect(() => buildCoordApp(appWithoutBundling(), { stage })).toThrow(/must be lower-case letters/);
  });
});
