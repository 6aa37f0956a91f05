import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, type CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import { Matcher, MatchResult, Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { inject } from 'vitest';
import { CONSUMERS } from '#functions/shared/consumers';
import { ROUTES } from '#functions/shared/routes';
import { SCHEDULES } from '#functions/shared/schedules';
import { STREAM_CONSUMERS } from '#functions/shared/streams';
import { WS_ROUTES } from '#functions/shared/ws-routes';
import { AI_QUERY_STREAM_ENTRY } from '../../../lib/constructs/ai-query-stream';
import { PROJECT_ROOT } from '../../../lib/constructs/coord-function';
import { FALLBACK_ENTRY } from '../../../lib/constructs/http-routes';
import { PRE_TRAFFIC_HOOK_ENTRY } from '../../../lib/constructs/pre-traffic-hook';
import { buildCoordApp, type CoordStacks } from '../../../lib/coord-app';
import { type StageConfig, stageConfig } from '../../../lib/stage-config';

/** A synthesized deployment with every stack: the stacks and their templates. */
export interface SynthesizedApp {
  readonly stacks: Required<Omit<CoordStacks, 'edge'>> & Pick<CoordStacks, 'edge'>;
  readonly data: Template;
  readonly messaging: Template;
  /** The API stack with its nested stacks (one per route area) as one template: see {@link flattenedTemplate}. */
  readonly api: Template;
  readonly realtime: Template;
  readonly web: Template;
  readonly observability: Template;
  /** The edge stack (the CloudFront web ACL), when the stage sets `perIpLimit`. */
  readonly edge?: Template;
  /** Each stack CloudFormation deploys on its own, the nested ones included, with its own template. */
  readonly templates: ReadonlyMap<Stack, Template>;
}

/** A fresh temporary folder, removed at the end of the run (scratch-global-setup.ts). */
export const scratchDir = (prefix: string): string =>
  mkdtempSync(join(inject('infraScratchRoot'), `${prefix}-`));

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
  for (const entry of [...entries, FALLBACK_ENTRY, AI_QUERY_STREAM_ENTRY, PRE_TRAFFIC_HOOK_ENTRY]) {
    mkdirSync(dirname(join(root, entry)), { recursive: true });
    writeFileSync(join(root, entry), 'export const handler = async () => ({ statusCode: 204 });\n');
  }
  // A stand-in for the dashboard build (`web/dist`), so the web stack uploads something.
  mkdirSync(join(root, 'web/dist'), { recursive: true });
  writeFileSync(join(root, 'web/dist/index.html'), '<!doctype html><title>coord</title>\n');
  stubRoot = root;
  return root;
};

/** The region of the stacks of a stage with `perIpLimit` (its cross-region reference needs one). */
export const PER_IP_TEST_REGION = 'eu-west-1';

/**
 * Builds the stacks of a stage config against the stub project root, without bundling; a stage
 * with `perIpLimit` is given a region, as `cdk synth` gives one from the CLI's settings.
 */
export const buildStacks = (config: StageConfig): CoordStacks =>
  buildCoordApp(appWithoutBundling(), {
    config,
    functionDefaults: { projectRoot: stubProjectRoot() },
    ...(config.perIpLimit && { env: { region: PER_IP_TEST_REGION } }),
  });

/** Synthesized stages by stage and overrides: a synth takes seconds, and tests only read it. */
const synthesized = new Map<string, SynthesizedApp>();

/**
 * Synthesizes every stack of a stage (its config changed by `overrides`), without bundling.
 * The result is shared by every test (of every file in the worker) asking for the same stage
 * and overrides, so tests read the stacks and templates and never add to them.
 * @throws Error when the stage leaves out a stack.
 */
export const synthesize = (stage: string, overrides: Partial<StageConfig> = {}): SynthesizedApp => {
  // An override set to undefined replaces the stage's value, so it must not key like no override.
  const key = JSON.stringify([stage, overrides], (_, value) => (value === undefined ? '(undefined)' : value));
  const cached = synthesized.get(key);
  if (cached) return cached;
  const app = synthesizeAnew(stage, overrides);
  synthesized.set(key, app);
  return app;
};

const synthesizeAnew = (stage: string, overrides: Partial<StageConfig>): SynthesizedApp => {
  const { data, messaging, api, realtime, web, observability, edge } = buildStacks({
    ...stageConfig(stage),
    ...overrides,
  });
  if (!api || !realtime || !web || !observability)
    throw new Error(`Stage ${stage} does not build every stack`);
  const stacks = { data, messaging, api, realtime, web, observability, edge };
  const templates = new Map<Stack, Template>(
    [data, messaging, api, realtime, web, observability, ...(edge ? [edge] : [])]
      .flatMap((stack) => [stack, ...nestedStacksOf(stack)])
      .map((stack) => [stack, Template.fromStack(stack)]),
  );
  const templateOf = (stack: Stack): Template => templates.get(stack) as Template;
  return {
    stacks,
    data: templateOf(data),
    messaging: templateOf(messaging),
    api: flattenedTemplate(api, templates),
    realtime: templateOf(realtime),
    web: templateOf(web),
    observability: templateOf(observability),
    ...(edge && { edge: templateOf(edge) }),
    templates,
  };
};

