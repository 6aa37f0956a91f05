/**
 * Checks a reply the tests received (over HTTP from the local stack, or from a route's handler)
 * against `/openapi.json`: for a documented operation (method and path template), the status
 * must be documented, a JSON body must match that status's schema, and a status documented
 * with a body must come with one. The document is built the way the service builds the one it serves (same
 * routes, same schemas), so what is checked is what clients read.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { apiDocument } from '#functions/shared/openapi';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
type Json = any;

const DOCUMENT_ID = 'coord-openapi';

interface Operation {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly responses: Record<string, Json>;
}

let compiled:
  | { ajv: Ajv2020; operations: Operation[]; validators: Map<string, ValidateFunction> }
  | undefined;

const load = () => {
  if (compiled) return compiled;
  const document: Json = apiDocument('e2e');
  // Formats are not asserted (ids and times are checked by the API's own tests); shapes are.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  addFormats.default(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components ?? {} });
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Json>(document.paths ?? {})) {
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`,
    );
    for (const [method, operation] of Object.entries<Json>(item)) {
      if (typeof operation !== 'object' || !operation.responses) continue;
      operations.push({
        method: method.toUpperCase(),
        template,
        pattern,
        responses: operation.responses,
      });
    }
  }
  // Literal segments win over templates (`/v1/work/claim-next` over `/v1/work/{id}`).
  operations.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  compiled = { ajv, operations, validators: new Map() };
  return compiled;
};

/** `#/components/...` refs point into the registered components document. */
const rebased = (schema: Json): Json =>
  JSON.parse(
    JSON.stringify(schema).replaceAll('"$ref":"#/components/', `"$ref":"${DOCUMENT_ID}#/components/`),
  );

/** What is wrong with a reply to `operation`, or `undefined` when it matches the document. */
const replyMismatch = (
  operation: Operation,
  status: number,
  contentType: string | null | undefined,
  body: unknown,
): string | undefined => {
  const { ajv, validators } = load();
  const where = `${operation.method} ${operation.template} -> ${status}`;
  const response =
    operation.responses[String(status)] ??
    operation.responses[`${String(status)[0]}XX`] ??
    operation.responses.default;
  if (!response)
    return `${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`;
  const schema = response.content?.['application/json']?.schema;
  const isJson = contentType?.includes('application/json') === true && body !== undefined;
  if (!isJson) {
    if (!schema) return undefined;
    return `${where}: no JSON body (content-type ${contentType ?? 'none'}) where the document describes one`;
  }
  if (!schema) return `${where}: a JSON body where the document describes none`;
  const key = `${operation.method} ${operation.template} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rebased(schema));
    validators.set(key, validate);
  }
  if (validate(body)) return undefined;
  return `${where}: ${ajv.errorsText(validate.errors, { separator: '; ' })}`;
};

/**
 * What is wrong with a reply to `method url`, or `undefined` when it matches the document (or
 * the request is not a documented operation: an unknown path, another method).
 */
export const openApiMismatch = (
  method: string,
  url: string,
  status: number,
  contentType: string | null | undefined,
  body: unknown,
): string | undefined => {
  const path = new URL(url, 'http://local').pathname;
  const { operations } = load();
  // The path names its template first, as OpenAPI matches concrete paths before templated ones:
  // `GET /v1/work/claim-next` is no `GET /v1/work/{id}` (it is the edge's 405, undocumented).
  const template = operations.find((candidate) => candidate.pattern.test(path))?.template;
  const operation = operations.find(
    (candidate) => candidate.template === template && candidate.method === method,
  );
  return operation && replyMismatch(operation, status, contentType, body);
};

/** Fails the test with `mismatch` (from {@link openApiMismatch}) and the reply's text. */
export const throwOnMismatch = (mismatch: string | undefined, text: string): void => {
  if (mismatch === undefined) return;
  throw new Error(`The reply does not match /openapi.json: ${mismatch}\n${text.slice(0, 500)}`);
};
