/**
 * The HTTP chain's share of the capacity model's store calls (scripts/capacity/store-calls.ts):
 * the token read of `authenticate` and the idempotency put and update, counted while the real
 * route handlers run against DynamoDB Local. Every document-client command is recorded. The model
 * counts a token read on every request (a process that has not read that token within
 * `COORD_TOKEN_CACHE_SECONDS`: the upper bound), so the token cache is off in this file.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PK } from '#adapters/dynamo/keys';
import { unique } from '#test/support/builders';
import { STORE_CALLS } from '../../../scripts/capacity/store-calls';
import { ADMIN, call, seedAgent, useHandlerStore } from '../http/handlers';

const store = useHandlerStore('capacity-http');

beforeAll(() => {
  vi.stubEnv('COORD_TOKEN_CACHE_SECONDS', '0');
});
const sent: { command: string; input: Record<string, unknown> }[] = [];

beforeEach(() => {
  const send = DynamoDBDocumentClient.prototype.send;
  vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(function (
    this: DynamoDBDocumentClient,
    ...args: Parameters<typeof send>
  ) {
    const [command] = args;
    sent.push({ command: command.constructor.name, input: command.input as Record<string, unknown> });
    return send.apply(this, args);
  } as typeof send);
});

afterEach(() => {
  vi.restoreAllMocks();
  sent.length = 0;
});

const metaKeyOf = (input: Record<string, unknown>): string => {
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  return String(key?.[PK] ?? '');
};

const isMeta = (input: Record<string, unknown>) => String(input.TableName) === `${store().tablePrefix}-Meta`;

/** Token reads and idempotency writes among the recorded commands. */
const chainCalls = () => ({
  tokenReads: sent.filter(
    ({ command, input }) =>
      command === 'GetCommand' && isMeta(input) && metaKeyOf(input).startsWith('TOKEN#'),
  ).length,
  idempotencyWrites: sent.filter(
    ({ command, input }) =>
      (command === 'PutCommand' || command === 'UpdateCommand') &&
      isMeta(input) &&
      metaKeyOf(input).startsWith('IDEMPOTENCY#'),
  ).length,
});

describe('the HTTP chain store calls the capacity model counts', () => {
  it('match what a keyed claim-next and complete send with an agent token', async () => {
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store(), { team });
    await call('createWork', { token: ADMIN, body: { type: 'build', title: 'Count the chain', team } });
    sent.length = 0;

    const claim = await call('claimNext', {
      token,
      body: { agentId: agent.id },
      headers: { 'idempotency-key': `key-${unique()}` },
    });
    const claimCalls = chainCalls();
    sent.length = 0;
    const done = await call('completeWork', {
      token,
      params: { id: claim.body.item.id },
      body: { claimToken: claim.body.claim.token },
      headers: { 'idempotency-key': `key-${unique()}` },
    });
    const completeCalls = chainCalls();

    expect(claim.status).toBe(200);
    expect(done.status).toBe(200);
    expect(claimCalls).toEqual({
      tokenReads: STORE_CALLS.claim.tokenReads,
      idempotencyWrites: STORE_CALLS.claim.idempotencyWrites,
    });
    expect(completeCalls).toEqual({
      tokenReads: STORE_CALLS.complete.tokenReads,
      idempotencyWrites: STORE_CALLS.complete.idempotencyWrites,
    });
  });
});
