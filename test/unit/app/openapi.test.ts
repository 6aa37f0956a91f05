import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '#app/openapi';
import { ERROR_CODES } from '#core/errors';
import { STATUS } from '#functions/shared/errors';
import { ROUTES } from '#functions/shared/routes';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
type Json = any;

const document: Json = buildOpenApiDocument({ routes: ROUTES, statusOf: STATUS, version: '1.2.3' });
const text = JSON.stringify(document);

const refsIn = (value: unknown): string[] =>
  [...JSON.stringify(value).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] ?? '');

const resolve = (ref: string): unknown =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<Json>((node, key) => node?.[key], document);

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();

    const result = await validator.validate(document);

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every route under its method and path, with its id as operationId', () => {
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeTruthy();
      expect(operation.operationId).toBe(route.id);
      expect(operation.tags).toEqual([route.tag]);
    }
    const operations = Object.values(document.paths).flatMap((item) => Object.keys(item as object));
    expect(operations).toHaveLength(ROUTES.length);
  });

  it('resolves every $ref', () => {
    for (const ref of refsIn(document)) expect(resolve(ref), ref).toBeTruthy();
  });

  it('references every component schema from an operation or another referenced schema', () => {
    const reachable = new Set<string>();
    const visit = (value: unknown): void => {
      for (const ref of refsIn(value)) {
        if (reachable.has(ref)) continue;
        reachable.add(ref);
        visit(resolve(ref));
      }
    };
    visit(document.paths);

    for (const name of Object.keys(document.components.schemas)) {
      expect(reachable, name).toContain(`#/components/schemas/${name}`);
    }
  });

  it('takes request bodies from the validating schemas, unknown fields refused', () => {
    const create = document.paths['/v1/work'].post.requestBody.content['application/json'].schema;
    const body = resolve(create.$ref) as Json;

    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(['type', 'title', 'team']);
    expect(body.properties.priority.enum).toEqual(['critical', 'high', 'medium', 'low']);
  });

  it('lists query and path parameters', () => {
    const listWork = document.paths['/v1/work'].get;
    const getWork = document.paths['/v1/work/{id}'].get;

    expect(listWork.parameters.map((p: Json) => `${p.in}:${p.name}`)).toEqual([
      'query:team',
      'query:status',
      'query:agentId',
      'query:limit',
      'query:cursor',
    ]);
    expect(getWork.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({ name: 'flags', in: 'query', required: false }),
      ]),
    );
    expect(getWork.parameters).toHaveLength(2);
  });

  it('documents the conflict codes of a route under 409 and the error schema with every code', () => {
    const claim = document.paths['/v1/work/{id}/claim'].post.responses;
    const codes =
      claim['409'].content['application/json'].schema.allOf[1].properties.error.properties.code.enum;

    expect(codes).toEqual(
      expect.arrayContaining(['already_claimed', 'not_claimable', 'idempotency_conflict']),
    );
    expect(claim['404']).toBeTruthy();
    expect(document.components.schemas.Error.properties.error.properties.code.enum).toEqual([...ERROR_CODES]);
  });

  it("keeps a route's own body for a status errors use too: health's 503 is its view or unavailable", () => {
    const unavailable = document.paths['/v1/health'].get.responses['503'];

    expect(unavailable.content['application/json'].schema.anyOf).toEqual([
      { $ref: '#/components/schemas/HealthView' },
      {
        allOf: [
          { $ref: '#/components/schemas/Error' },
          {
            type: 'object',
            properties: { error: { type: 'object', properties: { code: { enum: ['unavailable'] } } } },
          },
        ],
      },
    ]);
    expect(unavailable.headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
  });

  it('adds Retry-After to 503 answers and the Idempotency-Key parameter to POSTs', () => {
    const claimNext = document.paths['/v1/work/claim-next'].post;

    expect(claimNext.responses['503'].headers['Retry-After']).toEqual({
      $ref: '#/components/headers/RetryAfter',
    });
    expect(claimNext.responses['204']).toBeTruthy();
    expect(claimNext.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
  });

  it('needs a bearer token except on public routes', () => {
    expect(document.components.securitySchemes.bearer).toEqual(expect.objectContaining({ scheme: 'bearer' }));
    expect(document.paths['/v1/health'].get.security).toEqual([]);
    expect(document.paths['/openapi.json'].get.security).toEqual([]);
    expect(document.paths['/v1/work'].post.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/v1/health'].get.responses['401']).toBeUndefined();
  });

  it('authenticates the GitHub route by its signature header instead of a bearer token', () => {
    const github = document.paths['/v1/integrations/github'].post;

    expect(github.security).toEqual([{ githubSignature: [] }]);
    expect(document.components.securitySchemes.githubSignature).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Hub-Signature-256' }),
    );
    expect(github.parameters).toContainEqual(
      expect.objectContaining({ name: 'X-GitHub-Event', in: 'header', required: true }),
    );
    expect(Object.keys(github.responses)).toEqual(
      expect.arrayContaining(['200', '201', '202', '400', '401', '403', '413', '415']),
    );
    expect(github.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/GithubWebhookBody',
    });
  });

  it('carries the service version and no TypeBox internals', () => {
    expect(document.info.version).toBe('1.2.3');
    expect(text).not.toContain('TypeBox');
  });
});
