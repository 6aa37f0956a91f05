/**
 * How every handler is bundled: the esbuild options `CoordFunction` hands to CDK, and the same
 * build run directly (for `npm run bundle:report` and the bundle budget test), with each
 * bundle's size and the time its module takes to load in a fresh Node process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { CONSUMERS } from '#functions/shared/consumers';
import { ROUTES } from '#functions/shared/routes';
import { SCHEDULES, sweeperSchedule } from '#functions/shared/schedules';
import { STREAM_CONSUMERS } from '#functions/shared/streams';
import { WS_ROUTES } from '#functions/shared/ws-routes';
import { precompiledValidators, VALIDATORS_MODULE } from './validators-build';

/** Largest bundle a function may ship, in bytes (minified, source map not counted). */
export const BUNDLE_BUDGET_BYTES = 500_000;

/** Longest a bundle's module may take to load in a fresh Node process, in milliseconds. */
export const INIT_BUDGET_MS = 150;

/**
 * Most CPU time a bundle's own code may take to load, as a share of the CPU time the DynamoDB
 * clients (which every function but the fallback loads with its module) take in the same process
 * ({@link measureOwnInit}): a ratio, so it holds on a busy machine as an absolute time does not.
 */
export const OWN_INIT_CPU_RATIO_LIMIT = 1;

/** The AWS SDK packages a function's module loads (the rest load on first use). */
export const DYNAMODB_PACKAGES: readonly string[] = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];

/**
 * Packages left out of every bundle because the Lambda Node.js 22 runtime ships them: the whole
 * AWS SDK v3 (DynamoDB and its document client, SQS, Secrets Manager, DynamoDB Streams and the
 * API Gateway management API among them). Powertools, middy, Ajv and the Anthropic SDK are bundled.
 */
export const RUNTIME_PROVIDED_MODULES: readonly string[] = ['@aws-sdk/*'];

/** What a function that does not call Claude bundles instead of the Anthropic SDK. */
export const ANTHROPIC_SDK_LEFT_OUT = fileURLToPath(
  new URL('./bundle-shims/anthropic-sdk-left-out.ts', import.meta.url),
);

/** What every bundle holds instead of `semver`, which only the X-Ray SDK's AWS SDK v2 patcher uses. */
export const SEMVER_LEFT_OUT = fileURLToPath(new URL('./bundle-shims/semver.ts', import.meta.url));

/**
 * The Anthropic SDK modules the Claude advisor imports (client without resources, errors, the
 * `Messages` resource): what a bundle without Claude swaps for {@link ANTHROPIC_SDK_LEFT_OUT}.
 */
export const ANTHROPIC_SDK_MODULES: readonly string[] = [
  '@anthropic-ai/sdk',
  '@anthropic-ai/sdk/client',
  '@anthropic-ai/sdk/error',
  '@anthropic-ai/sdk/resources/messages/messages',
];

/**
 * esbuild aliases of a function's bundle: `semver` is swapped for {@link SEMVER_LEFT_OUT},
 * `#app/validators` for the validators precompiled at build time (`lib/validators-build.ts`, so
 * no bundle carries Ajv's compiler or compiles a schema when it loads), written now unless `write`
 * is false (no bundling will run), and the Anthropic SDK is swapped out unless the function calls
 * Claude.
 */
export const bundleAliases = (
  projectRoot: string,
  handler: HandlerBundle,
  write = true,
): Record<string, string> => ({
  semver: SEMVER_LEFT_OUT,
  [VALIDATORS_MODULE]: precompiledValidators(projectRoot, handler, write),
  ...(handler.claude
    ? {}
    : Object.fromEntries(ANTHROPIC_SDK_MODULES.map((module) => [module, ANTHROPIC_SDK_LEFT_OUT]))),
});

/** The esbuild settings CDK's `NodejsFunction` is given (see `CoordFunction`). */
export const BUNDLE_SETTINGS = {
  format: 'cjs',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: [...RUNTIME_PROVIDED_MODULES],
} as const;

/** The WebSocket handler that answers `ask` with Claude, as the AI routes do. */
export const WS_CLAUDE_ENTRY = 'functions/ws/message.ts';

/** The function URL that streams `POST /v1/ai/query?stream=1` on AWS. */
export const AI_QUERY_STREAM_ENTRY = 'functions/url/ai-query.ts';

/**
 * Handlers besides the AI routes that call Claude: the WebSocket `ask`, the streamed query, and
 * the sweeper (its periodic health assessment).
 */
