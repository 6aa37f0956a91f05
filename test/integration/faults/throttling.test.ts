/**
 * Fault: DynamoDB throttles. DynamoDB Local never does, so the store is real until a test
 * throttles calls at the SDK (aws-sdk-client-mock on both clients), and real again after.
 * Every route that asks the store, called as the role it is meant for with a valid body, then
 * answers 503 with Retry-After; claim-next never takes an outage for "nothing fits"; the sweeper's
 * pass fails without changing anything and the next one does the work; the escalations consumer
 * hands its message back to the queue and records it later.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cursorOf } from '#app/event-cursor';
import { EscalationKind, escalationId } from '#core/escalations/escalation';
import { DEFAULT_SETTINGS } from '#core/settings';
import { addSeconds } from '#core/time';
import { handler as recordEscalations } from '#functions/queues/record-escalations';
import { handler as sweep } from '#functions/scheduled/sweep';
import { ROUTES, type RouteId } from '#functions/shared/routes';
import { prometheusAnswer } from '#local/metrics-endpoint';
import { aWorkItem, claimed, unique } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { lambdaContext } from '../../unit/functions/support/api-event';
import { ADMIN, type Call, call, REGISTRATION, seedAgent, useHandlerStore } from '../http/handlers';
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

/** Reading one issued token: authenticating the agent that holds it, which a test wants to get past. */
const isReadOf =
  (token: string) =>
  (command: SentCommand): boolean =>
    command instanceof GetCommand && command.input.Key?.pk === `TOKEN#${token.split('.')[0]}`;

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

/** How each route is called so that it gets past authentication and validation to the store. */
type StoreCall = Omit<Call, 'token'> & { readonly as: 'admin' | 'registration' | 'agent' | 'public' };

/**
 * The request each route answers by asking the store: the role it is meant for (an agent's own
 * issued token, whose read is let through) and a valid body. Every route is listed (tsc checks);
 * the ones that never ask the store say why.
 */
const storeCalls = (agentId: string): Record<RouteId, StoreCall | { readonly skip: string }> => {
  const now = new Date().toISOString();
  const work = { params: { id: `wi_${unique()}` } };
  const agent = { params: { id: agentId } };
  const held = { ...work, as: 'agent' as const };
  return {
    health: { as: 'public' },
    openapi: { skip: 'the document is built from the route table' },
    registerAgent: { as: 'registration', body: { id: `agent-${unique()}`, team: 'core' } },
    listAgents: { as: 'admin' },
    getAgent: { as: 'admin', ...agent },
    updateAgent: { as: 'admin', ...agent, body: { capacity: 2 } },
    heartbeat: { skip: 'heartbeats go to the queue; the store sees them in the consumer' },
    issueAgentToken: { as: 'admin', ...agent },
    retireAgent: { as: 'admin', ...agent, body: { mode: 'drain' } },
    createWork: { as: 'admin', body: { type: 'build', title: 'Build it', team: 'core' } },
    listWork: { as: 'admin' },
    claimNext: { as: 'agent', body: { agentId } },
    getWork: { as: 'admin', ...work },
    claimWork: { ...held, body: { agentId } },
    reportProgress: { ...held, body: { claimToken: 'token-1', progress: 50 } },
    completeWork: { ...held, body: { claimToken: 'token-1', result: 'done' } },
    failWork: { ...held, body: { claimToken: 'token-1', reason: 'broke' } },
    releaseWork: { ...held, body: { claimToken: 'token-1' } },
    reassignWork: { as: 'admin', ...work, body: {} },
    cancelWork: { as: 'admin', ...work, body: { reason: 'not needed' } },
    retryWork: { as: 'admin', ...work, body: {} },
    listTeams: { as: 'admin' },
    listAudit: { as: 'admin' },
    listEscalations: { as: 'admin' },
    listInvariants: { as: 'admin' },
    repairInvariant: { as: 'admin', params: { name: 'agent_claims_match' } },
    resolveEscalation: {
      as: 'admin',
      params: { id: escalationId(`wi_${unique()}`, EscalationKind.RetriesExhausted, 1) },
      body: { note: 'handled' },
    },
    getConfig: { as: 'admin' },
    updateConfig: { as: 'admin', body: { leaseSeconds: 120 } },
    issueToken: { as: 'admin', body: { role: 'viewer' } },
    listTokens: { as: 'admin' },
    revokeToken: { as: 'admin', params: { id: `tok_${unique()}` } },
    createWebhook: {
      as: 'admin',
      body: { url: 'https://hooks.example.com/coord', events: ['*'], secret: 's'.repeat(16) },
    },
    listWebhooks: { as: 'admin' },
    deleteWebhook: { as: 'admin', params: { id: `wh_${unique()}` } },
    resumeWebhook: { as: 'admin', params: { id: `wh_${unique()}` } },
    listWebhookDeliveries: { as: 'admin', params: { id: `wh_${unique()}` } },
    metricsSummary: { as: 'admin', query: { window: '1h' } },
    aiRecommendations: { as: 'admin', body: {} },
    aiQuery: { as: 'admin', body: { question: 'Who is overloaded?' } },
    aiPerformance: { as: 'admin' },
    aiHealth: { as: 'admin' },
    streamEvents: {
      as: 'admin',
      query: { channels: 'all', after: cursorOf({ at: now, entityType: 'work', entityId: 'wi_1', seq: 1 }) },
    },
    importRecords: {
      as: 'admin',
      body: {
        agents: [
          { id: `agent-${unique()}`, team: 'core', status: 'offline', createdAt: now, lastHeartbeatAt: now },
        ],
      },
    },
    postWorkMessage: { as: 'admin', ...work, body: { body: 'Is this still needed?' } },
    listWorkMessages: { as: 'admin', ...work },
    postAgentMessage: { as: 'admin', ...agent, body: { body: 'Please look at wi_1.' } },
    listAgentMessages: { as: 'agent', ...agent },
    markMessagesRead: { as: 'agent', ...agent, body: { upTo: 'msg_01JABCDEFGHJKMNPQRSTVWXYZ0' } },
    githubWebhook: {
      skip: 'signed by GitHub: this file configures no webhook secret, so it answers 403 before any store read',
    },
  };
};

