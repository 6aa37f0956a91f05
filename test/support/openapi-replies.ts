/**
 * Checks a reply the e2e suite received against `/openapi.json`: for a documented operation
 * (method and path template), the status must be documented and a JSON body must match that
 * status's schema. The document is built the way the service builds the one it serves (same
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
      operations.push({ method: method.toUpperCase(), template, pattern, responses: operation.responses });
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

/** What is wrong with a reply, or `undefined` when it matches the document (or is not described by it). */
export const openApiMismatch = (
  method: string,
  url: string,
  status: number,
  contentType: string | null,
  body: unknown,
): string | undefined => {
  const { ajv, operations, validators } = load();
  const path = new URL(url, 'http://local').pathname;
  const operation = operations.find(
    (candidate) => candidate.method === method && candidate.pattern.test(path),
  );
  if (!operation) return undefined;
  const where = `${method} ${operation.template} -> ${status}`;
  const response =
    operation.responses[String(status)] ??
    operation.responses[`${String(status)[0]}XX`] ??
    operation.responses.default;
  if (!response)
    return `${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`;
  if (!contentType?.includes('application/json') || body === undefined) return undefined;
  const schema = response.content?.['application/json']?.schema;
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
