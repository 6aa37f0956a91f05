/**
 * The OpenAPI 3.1 document, generated from the route table and the same TypeBox schemas that
 * validate requests, so the document cannot drift from what the API accepts. Named object
 * schemas (the exports of `schemas/`) become `components.schemas` entries the first time an
 * operation uses them; everything else stays inline.
 */
import type { TSchema } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from '#core/errors';
import { rolesAdmittedBy } from '#core/roles';
import { ROUTE_TAGS, type RouteDefinition, type SignedBy } from './route';
import * as adminSchemas from './schemas/admin';
import * as agentSchemas from './schemas/agents';
import * as commonSchemas from './schemas/common';
import { DOCUMENTED_AS } from './schemas/common';
import * as githubSchemas from './schemas/github';
import * as importSchemas from './schemas/import';
import * as messageSchemas from './schemas/messages-thread';
import * as viewSchemas from './schemas/views';
import * as workSchemas from './schemas/work';

/** What the generator needs of a route: the route table's own type, minus deployment fields. */
export type DocumentedRoute = Omit<RouteDefinition, 'entry' | 'grants' | 'sends' | 'timeoutSeconds'>;

/** Inputs of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  readonly routes: readonly DocumentedRoute[];
  /** The HTTP status of each error code (`functions/shared/errors.ts`). */
  readonly statusOf: Readonly<Record<ErrorCode, number>>;
  /** Reported as `info.version`. */
  readonly version: string;
}

/** A JSON object of the document. */
export type JsonObject = { [key: string]: unknown };

const ERROR_SCHEMA: JsonObject = {
  type: 'object',
  description: 'Every error answer.',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string', description: 'Human-readable; do not parse.' },
        details: {
          type: 'object',
          description:
            'Structured details. For `validation_error`: `{errors: [{path, message}]}`, one per bad field, `path` a JSON pointer ("" for the whole body).',
        },
      },
    },
  },
};

const HEADERS: JsonObject = {
  RequestId: {
    description: 'API Gateway request id; audit events record it as `requestId`.',
    schema: { type: 'string' },
  },
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } },
  IdempotentReplayed: {
    description: 'Present (`true`) when this is the stored answer of an earlier request with the same key.',
    schema: { type: 'string', enum: ['true'] },
  },
};

const IDEMPOTENCY_PARAMETER: JsonObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: a repeat with the same key and body (same caller, method and path, within 24 h) gets the first answer; the same key with another body, or while the first still runs, gets 409 `idempotency_conflict`. Answers of 500 and above are not kept.',
  schema: { type: 'string', minLength: 1, maxLength: 128 },
};

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const isSchema = (value: unknown): value is TSchema =>
  typeof value === 'object' && value !== null && Object.getOwnPropertySymbols(value).length > 0;

/** Plain JSON of a schema: TypeBox's symbol keys dropped, key order kept. */
const plain = (schema: unknown): string => JSON.stringify(schema);

const componentName = (exportName: string): string => exportName.replace(/Schema$/, '');

/** Named object schemas by their JSON, so optional (cloned) uses still find their name. */
const NAMED = (() => {
  const names = new Map<string, string>();
  for (const module of [
    commonSchemas,
    agentSchemas,
    workSchemas,
    adminSchemas,
    importSchemas,
    viewSchemas,
    messageSchemas,
    githubSchemas,
  ]) {
    for (const [exportName, value] of Object.entries(module)) {
      if (!isSchema(value) || value.type !== 'object') continue;
      const key = plain(value);
      if (!names.has(key)) names.set(key, componentName(exportName));
    }
  }
  return names;
})();

const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs']);
const SUBSCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SUBSCHEMA_ONE = new Set(['items', 'additionalProperties', 'not', 'contains']);

/** Collects `components.schemas` while turning schemas into document JSON. */
class SchemaRegistry {
  readonly components: Record<string, JsonObject> = {};

