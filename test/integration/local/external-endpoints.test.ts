/**
 * With `AWS_ENDPOINT_URL` (LocalStack) or the per-service variables set, the stack starts no
 * emulator of its own and creates its tables and queues at the given endpoints.
 */
import { execFileSync } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TABLES, tableName } from '#adapters/dynamo/tables';
import { deadLetterQueueName, QUEUES, queueName } from '#adapters/sqs/queues';
import { unique } from '#test/support/builders';
import { ApiClient } from '#test/support/http-client';
import { spawnLocalStack } from '#test/support/local-stack';

const SLOW = 180_000;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let dynamo: { readonly endpoint: string };
let sqs: { readonly endpoint: string };
let oneEndpoint: Server;

/** One endpoint for both services, as LocalStack offers: requests go where their X-Amz-Target says. */
const startRouter = async (): Promise<Server> => {
  const server = createServer((incoming, outgoing) => {
    const target = String(incoming.headers['x-amz-target'] ?? '');
    const upstream = new URL(target.startsWith('DynamoDB') ? dynamo.endpoint : sqs.endpoint);
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    // A long poll the stack's queue poller left open ends with the emulator: drop its client too.
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

const hasDynamoDbChild = (pid: number): boolean => {
  try {
    execFileSync('pgrep', ['-P', String(pid), '-f', 'DynamoDBLocal']);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  // The run's emulators: each test's stack provisions under a prefix of its own.
  dynamo = { endpoint: inject('dynamoEndpoint') };
  sqs = { endpoint: inject('sqsEndpoint') };
  oneEndpoint = await startRouter();
}, SLOW);

afterAll(async () => {
  await new Promise((resolve) => oneEndpoint?.close(resolve));
});

const provisioned = async (prefix: string) => {
  // The run's DynamoDB Local holds every file's tables: page through all of them.
  const dynamoClient = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials });
  const tableNames: string[] = [];
  let start: string | undefined;
  do {
    const page = await dynamoClient.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    tableNames.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  dynamoClient.destroy();
  const queues = await new SQSClient({ region: 'us-east-1', endpoint: sqs.endpoint, credentials }).send(
    new ListQueuesCommand({ QueueNamePrefix: prefix }),
  );
  return {
    tables: tableNames.filter((name) => name.startsWith(`${prefix}-`)).sort(),
    queues: (queues.QueueUrls ?? []).map((url) => url.split('/').pop()).sort(),
  };
};

describe('a local stack on external endpoints', () => {
  it(
    'uses AWS_ENDPOINT_URL for both services and creates its tables and queues there',
    async () => {
      const url = `http://127.0.0.1:${(oneEndpoint.address() as AddressInfo).port}`;
      const prefix = `via-one-${unique()}`;
      const stack = await spawnLocalStack({ AWS_ENDPOINT_URL: url, COORD_TABLE_PREFIX: prefix });
      const started = hasDynamoDbChild(stack.pid);
      const registered = await new ApiClient(stack.url, stack.registrationKey).post('/v1/agents', {
        id: 'external-1',
        team: 'external',
      });
      await stack.stop();

      expect(started).toBe(false);
      expect(stack.dynamodbEndpoint).toBe(url);
      expect(registered.status, registered.text).toBe(201);
      expect(await provisioned(prefix)).toEqual({
        tables: TABLES.map((table) => tableName(prefix, table)).sort(),
        queues: QUEUES.flatMap((queue) => [
          queueName(prefix, queue),
          deadLetterQueueName(prefix, queue),
        ]).sort(),
      });
    },
    SLOW,
  );

  it(
    'uses AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SQS when they are given apart',
    async () => {
      const prefix = `via-two-${unique()}`;
      const stack = await spawnLocalStack({
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        COORD_TABLE_PREFIX: prefix,
      });
      const started = hasDynamoDbChild(stack.pid);
      await stack.stop();

      expect(started).toBe(false);
      expect((await provisioned(prefix)).tables).toHaveLength(TABLES.length);
      expect((await provisioned(prefix)).queues).toHaveLength(QUEUES.length * 2);
    },
    SLOW,
  );
});
