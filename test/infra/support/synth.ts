import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Matcher, MatchResult, Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { afterAll } from 'vitest';
import { CONSUMERS } from '#functions/shared/consumers';
import { ROUTES } from '#functions/shared/routes';
import { SCHEDULES } from '#functions/shared/schedules';
import { STREAM_CONSUMERS } from '#functions/shared/streams';
import { WS_ROUTES } from '#functions/shared/ws-routes';
import { PROJECT_ROOT } from '../../../lib/constructs/coord-function';
import { FALLBACK_ENTRY } from '../../../lib/constructs/http-routes';
import { buildCoordApp, type CoordStacks } from '../../../lib/coord-app';
import { type StageConfig, stageConfig } from '../../../lib/stage-config';

/** A synthesized deployment with every stack: the stacks and their templates. */
export interface SynthesizedApp {
  readonly stacks: Required<CoordStacks>;
  readonly data: Template;
  readonly messaging: Template;
  readonly api: Template;
  readonly realtime: Template;
  readonly web: Template;
  readonly observability: Template;
}

const scratchDirs: string[] = [];
// Registered while the importing test file is collected, so it runs after that file's tests.
afterAll(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  stubRoot = undefined;
});

/** A fresh temporary folder, removed after the test file that made it. */
export const scratchDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `coord-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
};

/**
 * An app without esbuild bundling: NodejsFunction honours `aws:cdk:bundling-stacks`, so assets
 * get a placeholder hash and synth stays fast. One test in coord-function.test.ts bundles for real.
 */
export const appWithoutBundling = (): App =>
  new App({ context: { [BUNDLING_STACKS]: [] }, outdir: scratchDir('assembly') });

let stubRoot: string | undefined;

/**
 * A throwaway project root holding a stub module for every route's and consumer's entry and the
 * real lockfile.
 * Synth without bundling only checks that entries exist, so the stack tests need not wait for
 * (or break on) the handlers; app.test.ts synthesizes bin/app.ts against the real ones.
 */
export const stubProjectRoot = (): string => {
  if (stubRoot) return stubRoot;
  const root = scratchDir('infra-root');
  copyFileSync(join(PROJECT_ROOT, 'package-lock.json'), join(root, 'package-lock.json'));
  const entries = [...ROUTES, ...CONSUMERS, ...SCHEDULES, ...WS_ROUTES, ...STREAM_CONSUMERS].map(
    (c) => c.entry,
  );
  for (const entry of [...entries, FALLBACK_ENTRY]) {
    mkdirSync(dirname(join(root, entry)), { recursive: true });
    writeFileSync(join(root, entry), 'export const handler = async () => ({ statusCode: 204 });\n');
  }
  // A stand-in for the dashboard build (`web/dist`), so the web stack uploads something.
  mkdirSync(join(root, 'web/dist'), { recursive: true });
  writeFileSync(join(root, 'web/dist/index.html'), '<!doctype html><title>coord</title>\n');
  stubRoot = root;
  return root;
};

/** Builds the stacks of a stage config against the stub project root, without bundling. */
export const buildStacks = (config: StageConfig): CoordStacks =>
  buildCoordApp(appWithoutBundling(), { config, functionDefaults: { projectRoot: stubProjectRoot() } });

/**
 * Synthesizes every stack of a stage (its config changed by `overrides`), without bundling.
 * @throws Error when the stage leaves out a stack.
 */
export const synthesize = (stage: string, overrides: Partial<StageConfig> = {}): SynthesizedApp => {
  const { data, messaging, api, realtime, web, observability } = buildStacks({
    ...stageConfig(stage),
    ...overrides,
  });
  if (!api || !realtime || !web || !observability)
    throw new Error(`Stage ${stage} does not build every stack`);
  const stacks = { data, messaging, api, realtime, web, observability };
  return {
    stacks,
    data: Template.fromStack(data),
    messaging: Template.fromStack(messaging),
    api: Template.fromStack(api),
    realtime: Template.fromStack(realtime),
    web: Template.fromStack(web),
    observability: Template.fromStack(observability),
  };
};

/** Matches a value naming a function's `live` alias (by the alias's logical id), however it is joined. */
class LiveAliasMatcher extends Matcher {
  public readonly name = 'liveAliasOf';
  constructor(private readonly aliasId: string) {
    super();
  }
  public test(actual: unknown): MatchResult {
    const result = new MatchResult(actual);
    const json = JSON.stringify(actual);
    if (!json.includes(`{"Ref":"${this.aliasId}"}`) || !json.includes(':live')) {
      result.recordFailure({ matcher: this, path: [], message: `Expected the live alias ${this.aliasId}` });
    }
    return result;
  }
}

/** How an event source mapping names a function's `live` alias (by the alias's logical id). */
export const liveAliasOf = (aliasId: string): Matcher => new LiveAliasMatcher(aliasId);

/** The logical id, in its stack's template, of the resource behind a construct (a table, a role...). */
export const logicalIdOf = (construct: IConstruct | undefined): string => {
  const resource = construct?.node.defaultChild;
  if (!resource) throw new Error(`${construct?.node.path ?? 'undefined'} has no CloudFormation resource`);
  return Stack.of(resource).getLogicalId(resource as CfnElement);
};

interface Statement {
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

/** Every IAM statement of the policies attached to a role (by logical id). */
export const statementsOf = (template: Template, roleId: string): Statement[] => {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
};

/** The distinct actions a role's policies allow. */
export const actionsOf = (template: Template, roleId: string): Set<string> =>
  new Set(statementsOf(template, roleId).flatMap((statement) => [statement.Action].flat()));
