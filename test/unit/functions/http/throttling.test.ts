import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as createWork } from '#functions/http/create-work';
import { handler as getWork } from '#functions/http/get-work';
import { handler as health } from '#functions/http/health';
import { type EventHandler, invoke } from '../support/api-event';

// DynamoDB Local never throttles, so throttling is injected at the SDK: both the document
// client (repositories) and the plain client answer ProvisionedThroughputExceededException.
const documentClient = mockClient(DynamoDBDocumentClient);
const plainClient = mockClient(DynamoDBClient);
const ADMIN = 'admin-token-throttling';

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    $retryable: { throttling: true },
  });

beforeAll(() => {
  // The real handlers read their configuration from the environment, as on Lambda.
  vi.stubEnv('COORD_ADMIN_TOKEN', ADMIN);
  vi.stubEnv('COORD_TABLE_PREFIX', 'throttled');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'http://127.0.0.1:9');
});
afterEach(() => {
  documentClient.reset();
  plainClient.reset();
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('a throttled store', () => {
  it('makes a read answer 503 unavailable with Retry-After, never 500', async () => {
    documentClient.onAnyCommand().rejects(throttled());
    plainClient.onAnyCommand().rejects(throttled());

    const answer = await invoke(getWork as unknown as EventHandler, {
      method: 'GET',
      path: '/v1/work/wi_1',
      routePath: '/v1/work/{id}',
      pathParameters: { id: 'wi_1' },
      token: ADMIN,
    });

    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('unavailable');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(documentClient.calls().length + plainClient.calls().length).toBeGreaterThan(0);
  });

  it('makes a write answer 503 with Retry-After, never 500', async () => {
    documentClient.onAnyCommand().rejects(throttled());
    plainClient.onAnyCommand().rejects(throttled());

    const answer = await invoke(createWork as unknown as EventHandler, {
      method: 'POST',
      path: '/v1/work',
      token: ADMIN,
      body: { type: 'build', title: 'Build it', team: 'blue' },
    });

    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBeTruthy();
  });

  it('makes health answer 503 with Retry-After and the store marked unavailable', async () => {
    documentClient.onAnyCommand().rejects(throttled());
    plainClient.onAnyCommand().rejects(throttled());

    const answer = await invoke(health as unknown as EventHandler, { method: 'GET', path: '/v1/health' });

    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBeTruthy();
    expect(answer.body).toMatchObject({
      status: 'unavailable',
      checks: { store: { status: 'unavailable' } },
    });
  });

  it('lets health answer 200 when the store answers', async () => {
    documentClient.onAnyCommand().resolves({});
    plainClient.onAnyCommand().resolves({});

    const answer = await invoke(health as unknown as EventHandler, { method: 'GET', path: '/v1/health' });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', version: 'dev', checks: { store: { status: 'ok' } } });
  });
});