/** The nested stacks directly under a stack, in construct order. */
export const nestedStacksOf = (stack: Stack): NestedStack[] =>
  stack.node
    .findAll()
    .filter((construct): construct is NestedStack => construct instanceof NestedStack)
    .filter((nested) => nested.nestedStackParent === stack);

/** `value` with each `Ref` to a parameter replaced by the parameter's value and logical ids renamed. */
const resolveIn = (
  value: unknown,
  parameters: Readonly<Record<string, unknown>>,
  renamed: ReadonlyMap<string, string>,
): unknown => {
  const rename = (id: unknown) => (typeof id === 'string' ? (renamed.get(id) ?? id) : id);
  if (Array.isArray(value)) return value.map((item) => resolveIn(item, parameters, renamed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first?.[0] === 'Ref' && typeof first[1] === 'string') {
    return Object.hasOwn(parameters, first[1]) ? parameters[first[1]] : { Ref: rename(first[1]) };
  }
  if (entries.length === 1 && first?.[0] === 'Fn::GetAtt' && Array.isArray(first[1])) {
    const [target, ...attribute] = first[1];
    return { 'Fn::GetAtt': [rename(target), ...attribute] };
  }
  return Object.fromEntries(
    entries.map(([key, item]) => [
      key,
      key === 'DependsOn' ? [item].flat().map(rename) : resolveIn(item, parameters, renamed),
    ]),
  );
};

/**
 * A stack and its nested stacks as one template, as if CloudFormation had deployed them as one:
 * each nested stack's resources take the place of its `AWS::CloudFormation::Stack` resource, and
 * a reference to one of its parameters becomes the value the parent passes (a `Ref` to the
 * parent's secret stays a `Ref` to that secret). Checks that hold for "the API" whatever stack a
 * route's function lives in read this; resource limits read each stack's own template.
 * @throws Error when a nested stack reuses a logical id of its parent or of another nested stack.
 */
export const flattenedTemplate = (stack: Stack, templates?: ReadonlyMap<Stack, Template>): Template => {
  const templateOf = (of: Stack) => templates?.get(of) ?? Template.fromStack(of);
  const root = templateOf(stack).toJSON();
  const nestedById = new Map(
    nestedStacksOf(stack).map((nested) => [
      stack.getLogicalId(nested.nestedStackResource as CfnElement),
      nested,
    ]),
  );
  const innerOf = (nested: NestedStack) => templateOf(nested).toJSON().Resources as Record<string, unknown>;
  // What every stack declares once (the CodeDeploy application and its role) keeps its id prefixed
  // by its nested stack's; any other repeated id would make the flattened view lie, so it throws.
  const seen = new Map<string, number>();
  for (const id of [
    root,
    ...[...nestedById.values()].map((nested) => ({ Resources: innerOf(nested) })),
  ].flatMap((template) => Object.keys(template.Resources))) {
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const resources: Record<string, unknown> = {};
  const add = (id: string, resource: unknown) => {
    if (Object.hasOwn(resources, id))
      throw new Error(`Logical id ${id} appears twice under ${stack.stackName}`);
    resources[id] = resource;
  };
  const PER_STACK = /^(CanaryDeployRole|Canary)[0-9A-F]{8}$/;
  for (const [id, resource] of Object.entries(
    root.Resources as Record<string, { Properties?: { Parameters?: Record<string, unknown> } }>,
  )) {
    const nested = nestedById.get(id);
    if (nested) {
      const parameters = resource.Properties?.Parameters ?? {};
      const inner = innerOf(nested);
      const renamed = new Map(
        Object.keys(inner)
          .filter((innerId) => (seen.get(innerId) ?? 0) > 1 && PER_STACK.test(innerId))
          .map((innerId) => [innerId, `${id}${innerId}`]),
      );
      for (const [innerId, innerResource] of Object.entries(inner)) {
        add(renamed.get(innerId) ?? innerId, resolveIn(innerResource, parameters, renamed));
      }
    }
    add(id, resource);
  }
  return Template.fromJSON({ ...root, Resources: resources });
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
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
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

/** The distinct actions a role's policies allow (explicit denials are not counted). */
export const actionsOf = (template: Template, roleId: string): Set<string> =>
  new Set(
    statementsOf(template, roleId)
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => [statement.Action].flat()),
  );
