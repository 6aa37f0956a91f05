import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routes } from '#functions/shared/routes';
import { type EventHandler, invoke } from '../support/api-event';
import { ADMIN, testHttpRoute } from '../support/runtime';

const httpRoute = testHttpRoute;

const createWork = httpRoute(routes.createWork, async ({ body }) => ({
  status: 201,
  body,
})) as unknown as EventHandler;
const listWork = httpRoute(routes.listWork, async ({ query }) => ({
  status: 200,
  body: query,
})) as unknown as EventHandler;

const jsonText = fc.oneof(
  fc.json(),
  fc.record({ type: fc.string(), title: fc.string(), team: fc.string() }).map((o) => JSON.stringify(o)),
  fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)),
);
const anyBody = fc.oneof(jsonText, fc.string(), fc.constant(''), fc.constant(`"${'x'.repeat(66_000)}"`));
const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/problem+json',
    ),
    fc.string(),
  ),
  { nil: undefined },
);
const token = fc.oneof(fc.constant(ADMIN), fc.string(), fc.constant('tok_x.y'));
const headerValue = fc.string().filter((s) => !s.includes('\n'));

const expectClientOrSuccess = (answer: {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}) => {
  expect(answer.status).toBeGreaterThanOrEqual(200);
  expect(answer.status).toBeLessThan(500);
  expect(answer.headers['x-request-id']).toBeTruthy();
  if (answer.status >= 400) expect(answer.body).toMatchObject({ error: { code: expect.any(String) } });
};

describe('the HTTP chain under arbitrary input', () => {
  it('answers any body, content type and token with 2xx or 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, contentType, token, fc.boolean(), async (body, type, bearer, isBase64) => {
        const answer = await invoke(createWork, {
          method: 'POST',
          path: '/v1/work',
          body: isBase64 ? Buffer.from(body).toString('base64') : body,
          isBase64Encoded: isBase64,
          headers: {
            authorization: `Bearer ${bearer}`,
            ...(type === undefined ? {} : { 'content-type': type }),
          },
        });
        expectClientOrSuccess(answer);
      }),
      { numRuns: 200 },
    );
  });

  it('answers any query string with 2xx or 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ minLength: 1 }), headerValue), async (query) => {
        const answer = await invoke(listWork, { method: 'GET', path: '/v1/work', token: ADMIN, query });
        expectClientOrSuccess(answer);
      }),
      { numRuns: 300 },
    );
  });
});