  /** The document form of `schema`: a `$ref` for a named object schema, else inline. */
  use(schema: TSchema): JsonObject {
    const standIn = (schema as { [DOCUMENTED_AS]?: TSchema })[DOCUMENTED_AS];
    if (standIn !== undefined) return { ...this.use(standIn), description: schema.description };
    const name = NAMED.get(plain(schema));
    if (name === undefined) return this.inline(schema);
    if (!(name in this.components)) {
      this.components[name] = {};
      this.components[name] = this.inline(schema);
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  private inline(schema: TSchema): JsonObject {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(schema)) {
      if (SUBSCHEMA_MAPS.has(key) && value && typeof value === 'object') {
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, TSchema>).map(([k, v]) => [k, this.use(v)]),
        );
      } else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) {
        out[key] = value.map((v: TSchema) => this.use(v));
      } else if (SUBSCHEMA_ONE.has(key) && value && typeof value === 'object') {
        out[key] = this.use(value as TSchema);
      } else {
        out[key] = JSON.parse(JSON.stringify(value)) as unknown;
      }
    }
    return out;
  }
}

/** How each outside service signs the requests of its routes (`signedBy`). */
const SIGNATURE_SCHEMES: Readonly<Record<SignedBy, JsonObject & { description: string }>> = {
  github: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Hub-Signature-256',
    description:
      "`sha256=<hex HMAC-SHA256 of the raw body>` with the webhook secret (`COORD_GITHUB_WEBHOOK_SECRET`, or the deployment's GitHub webhook secret); none configured: 403",
  },
};

/** Headers besides the signature that each outside service sends with its requests. */
const SIGNED_HEADERS: Readonly<Record<SignedBy, readonly JsonObject[]>> = {
  github: [
    {
      name: 'X-GitHub-Event',
      in: 'header',
      required: true,
      description: '`issues` and `ping` are acted on; any other event is answered 202 `ignored`.',
      schema: { type: 'string' },
    },
  ],
};

/** Error codes a route can answer with, whatever its use case does. */
const genericErrors = (route: DocumentedRoute): ErrorCode[] => {
  const codes: ErrorCode[] = [];
  if (route.access !== 'public' || route.signedBy) codes.push('unauthorized');
  // Every route may refuse a call that bypassed the stage's CloudFront (`perIpLimit`, origin check).
  codes.push('forbidden');
  if (route.body || route.query || route.params || route.method === 'POST') codes.push('validation_error');
  if (route.body) codes.push('payload_too_large', 'unsupported_media_type');
  if (route.method === 'POST') codes.push('idempotency_conflict');
  if (route.access !== 'public') codes.push('rate_limited');
  codes.push('unavailable', 'internal');
  return codes;
};

/** Where a 413 may come in another shape than the API's (README "Bodies"). */
const GATEWAY_TOO_LARGE_NOTE =
  ' On AWS, a body above API Gateway\'s own 10 MiB limit is refused by API Gateway itself, before the service, with `{"message": "Request Entity Too Large"}`.';

const errorResponses = (route: DocumentedRoute, statusOf: OpenApiOptions['statusOf']): JsonObject => {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...genericErrors(route), ...(route.errors ?? [])])) {
    const status = statusOf[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      {
        description: `${STATUS_TEXT[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}.${status === 413 ? GATEWAY_TOO_LARGE_NOTE : ''}`,
        headers: {
          'x-request-id': { $ref: '#/components/headers/RequestId' },
          ...(status === 429 || status === 503
            ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }
            : {}),
        },
        content: {
          'application/json': {
            schema: {
              allOf: [
                { $ref: '#/components/schemas/Error' },
                {
                  type: 'object',
                  properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
                },
              ],
            },
          },
        },
      },
    ]),
  );
};

const successResponses = (route: DocumentedRoute, registry: SchemaRegistry): JsonObject => {
  const responses = route.responses ?? { 200: null };
  return Object.fromEntries(
    Object.entries(responses).map(([status, schema]) => [
      status,
      {
        description: STATUS_TEXT[Number(status)] ?? 'Success',
        headers: {
          'x-request-id': { $ref: '#/components/headers/RequestId' },
          ...(Number(status) === 503 ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } : {}),
          ...(route.method === 'POST'
            ? { 'idempotent-replayed': { $ref: '#/components/headers/IdempotentReplayed' } }
            : {}),
        },
        ...(schema ? { content: { 'application/json': { schema: registry.use(schema) } } } : {}),
      },
    ]),
  );
};

