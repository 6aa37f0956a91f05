/**
 * Request validation with Ajv (`#app/validators`), compiled once per schema at module load. Failures become one
 * `{path, message}` per bad field, `path` a JSON pointer to the field itself: for a missing
 * field the pointer names the field (`/team`), and so does it for an unknown one.
 */
import type { TSchema } from '@sinclair/typebox';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileSchema } from '#app/validators';
import { type FieldError, ValidationError } from '#core/errors';

const escapePointer = (segment: string): string => segment.replaceAll('~', '~0').replaceAll('/', '~1');

const pathOf = (error: ErrorObject): string => {
  const { keyword, params, instancePath } = error;
  if (keyword === 'required') return `${instancePath}/${escapePointer(String(params.missingProperty))}`;
  if (keyword === 'additionalProperties')
    return `${instancePath}/${escapePointer(String(params.additionalProperty))}`;
  return instancePath;
};

const messageOf = (error: ErrorObject): string => {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'enum':
      return `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`;
    case 'anyOf':
      return 'does not match any allowed shape';
    default:
      return error.message ?? 'is not valid';
  }
};

/** One entry per bad field; of several failures at one path, a union's summary wins, else the first. */
export const fieldErrors = (errors: readonly ErrorObject[]): FieldError[] => {
  const byPath = new Map<string, ErrorObject>();
  for (const error of errors) {
    const path = pathOf(error);
    const seen = byPath.get(path);
    if (!seen || error.keyword === 'anyOf') byPath.set(path, error);
  }
  return [...byPath].map(([path, error]) => ({ path, message: messageOf(error) }));
};

/** A checker of one part of a request. */
export type Check = (value: unknown) => unknown;

const checker =
  (validate: ValidateFunction): Check =>
  (value) => {
    if (!validate(value)) throw new ValidationError(fieldErrors(validate.errors ?? []));
    return value;
  };

/**
 * A checker for a JSON body: no type coercion, defaults filled in, unknown fields refused.
 * @throws ValidationError from the returned function, listing every bad field
 */
export const bodyCheck = (schema: TSchema): Check => checker(compileSchema('body', schema));

/**
 * A checker for query or path parameters: strings are coerced to the schema's types.
 * @throws ValidationError from the returned function, listing every bad field
 */
export const stringsCheck = (schema: TSchema): Check => checker(compileSchema('strings', schema));
