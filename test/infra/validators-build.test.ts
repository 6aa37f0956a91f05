import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ConfigEnv } from '#app/config';
import { ModelAssessment } from '#app/schemas/ai';
import { AskMessage, SubscribeMessage } from '#app/schemas/live';
import { compileSchema, type ValidatorProfile } from '#app/validators';
import { type HandlerBundle, handlerEntries } from '../../lib/bundle';
import { PROJECT_ROOT } from '../../lib/constructs/coord-function';
import { precompiledValidators, validatedSchemas } from '../../lib/validators-build';

type Compile = (profile: ValidatorProfile, schema: TSchema) => ValidateFunction;

const WS = { entry: 'functions/ws/message.ts', claude: true };
const precompiled = async (handler: HandlerBundle = WS): Promise<Compile> =>
  (
    (await import(pathToFileURL(precompiledValidators(PROJECT_ROOT, handler)).href)) as {
      compileSchema: Compile;
    }
  ).compileSchema;

/** The verdict, the errors and the value after defaults and coercion, of one validator. */
const outcome = (validate: ValidateFunction, value: unknown) => {
  const data = structuredClone(value);
  return { valid: validate(data), errors: validate.errors ?? null, data };
};

const CONTROL = 'a\u0007b';
const LONE_SURROGATE = 'a\uD800b';

describe('validators precompiled at build time for a bundle', () => {
  it('answer as Ajv compiling at run time does: verdicts, errors, defaults and coercions', async () => {
    const compile = await precompiled();
    const samples: [ValidatorProfile, TSchema, unknown[]][] = [
      [
        'config',
        ConfigEnv,
        [
          {},
          { COORD_LEASE_SECONDS: '60', AWS_REGION: 'eu-west-1', COORD_HEARTBEAT_TIMEOUT_MULTIPLE: '2.5' },
          { COORD_LEASE_SECONDS: 'soon', AWS_ENDPOINT_URL: 'ftp://example.com', COORD_STAGE: 'Bad Stage' },
        ],
      ],
      [
        'body',
        AskMessage,
        [
          { action: 'ask', id: 'q1', question: 'Who is idle?' },
          { action: 'ask', id: 'q1', question: CONTROL },
          { action: 'ask', id: LONE_SURROGATE, question: '', extra: true },
        ],
      ],
      [
        'body',
        SubscribeMessage,
        [
          { action: 'subscribe', channels: [] },
          { action: 'subscribe', channels: ['x'] },
        ],
      ],
      [
        'tool',
        ModelAssessment,
        [
          { summary: 'Fine.', findings: [] },
          { summary: '', findings: [{ id: 'a', severity: 'dire', subject: 's', message: 'm' }] },
        ],
      ],
    ];
    // Every schema the bundle carries, with values that fail most of them in several ways.
    for (const { profile, schema } of validatedSchemas(WS)) {
      samples.push([profile, schema, [{}, { unknown: 1 }, 'text', null, []]]);
    }
    let compared = 0;
    for (const [profile, schema, values] of samples) {
      for (const value of values) {
        expect(outcome(compile(profile, schema), value)).toEqual(
          outcome(compileSchema(profile, schema), value),
        );
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  // Every schema of every function: the body, query and path parameters of all routes, the queue
  // messages and import records, with values that fail them in several ways.
  it.each(handlerEntries().filter((handler) => handler.entry !== WS.entry))(
    'answer as Ajv compiling at run time does for every schema of $entry',
    async (handler) => {
      const compile = await precompiled(handler);
      const schemas = validatedSchemas(handler);
      for (const { profile, schema } of schemas) {
        for (const value of [
          {},
          { unknown: 1 },
          { id: 'a\u0007b' },
          { id: '7', limit: '3' },
          'text',
          null,
          [],
        ]) {
          expect(outcome(compile(profile, schema), value)).toEqual(
            outcome(compileSchema(profile, schema), value),
          );
        }
      }
      expect(schemas.length).toBeGreaterThan(0);
    },
    60_000,
  );

  // A function's validators are complete when every schema it compiles is compiled as its module
  // loads (the bundle test loads every bundle): these are all the places that compile one, each
  // reached at module load; a new one must be, and its schemas listed in validatedSchemas.
  it('are compiled only where a module loads: every call site of the compilers is a known one', () => {
    const CALL = /\b(compileSchema|bodyCheck|stringsCheck|toolCheck)(<[^>(]*>)?\(/;
    const sites = ['src', 'functions'].flatMap((dir) =>
      readdirSync(join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .flatMap((file) =>
          readFileSync(join(PROJECT_ROOT, dir, file), 'utf8')
            .split('\n')
            .filter((line) => CALL.test(line) && !/^\s*(export const|\*|\/\/)/.test(line))
            .map((line) => `${dir}/${file}: ${line.trim()}`),
        ),
    );
    expect(sites.sort()).toEqual([
      'functions/http/import-records.ts: agents: bodyCheck(ImportAgentRecord),',
      'functions/http/import-records.ts: events: bodyCheck(ImportEventRecord),',
      'functions/http/import-records.ts: work: bodyCheck(ImportWorkRecord),',
      'functions/shared/http.ts: const checkBody = route.body && bodyCheck(route.body);',
      'functions/shared/http.ts: const checkParams = route.params && stringsCheck(route.params);',
      'functions/shared/http.ts: const checkQuery = route.query && stringsCheck(route.query);',
      'functions/shared/queue.ts: const check = bodyCheck(spec.schema);',
      'functions/ws/message.ts: Object.entries(CLIENT_MESSAGES).map(([action, schema]) => [action, bodyCheck(schema)]),',
      "src/app/config.ts: const checkEnv = compileSchema<ConfigEnv>('config', ConfigEnv);",
      'src/app/use-cases/ai/analyze-performance.ts: const CHECK = toolCheck(ModelSuggestions);',
      'src/app/use-cases/ai/assess-health.ts: const CHECK = toolCheck(ModelAssessment);',
      'src/app/use-cases/ai/recommend-assignments.ts: const CHECK = toolCheck(ModelRecommendations);',
    ]);
  });

  it('holds no validator of a schema the function was not built with, and says where to list it', async () => {
    const compile = await precompiled();
    expect(() => compile('strings', AskMessage)).toThrow(/validatedSchemas \(lib\/validators-build\.ts\)/);
  });
});
