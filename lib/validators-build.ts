/**
 * Validators precompiled at build time (Ajv's standalone code) for every function's bundle: it
 * gets a module in place of `#app/validators` that holds the validators of the schemas the
 * function compiles, so it carries no Ajv compiler (about 130 kB minified with the formats) and
 * compiles nothing when it loads. The code is the code Ajv compiles at run time, with the same
 * options (`PROFILES`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { ConfigEnv } from '#app/config';
import { schemaKey } from '#app/schema-key';
import { ModelAssessment, ModelRecommendations, ModelSuggestions } from '#app/schemas/ai';
import { EscalationMessage } from '#app/schemas/escalations';
import { ImportAgentRecord, ImportEventRecord, ImportWorkRecord } from '#app/schemas/import';
import { JSON_KEYWORDS } from '#app/schemas/json-rules';
import { CLIENT_MESSAGES } from '#app/schemas/live';
import { HeartbeatMessage } from '#app/schemas/messages';
import { DeliveryMessage } from '#app/schemas/webhooks';
import { createAjv, PROFILES, type ValidatorProfile } from '#app/validators';
import { ROUTES } from '#functions/shared/routes';

/** The module a bundle with precompiled validators swaps for. */
export const VALIDATORS_MODULE = '#app/validators';

/** One schema a function compiles, and how. */
export interface ValidatedSchema {
  readonly profile: ValidatorProfile;
  readonly schema: TSchema;
}

/** The schemas a handler compiles besides its routes', by handler module. */
const HANDLER_SCHEMAS: Readonly<Record<string, readonly TSchema[]>> = {
  'functions/ws/message.ts': Object.values(CLIENT_MESSAGES),
  'functions/http/import-records.ts': [ImportAgentRecord, ImportWorkRecord, ImportEventRecord],
  'functions/queues/heartbeats.ts': [HeartbeatMessage],
  'functions/queues/record-escalations.ts': [EscalationMessage],
  'functions/queues/webhook-deliver.ts': [DeliveryMessage],
};

/** The streamed query takes the query route's request. */
const ROUTE_OF_ENTRY: Readonly<Record<string, string>> = {
  'functions/url/ai-query.ts': 'functions/http/ai-query.ts',
};

/**
 * The schemas a function compiles (each when its module loads: `compileSchema` directly, or
 * through `bodyCheck`, `stringsCheck` or `toolCheck`): the environment (`src/app/config.ts`), the
 * body, query and path parameters of its routes (`functions/shared/http.ts`), what the handler
 * checks itself (WebSocket client messages, import records, its queue's messages) and, when it
 * calls Claude, the model's tool answers. A function compiling one not listed here fails when its
 * module loads, and the bundle test loads every bundle.
 */
export const validatedSchemas = ({
  entry,
  claude,
}: {
  entry: string;
  claude: boolean;
}): ValidatedSchema[] => {
  const routeEntry = ROUTE_OF_ENTRY[entry] ?? entry;
  const routes = ROUTES.filter((route) => route.entry === routeEntry).flatMap((route): ValidatedSchema[] => {
    const { body, query, params } = route as { body?: TSchema; query?: TSchema; params?: TSchema };
    return [
      ...(body ? [{ profile: 'body' as const, schema: body }] : []),
      ...[query, params].flatMap((schema) => (schema ? [{ profile: 'strings' as const, schema }] : [])),
    ];
  });
  return [
    { profile: 'config', schema: ConfigEnv },
    ...routes,
    ...(HANDLER_SCHEMAS[entry] ?? []).map((schema): ValidatedSchema => ({ profile: 'body', schema })),
    ...(claude ? [ModelAssessment, ModelRecommendations, ModelSuggestions] : []).map(
      (schema): ValidatedSchema => ({ profile: 'tool', schema }),
    ),
  ];
};

/** Ajv's standalone code `require`s its runtime helpers (`ajv/dist/runtime/…`) even as ESM. */
const REQUIRE = /require\("ajv\/dist\/runtime\/([a-z0-9_]+)"\)/g;

/** The helpers' imports (the CommonJS module as the default import, as `require` gives it). */
const runtimeImports = (code: string): string[] =>
  [...new Set([...code.matchAll(REQUIRE)].map((match) => match[1]))].map(
    (helper) => `import runtime_${helper} from 'ajv/dist/runtime/${helper}.js';`,
  );

const keywordNames = new Map<unknown, string>(
  JSON_KEYWORDS.map((keyword) => [keyword.validate, keyword.keyword]),
);

