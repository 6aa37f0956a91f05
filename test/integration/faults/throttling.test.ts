/**
 * Fault: DynamoDB throttles. DynamoDB Local never does, so the store is real until a test
 * throttles every call at the SDK (aws-sdk-client-mock on both clients), and real again after.
 * Every route then answers 503 with Retry-After (or a 4xx it decides before touching the store),
 * never 500; the sweeper's pass fails without changing anything and the next one does the work;
 * the escalations consumer hands its message back to the queue and records it later.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addSeconds } from '#core/time';
import { handler as recordEscalations } from '#functions/queues/record-escalations';
import { handler as sweep } from '#functions/scheduled/sweep';
import { ROUTES } from '#functions/shared/routes';
import { aWorkItem, claimed, unique } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { lambdaContext } from '../../unit/functions/support/api-event';
import { ADMIN, call, seedAgent, useHandlerStore } from '../http/handlers';
import { sqsEventOf } from '../queues/queue-support';

vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

const storeOf = useHandlerStore('faults-throttling');

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    $retryable: { throttling: true },
  });

/** A command as the clients' `send` receives it. */
type SentCommand = { readonly input: { readonly Key?: Record<string, unknown> } };

// biome-ignore lint/suspicious/noExplicitAny: the stubs of two different client classes
let stubs: AwsStub<any, any, any>[] = [];

/**
 * From now until the test ends, every DynamoDB call is throttled, except those `passes` lets
 * through to DynamoDB Local (the stub calls the real `send` for them).
 */
const throttleStore = (passes: (command: SentCommand) => boolean = () => false) => {
  stubs = [mockClient(DynamoDBDocumentClient), mockClient(DynamoDBClient)];
  for (const stub of stubs) {
    const realSend = stub.send.wrappedMethod as (command: SentCommand) => Promise<unknown>;
    stub.send.callsFake(function (this: unknown, command: SentCommand) {
      return passes(command) ? realSend.call(this, command) : Promise.reject(throttled());
    });
  }
};

/** Reading an issued token: authentication, which the route tests want to get past. */
const isTokenRead = (command: SentCommand): boolean =>
  command instanceof GetCommand && String(command.input.Key?.pk).startsWith('TOKEN#');

/** Everything but a transaction (the write of a claim): reads answer, commits are throttled. */
const isNotCommit = (command: SentCommand): boolean => !(command instanceof TransactWriteCommand);

/** The store answers again. */
const unthrottle = () => {
  for (const stub of stubs.splice(0)) stub.restore();
};

afterEach(unthrottle);

const scheduledEvent = () => ({
  version: '0',
  id: unique(),
  'detail-type': 'Scheduled Event' as const,
  source: 'aws.events' as const,
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [],
  detail: {},
});

describe('a throttled store', () => {
  it('makes every route answer 503 with Retry-After or a 4xx, never 500', async () => {
    storeOf();
    throttleStore();
    const answers: { id: string; status: number; retryAfter?: string }[] = [];

    for (const route of ROUTES) {
      const answer = await call(route.id, {
        token: ADMIN,
        params: { id: `x-${unique()}` },
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} }),
      });
      answers.push({ id: route.id, status: answer.status, retryAfter: answer.headers['retry-after'] });
    }

    expect(answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
    expect(answers.filter((a) => a.status === 503 && !(Number(a.retryAfter) >= 1))).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503).map((a) => a.id);
    expect(unavailable).toEqual(
      expect.arrayContaining(['listEscalations', 'listWork', 'retryWork', 'cancelWork']),
    );
  });

  it('fails a sweep pass without changing anything; the next pass ends the expired claim', async () => {
    // Arrange: an expired claim
    const store = storeOf();
    const { agent } = await seedAgent(store, { activeClaims: 1 });
    const item = claimed(aWorkItem(), agent.id, { leaseExpiresAt: addSeconds(new Date(), -5) });
    await insert(store.ports, { work: [item] });
    // Act
    throttleStore();
    const failed = sweep(scheduledEvent(), lambdaContext('coord-sweeper'));
    await expect(failed).rejects.toMatchObject({ code: 'unavailable' });
    unthrottle();
    const unchanged = await store.ports.work.get(item.id);
    const report = await sweep(scheduledEvent(), lambdaContext('coord-sweeper'));
    // Assert
    expect(unchanged).toEqual(item);
    expect(report.expiredLeases).toBeGreaterThanOrEqual(1);
    expect(await store.ports.work.get(item.id)).toMatchObject({ status: 'ready', attempts: 1 });
  });

  it('hands an escalation request back to the queue, and records it once the store answers', async () => {
    const store = storeOf();
    const item = aWorkItem({ status: 'escalated', attempts: 3, readyAt: undefined });
    await insert(store.ports, { work: [item] });
    const event = sqsEventOf([{ workId: item.id, kind: 'retries_exhausted', at: new Date().toISOString() }]);

    throttleStore();
    const refused = await recordEscalations(event, lambdaContext());
    unthrottle();
    const accepted = await recordEscalations(event, lambdaContext());

    expect(refused.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(accepted.batchItemFailures).toEqual([]);
    expect(await store.ports.escalations.ofWork(item.id)).toEqual([
      expect.objectContaining({ kind: 'retries_exhausted', status: 'open' }),
    ]);
  });
});

describe('claim-next while the store throttles', () => {
  it('answers 503 with Retry-After, never 204, when its writes are throttled while work is ready', async () => {
    // Arrange: three ready items the agent may take
    const store = storeOf();
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store, { team });
    const items = [aWorkItem({ team }), aWorkItem({ team }), aWorkItem({ team })];
    await insert(store.ports, { work: items });
    // Act: reads answer, every claim's transaction is throttled
    throttleStore(isNotCommit);
    const answer = await call('claimNext', { token, body: { agentId: agent.id } });
    unthrottle();
    // Assert: an outage, not "nothing fits", and nothing changed
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('unavailable');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await store.ports.work.getMany(items.map((item) => item.id))).toEqual(
      expect.arrayContaining(items),
    );
    expect(await store.ports.agents.get(agent.id)).toMatchObject({ activeClaims: 0 });
  });

  it('answers 503 with Retry-After when even the ready index does not answer', async () => {
    const store = storeOf();
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store, { team });
    await insert(store.ports, { work: [aWorkItem({ team })] });

    throttleStore(isTokenRead);
    const answer = await call('claimNext', { token, body: { agentId: agent.id } });
    unthrottle();

    expect(answer.status).toBe(503);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