export const CLAUDE_ENTRIES: readonly string[] = [
  WS_CLAUDE_ENTRY,
  AI_QUERY_STREAM_ENTRY,
  sweeperSchedule.entry,
];

/** Whether the function of a handler module calls Claude: the AI routes and {@link CLAUDE_ENTRIES}. */
export const callsClaude = (entry: string): boolean =>
  CLAUDE_ENTRIES.includes(entry) || ROUTES.some((route) => route.entry === entry && route.tag === 'ai');

/** One handler module that becomes a Lambda function. */
export interface HandlerBundle {
  /** Relative to the project root. */
  readonly entry: string;
  /** Whether its bundle carries the Anthropic SDK. */
  readonly claude: boolean;
}

/** Every handler module that becomes a Lambda function. */
export const handlerEntries = (): HandlerBundle[] =>
  [
    ...new Set(
      [...ROUTES, ...CONSUMERS, ...SCHEDULES, ...WS_ROUTES, ...STREAM_CONSUMERS]
        .map((definition) => definition.entry)
        .concat('functions/http/fallback.ts', AI_QUERY_STREAM_ENTRY),
    ),
  ]
    .sort()
    .map((entry) => ({ entry, claude: callsClaude(entry) }));

/**
 * The environment a bundle's module is loaded with, as the Lambda runtime and `CoordFunction` set
 * it for what module loading reads: `AWS_EXECUTION_ENV` and `LAMBDA_TASK_ROOT` make the Powertools
 * tracer and the X-Ray SDK start as they do on AWS (tracing on, the SDK's Lambda context set up),
 * and the `POWERTOOLS_*` variables configure the logger and metrics.
 */
export const lambdaLoadEnvironment = (file: string): Record<string, string> => ({
  AWS_REGION: 'eu-west-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'bundle-report',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  LAMBDA_TASK_ROOT: dirname(file),
  POWERTOOLS_SERVICE_NAME: 'coord',
  POWERTOOLS_METRICS_NAMESPACE: 'Coord',
  POWERTOOLS_LOG_LEVEL: 'INFO',
});

/** One built bundle. */
export interface BundleReport {
  readonly entry: string;
  /** The bundle file (`index.js`). */
  readonly file: string;
  /** Its size in bytes. */
  readonly bytes: number;
}

/**
 * Builds one handler the way CDK does (`esbuild --bundle --platform=node --format=cjs` with
 * {@link BUNDLE_SETTINGS}) into `outDir/<entry name>/index.js`.
 */