/** Ajv's standalone module of one profile's schemas, exporting `v<i>` for the i-th. */
const profileModule = (
  profile: ValidatorProfile,
  schemas: readonly TSchema[],
  projectRoot: string,
): string => {
  const ajv = createAjv(profile, { code: { source: true, esm: true, formats: _`formats` } });
  const ids = schemas.map((schema, i) => {
    ajv.addSchema(schema, `v${i}`);
    ajv.getSchema(`v${i}`);
    return `v${i}`;
  });
  // The JSON rules' keyword functions are imported by the module, not serialized.
  const values = (
    ajv.scope as unknown as {
      _values: Record<string, Map<unknown, { value?: { ref: unknown; code?: unknown } }> | undefined>;
    }
  )._values;
  for (const name of values.keyword?.values() ?? []) {
    const value = name.value;
    const keyword = value && keywordNames.get(value.ref);
    if (value === undefined || keyword === undefined)
      throw new Error(`An unknown Ajv keyword function is in the ${profile} schemas.`);
    value.code = _`keywords[${keyword}]`;
  }
  const header = [
    PROFILES[profile].formats ? "import { fullFormats as formats } from 'ajv-formats/dist/formats.js';" : '',
    PROFILES[profile].keywords
      ? `import { JSON_KEYWORDS } from ${JSON.stringify(join(projectRoot, 'src/app/schemas/json-rules.ts'))};\nconst keywords = Object.fromEntries(JSON_KEYWORDS.map((keyword) => [keyword.keyword, keyword.validate]));\n// Ajv calls a keyword function with its instance as \`this\` (\`self\`); the rules do not read it.\nconst self = undefined;`
      : '',
  ];
  const code = standaloneCode(ajv, Object.fromEntries(ids.map((id) => [id, id])));
  return `${[...header, ...runtimeImports(code)].filter(Boolean).join('\n')}\n${code.replace(REQUIRE, 'runtime_$1')}\n`;
};

const indexModule = (
  byProfile: ReadonlyMap<ValidatorProfile, readonly TSchema[]>,
  projectRoot: string,
): string => {
  const imports = [...byProfile.keys()].map((profile) => `import * as ${profile} from './${profile}.mjs';`);
  const entries = [...byProfile].flatMap(([profile, schemas]) =>
    schemas.map((schema, i) => `[${JSON.stringify(schemaKey(profile, schema))}, ${profile}.v${i}]`),
  );
  return `// Generated by lib/validators-build.ts: Ajv's standalone validators of this function's schemas.
import { schemaKey } from ${JSON.stringify(join(projectRoot, 'src/app/schema-key.ts'))};
${imports.join('\n')}
const VALIDATORS = new Map([${entries.join(',\n  ')}]);
export const compileSchema = (profile, schema) => {
  const validate = VALIDATORS.get(schemaKey(profile, schema));
  if (validate === undefined) {
    throw new Error(\`This function was bundled without a validator of one of its \${profile} schemas: list it in validatedSchemas (lib/validators-build.ts).\`);
  }
  return validate;
};
`;
};

const written = new Map<string, string>();

/**
 * A folder for modules generated at build time, under `node_modules/.cache` so the packages they
 * import resolve, and apart per checkout, as the modules name the project's files by absolute path.
 */
export const buildCacheDir = (projectRoot: string, name: string, ...below: string[]): string =>
  join(
    projectRoot,
    'node_modules',
    '.cache',
    name,
    createHash('sha256').update(projectRoot).digest('hex').slice(0, 12),
    ...below,
  );

/**
 * The directory of a function's precompiled validators (its `index.mjs` replaces
 * {@link VALIDATORS_MODULE}), under `node_modules/.cache` so the Ajv runtime helpers and the
 * formats resolve; written once per process (the same bytes every time), when `write` is true.
 */
export const precompiledValidators = (
  projectRoot: string,
  handler: { entry: string; claude: boolean },
  write = true,
): string => {
  const dir = buildCacheDir(
    projectRoot,
    'coord-validators',
    handler.entry.replace(/\.ts$/, '').replaceAll('/', '-'),
  );
  const index = join(dir, 'index.mjs');
  if (!write || written.has(index)) return index;
  const byProfile = new Map<ValidatorProfile, TSchema[]>();
  const seen = new Set<string>();
  for (const { profile, schema } of validatedSchemas(handler)) {
    const key = schemaKey(profile, schema);
    if (seen.has(key)) continue;
    seen.add(key);
    byProfile.set(profile, [...(byProfile.get(profile) ?? []), schema]);
  }
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ...[...byProfile].map(([profile, schemas]): [string, string] => [
      `${profile}.mjs`,
      profileModule(profile, schemas, projectRoot),
    ]),
    ['index.mjs', indexModule(byProfile, projectRoot)],
  ];
  // Written aside and renamed, as several builds (test workers) may write the same files at once.
  for (const [name, text] of files) {
    const aside = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(aside, text);
    renameSync(aside, join(dir, name));
  }
  written.set(index, index);
  return index;
};