describe('a throttled store', () => {
  it('makes every route that asks it answer 503 with Retry-After', async () => {
    // Arrange: an agent with its own token; every store call but reading that token throttled
    const store = storeOf();
    const { agent, token } = await seedAgent(store, { team: 'core' });
    const tokens = { admin: ADMIN, registration: REGISTRATION, agent: token, public: undefined };
    const calls = storeCalls(agent.id);
    throttleStore(isReadOf(token));
    const answers: { id: string; status: number; code?: string; retryAfter?: string }[] = [];
    // Act
    for (const route of ROUTES) {
      const request = calls[route.id];
      if ('skip' in request) continue;
      const { as, ...rest } = request;
      const answer = await call(route.id, { ...rest, ...(tokens[as] ? { token: tokens[as] } : {}) });
      answers.push({
        id: route.id,
        status: answer.status,
        code: answer.body?.error?.code,
        retryAfter: answer.headers['retry-after'],
      });
    }
    unthrottle();
    // Assert: each one reached the store and answered its outage, nothing else
    const reaching = ROUTES.filter((route) => !('skip' in calls[route.id])).map((route) => route.id);
    expect(answers.filter((a) => a.status !== 503 || !(Number(a.retryAfter) >= 1))).toEqual([]);
    expect(answers.map((a) => a.id)).toEqual(reaching);
    expect(ROUTES.map((route) => route.id).filter((id) => !reaching.includes(id))).toEqual([
      'openapi',
      'heartbeat',
      'githubWebhook',
    ]);
    expect(await store.ports.agents.get(agent.id)).toEqual(agent);
  });

  it('fails a sweep pass without changing anything; the next pass ends the expired claim', async () => {
    // Arrange: an expired claim of a holder silent for longer than a lease (leases follow heartbeats)
    const store = storeOf();
    const { agent } = await seedAgent(store, {
      activeClaims: 1,
      lastHeartbeatAt: addSeconds(new Date(), -DEFAULT_SETTINGS.leaseSeconds - 5),
    });
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

  it('answers the local runtime’s /metrics with 503 and Retry-After, and Prometheus text after', async () => {
    storeOf();
    throttleStore();
    const refused = await prometheusAnswer();
    unthrottle();
    const served = await prometheusAnswer();

    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(refused.body.toString())).toMatchObject({ error: { code: 'unavailable' } });
    expect(served.statusCode).toBe(200);
    expect(served.body.toString()).toMatch(/^# TYPE coord_claims gauge$/m);
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

    throttleStore(isReadOf(token));
    const answer = await call('claimNext', { token, body: { agentId: agent.id } });
    unthrottle();

    expect(answer.status).toBe(503);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