export const buildBundle = async (
  projectRoot: string,
  { entry, claude }: HandlerBundle,
  outDir: string,
): Promise<BundleReport> => {
  const dir = join(outDir, entry.replace(/\.ts$/, '').replaceAll('/', '-'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.js');
  await build({
    entryPoints: [join(projectRoot, entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: BUNDLE_SETTINGS.format,
    target: BUNDLE_SETTINGS.target,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    external: [...BUNDLE_SETTINGS.externalModules],
    alias: bundleAliases(projectRoot, { entry, claude }),
    absWorkingDir: projectRoot,
    logLevel: 'error',
  });
  return { entry, file, bytes: statSync(file).size };
};

/** How long a bundle's module took to load. */
export interface InitTime {
  /** Wall-clock milliseconds (what the budget counts; other processes on the machine stretch it). */
  readonly ms: number;
  /** Milliseconds of CPU the process spent on it (user and system), which a busy machine skews less. */
  readonly cpuMs: number;
  /** The AWS SDK packages the module loaded (`@aws-sdk/client-dynamodb`, ...), sorted. */
  readonly sdkPackages: readonly string[];
}

/** An AWS SDK package's name in a loaded module's path: `@aws-sdk/client-sqs`, `@aws-sdk/lib-dynamodb`. */
const SDK_PACKAGE_IN_PATH = 'node_modules/(@aws-sdk/(?:client|lib)-[^/]+)/';

/**
 * How long a bundle's module takes to load and run its top level in a fresh Node process (the
 * Lambda "init" of the handler code, without the runtime's own start). The module is loaded as
 * the Lambda runtime loads a handler: `require` for CommonJS (`.js`), `import` for an ES module
 * (`.mjs`). The process runs with the same `node` as the caller and the given extra flags (e.g.
 * `--enable-source-maps`); packages left external resolve from the `node_modules` above the bundle.
 */
export const measureInit = (file: string, nodeFlags: readonly string[] = []): InitTime => {
  const load = file.endsWith('.mjs')
    ? `await import(${JSON.stringify(pathToFileURL(file).href)})`
    : `req(${JSON.stringify(file)})`;
  const script = `import { createRequire } from 'node:module'; const req = createRequire(${JSON.stringify(pathToFileURL(file).href)}); const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; }; const t = performance.now(); const c = cpu(); ${load}; const ms = performance.now() - t, cpuMs = cpu() - c; const sdk = new RegExp(${JSON.stringify(SDK_PACKAGE_IN_PATH)}); const sdkPackages = [...new Set(Object.keys(req.cache).map((path) => sdk.exec(path)?.[1]).filter(Boolean))].sort(); process.stdout.write(JSON.stringify({ ms, cpuMs, sdkPackages }));`;
  const out = execFileSync(process.execPath, [...nodeFlags, '--input-type=module', '--eval', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: lambdaLoadEnvironment(file),
  });
  return JSON.parse(out) as InitTime;
};

/** A bundle's own share of its module load: what the function's code costs on top of the AWS SDK. */
export interface OwnInitTime {
  /** Wall-clock milliseconds of loading the bundle once the SDK packages it uses are loaded. */
  readonly ms: number;
  /** Milliseconds of CPU of that load. */
  readonly cpuMs: number;
  /** Milliseconds of CPU the same process spent loading those SDK packages first. */
  readonly sdkCpuMs: number;
}

/**
 * Splits a bundle's module load in a fresh Node process into the AWS SDK packages it uses (which
 * the Lambda runtime provides and no bundle can make cheaper) and the bundle's own code: the
 * process loads the given SDK packages first, then the bundle, timing each. Both parts run in
 * the same process, so a busy machine stretches them alike and their ratio holds.
 */
export const measureOwnInit = (file: string, sdkPackages: readonly string[]): OwnInitTime => {
  const script = `const { createRequire } = require('node:module'); const req = createRequire(${JSON.stringify(file)}); const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; }; let c = cpu(); for (const name of ${JSON.stringify(sdkPackages)}) req(name); const sdkCpuMs = cpu() - c; const t = performance.now(); c = cpu(); req(${JSON.stringify(file)}); const ms = performance.now() - t, cpuMs = cpu() - c; process.stdout.write(JSON.stringify({ ms, cpuMs, sdkCpuMs }));`;
  const out = execFileSync(process.execPath, ['--eval', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: lambdaLoadEnvironment(file),
  });
  return JSON.parse(out) as OwnInitTime;
};

/** One handler's bundle as built and loaded by {@link measureBundles}. */
export interface BundleMeasurement {
  readonly entry: string;
  readonly claude: boolean;
  /** Minified size in bytes (source map not counted). */
  readonly bytes: number;
  readonly init: InitTime;
  /** The bundle's own share of it, measured after the SDK packages it loads ({@link measureOwnInit}). */
  readonly ownInit: OwnInitTime;
  /** The init time with `--enable-source-maps`, when asked for. */
  readonly initWithSourceMaps?: InitTime;
  /** Over the size budget or the init budget (wall clock). */
  readonly overBudget: boolean;
}

/**
 * Builds every handler's bundle as CDK does into a scratch folder under `node_modules` (so the
 * packages the runtime provides resolve), loads each in a fresh Node process, and removes the
 * folder again: what `npm run bundle:report` prints and `npm run bench` records.
 */
export const measureBundles = async (
  projectRoot: string,
  { sourceMaps = false }: { readonly sourceMaps?: boolean } = {},
): Promise<BundleMeasurement[]> => {
  const outDir = mkdtempSync(join(projectRoot, 'node_modules', '.bundles-'));
  try {
    const measured: BundleMeasurement[] = [];
    for (const handler of handlerEntries()) {
      const bundle = await buildBundle(projectRoot, handler, outDir);
      const init = measureInit(bundle.file);
      measured.push({
        entry: handler.entry,
        claude: handler.claude,
        bytes: bundle.bytes,
        init,
        ownInit: measureOwnInit(bundle.file, init.sdkPackages),
        ...(sourceMaps && { initWithSourceMaps: measureInit(bundle.file, ['--enable-source-maps']) }),
        overBudget: bundle.bytes > BUNDLE_BUDGET_BYTES || init.ms > INIT_BUDGET_MS,
      });
    }
    return measured;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
};
