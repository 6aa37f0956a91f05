/**
 * DynamoDB Local started on a port another process already holds: Java fails to bind but keeps
 * running, and the other process answers HTTP on that port. The start must not take that answer
 * for its own server.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local';

let holder: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => holder?.close(resolve) ?? resolve(undefined));
});

const holdPort = async (): Promise<number> => {
  holder = createServer((_, res) => res.writeHead(400).end('not DynamoDB'));
  await new Promise<void>((resolve) => holder?.listen(0, resolve));
  const address = holder.address();
  return typeof address === 'object' && address ? address.port : 0;
};

describe('startDynamoDbLocal on a port already held', () => {
  it('fails on a port that was asked for instead of answering with the other server', async () => {
    const port = await holdPort();
    await expect(startDynamoDbLocal({ port })).rejects.toThrow(/could not bind/);
  }, 90_000);
});
