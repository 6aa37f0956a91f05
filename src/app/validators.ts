/**
 * Every JSON Schema validator the service compiles, by profile (the Ajv options it is compiled
 * with). Here Ajv compiles each schema on first use (the local stack and the tests); every Lambda
 * bundle swaps this module for one holding its function's validators precompiled by Ajv at build
 * time (`lib/validators-build.ts`, Ajv's standalone code), so no bundle carries the Ajv compiler
 * or compiles a schema when it loads. Both give the same validation functions: the standalone
 * code is what Ajv compiles here.
 */
import type { TSchema } from '@sinclair/typebox';
import Ajv, { type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { JSON_KEYWORDS } from '#app/schemas/json-rules';

/** How a schema is compiled. */
export type ValidatorProfile = 'body' | 'strings' | 'config' | 'tool';

/** The Ajv options of a profile, and whether it knows the JSON rules' keywords and the formats. */
export interface ProfileOptions {
  readonly options: Options;
  readonly keywords: boolean;
  readonly formats: boolean;
}

const requestOptions = { allErrors: true, useDefaults: true, strict: true, strictTypes: false } as const;

export const PROFILES: Readonly<Record<ValidatorProfile, ProfileOptions>> = {
  /** Request and message bodies: JSON with the right types, defaults filled in, unknown fields refused. */
  body: { options: requestOptions, keywords: true, formats: true },
  /** Query and path parameters: strings coerced to the schema's types. */
  strings: { options: { ...requestOptions, coerceTypes: true }, keywords: true, formats: true },
  /** The environment: strings coerced, defaults filled in. */
  config: {
    options: { allErrors: true, coerceTypes: true, useDefaults: true, strict: true },
    keywords: false,
    formats: true,
  },
  /** The model's tool-call answers. */
  tool: { options: { allErrors: true, strict: false }, keywords: false, formats: false },
};

/** An Ajv instance of a profile, with `extra` options (the build adds `code`). */
export const createAjv = (profile: ValidatorProfile, extra: Options = {}): Ajv => {
  const { options, keywords, formats } = PROFILES[profile];
  const ajv = new Ajv({ ...options, ...extra });
  if (keywords) for (const keyword of JSON_KEYWORDS) ajv.addKeyword({ ...keyword });
  return formats ? addFormats(ajv) : ajv;
};

const instances = new Map<ValidatorProfile, Ajv>();
const compiled = new WeakMap<TSchema, Map<ValidatorProfile, ValidateFunction>>();

/** The validator of `schema` in `profile`, compiled once. */
export const compileSchema = <T = unknown>(
  profile: ValidatorProfile,
  schema: TSchema,
): ValidateFunction<T> => {
  const bySchema = compiled.get(schema) ?? new Map<ValidatorProfile, ValidateFunction>();
  compiled.set(schema, bySchema);
  let validate = bySchema.get(profile);
  if (!validate) {
    let ajv = instances.get(profile);
    if (!ajv) {
      ajv = createAjv(profile);
      instances.set(profile, ajv);
    }
    validate = ajv.compile(schema);
    bySchema.set(profile, validate);
  }
  return validate as ValidateFunction<T>;
};
