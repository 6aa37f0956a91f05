import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_BUDGET_BYTES,
  buildBundle,
  DYNAMODB_PACKAGES,
  handlerEntries,
  measureInit,
  measureOwnInit,
  OWN_INIT_CPU_RATIO_LIMIT,
} from '../../lib/bundle';
import { CoordFunction, PROJECT_ROOT } from '../../lib/constructs/coord-function';
import { scratchDir } from './support/synth';

describe('every function bundle', () => {
  const handlers = handlerEntries();

  it('covers every handler module, those that call Claude marked as carrying the Anthropic SDK', () => {
    expect(handlers.length).toBeGreaterThan(40);
    expect(handlers.filter((handler) => handler.claude).map((handler) => handler.entry)).toEqual([
      'functions/http/ai-health.ts',
      'functions/http/ai-performance.ts',
      'functions/http/ai-query.ts',
      'functions/http/ai-recommendations.ts',
      'functions/scheduled/sweep.ts',
      'functions/url/ai-query.ts',
      'functions/ws/message.ts',
    ]);
  });

  // Inside the project, so the modules the runtime provides (the AWS SDK) resolve when a bundle loads.
  const loadDir = mkdtempSync(join(PROJECT_ROOT, 'node_modules', '.bundle-test-'));
  afterAll(() => rmSync(loadDir, { recursive: true, force: true }));

  // Every bundle carries its validators precompiled instead of Ajv's compiler, and every function
  // compiles its schemas when its module loads: a schema missing from those
  // (lib/validators-build.ts) fails the load. esbuild builds on its own threads: the bundles are
  // built side by side.
  it.concurrent.each(handlers)(
    'keeps $entry within 500 kB minified, without the Ajv compiler, and its module loads in a fresh Node process, its own code in less CPU time than the DynamoDB clients',
    async (handler) => {
      const bundle = await buildBundle(PROJECT_ROOT, handler, loadDir);
      expect(bundle.bytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
      expect(readFileSync(bundle.file, 'utf8')).not.toContain('ajv/dist/compile');
      const init = measureInit(bundle.file);
      expect(init.ms).toBeGreaterThan(0);
      // The DynamoDB clients load with the module; SQS, Secrets Manager and the WebSocket
      // management API only when first called (src/adapters/lazy-client.ts). The fallback
      // touches no AWS service at all.
      expect(init.sdkPackages).toEqual(
        handler.entry === 'functions/http/fallback.ts' ? [] : DYNAMODB_PACKAGES,
      );
      // The bundle's own code (Powertools and the X-Ray SDK, the route table and its schemas, the
      // precompiled validators, the adapters) takes less CPU time to load than the DynamoDB
      // clients, loaded first in the same process (for the fallback only as the yardstick), so a
      // busy machine stretches both alike. A second measurement is taken when the first is over:
      // one garbage collection or preemption can stretch a single load.
      const ownShare = () => {
        const own = measureOwnInit(bundle.file, DYNAMODB_PACKAGES);
        return own.cpuMs / own.sdkCpuMs;
      };
      const share = ownShare();
      expect(share <= OWN_INIT_CPU_RATIO_LIMIT ? share : Math.min(share, ownShare())).toBeLessThanOrEqual(
        OWN_INIT_CPU_RATIO_LIMIT,
      );
    },
    120_000,
  );

  it('is built with the options CDK uses: the same bytes as the asset of a CoordFunction', async () => {
    const handler = { entry: 'functions/http/health.ts', claude: false };
    const direct = await buildBundle(PROJECT_ROOT, handler, scratchDir('bundle-direct'));
    const outdir = scratchDir('bundle-cdk');
    const app = new App({ outdir });
    new CoordFunction(new Stack(app, 'Bundled'), 'Health', { entry: handler.entry });
    app.synth();
    const asset = readdirSync(outdir).find((name) => name.startsWith('asset.')) as string;
    expect(statSync(join(outdir, asset, 'index.js')).size).toBe(direct.bytes);
  }, 120_000);
});