type ResponseObject = JsonObject & {
  description: string;
  headers: JsonObject;
  content?: { 'application/json': { schema: JsonObject } };
};

/**
 * A route's answers by status. A status both kinds document (`GET /v1/health` answers 503 with
 * its own view, and 503 `unavailable` when it does not answer in time) takes either body.
 */
const mergedResponses = (success: JsonObject, errors: JsonObject): JsonObject => {
  const merged: JsonObject = { ...success };
  for (const [status, value] of Object.entries(errors)) {
    const error = value as ResponseObject;
    const own = success[status] as ResponseObject | undefined;
    const ownSchema = own?.content?.['application/json'].schema;
    const errorSchema = error.content?.['application/json'].schema;
    merged[status] =
      own === undefined
        ? error
        : {
            ...own,
            description: `${error.description} Or the route's own answer of this status.`,
            headers: { ...error.headers, ...own.headers },
            ...(ownSchema && errorSchema
              ? { content: { 'application/json': { schema: { anyOf: [ownSchema, errorSchema] } } } }
              : {}),
          };
  }
  return merged;
};

const parametersOf = (schema: TSchema | undefined, where: 'path' | 'query', registry: SchemaRegistry) => {
  if (!schema) return [];
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  return Object.entries((schema.properties ?? {}) as Record<string, TSchema>).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: registry.use(property),
  }));
};

const operationOf = (
  route: DocumentedRoute,
  options: OpenApiOptions,
  registry: SchemaRegistry,
): JsonObject => {
  const parameters = [
    ...parametersOf(route.params, 'path', registry),
    ...parametersOf(route.query, 'query', registry),
    ...(route.method === 'POST' ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
    ...(route.signedBy ? SIGNED_HEADERS[route.signedBy] : []),
  ];
  const roles =
    route.access !== 'public'
      ? rolesAdmittedBy(route.access).join(', ')
      : route.signedBy
        ? `none (signed by ${route.signedBy}: ${SIGNATURE_SCHEMES[route.signedBy].description})`
        : 'none (public)';
  return {
    operationId: route.id,
    summary: route.summary,
    description: `Roles: ${roles}.${route.body ? ` Largest body: ${route.maxBodyBytes ?? 65_536} bytes.` : ''}`,
    tags: [route.tag],
    'x-roles': route.access === 'public' ? [] : rolesAdmittedBy(route.access),
    security:
      route.access !== 'public'
        ? [{ bearer: [] }]
        : route.signedBy
          ? [{ [`${route.signedBy}Signature`]: [] }]
          : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: registry.use(route.body) } },
          },
        }
      : {}),
    responses: mergedResponses(successResponses(route, registry), errorResponses(route, options.statusOf)),
  };
};

/** The whole OpenAPI 3.1 document of these routes. */
export const buildOpenApiDocument = (options: OpenApiOptions): JsonObject => {
  const registry = new SchemaRegistry();
  const paths: Record<string, JsonObject> = {};
  for (const route of options.routes) {
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: operationOf(route, options, registry),
    };
  }
  const tags = [...new Set(options.routes.map((r) => r.tag))].map((name) => ({
    name,
    description: ROUTE_TAGS[name],
  }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Agent coordination service',
      version: options.version,
      description:
        'Agents register, claim work items without collisions, report progress and liveness. JSON in and out; `Authorization: Bearer <token>`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An admin, viewer, agent or registration token.',
        },
        ...Object.fromEntries(
          Object.entries(SIGNATURE_SCHEMES).map(([service, scheme]) => [`${service}Signature`, scheme]),
        ),
      },
      parameters: { IdempotencyKey: IDEMPOTENCY_PARAMETER },
      headers: HEADERS,
      schemas: { Error: ERROR_SCHEMA, ...registry.components },
    },
  };
};
