/**
 * The broadcaster against DynamoDB Local's stream: changes made through the use cases reach the
 * stream, the local stream reader hands them to the broadcaster, and the management API client
 * (aws-sdk-client-mock: the emulator cannot say GoneException) receives what each connection
 * would get. Connections and subscriptions live in the real Connections table.
 */
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConnectionStore, eventFromStreamImage, isEventImage } from '#adapters/dynamo/index';
import { createConnectionNotifier } from '#adapters/realtime/connection-notifier';
import { claimWork } from '#app/use-cases/claim-work';
import { createWork } from '#app/use-cases/create-work';
import { broadcastEvents } from '#app/use-cases/realtime/broadcast-batch';
import { reassignWork } from '#app/use-cases/reassign-work';
import { registerAgent } from '#app/use-cases/register-agent';
import type { ServerMessage } from '#core/realtime/messages';
import { Role } from '#core/roles';
import { STREAM_CONSUMERS } from '#functions/shared/streams';
import { type StreamPollers, startStreamPollers } from '#local/pollers/stream-poller';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, asRegistration, type UseCaseDeps, useCaseDeps } from '../use-cases/fixture';

const HOUR_MS = 3_600_000;

/** Polls `read` until it returns something, or fails after `timeoutMs`. */
const eventually = async <T>(
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('broadcaster on the Events stream', () => {
  let store: TestStore;
  let deps: UseCaseDeps;
  let pollers: StreamPollers;
  const client = new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  const management = mockClient(client);
  const gone = new Set<string>();
  const received = new Map<string, ServerMessage[]>();
  const connections = () => createConnectionStore(store.client, store.tablePrefix);
  const messagesOf = (id: string) => received.get(id) ?? [];
  const team = `team-${unique()}`;

  const connect = async (
    id: string,
    principal: Parameters<ReturnType<typeof connections>['add']>[0]['principal'],
    channels: string[],
  ) => {
    // Real time, not the store's fixed clock: DynamoDB Local removes rows whose TTL has passed.
    const now = new Date();
    await connections().add(
      {
        id,
        principal,
        connectedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + HOUR_MS).toISOString(),
      },
      channels,
    );
  };

  beforeAll(async () => {
    store = await createTestStore('broadcast');
    deps = useCaseDeps(store);
    management.on(PostToConnectionCommand).callsFake(({ ConnectionId, Data }) => {
      const id = String(ConnectionId);
      if (gone.has(id)) throw new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } });
      received.set(id, [...messagesOf(id), JSON.parse(Buffer.from(Data as Uint8Array).toString())]);
      return {};
    });
    const broadcastDeps = {
      ...deps,
      connections: connections(),
      notifier: createConnectionNotifier(async () => client),
    };
    const broadcaster = STREAM_CONSUMERS.find((consumer) => consumer.id === 'broadcaster');
    if (!broadcaster) throw new Error('no broadcaster consumer');
    pollers = startStreamPollers({
      dynamodb: store.client,
      endpoint: inject('dynamoEndpoint'),
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      tablePrefix: store.tablePrefix,
      consumers: [broadcaster],
      idlePollMs: 20,
      loadHandler: async () => async (event: DynamoDBStreamEvent) => {
        const events = event.Records.flatMap((record) => {
          const image = record.dynamodb?.NewImage as Record<string, unknown> | undefined;
          return image && isEventImage(image) ? [eventFromStreamImage(image)] : [];
        });
        await broadcastEvents(broadcastDeps, events);
        return { batchItemFailures: [] };
      },
    });
    // The reader starts at the stream's end: wait until a change made now comes through.
    await connect('c-warmup', { role: Role.Viewer, id: 'tok_w' }, [`team:${team}`]);
    await eventually(async () => {
      await createWork(deps, asAdmin(), { type: 'task', title: 'warm-up', team });
      return messagesOf('c-warmup').length > 0 || undefined;
    });
    await connections().remove('c-warmup');
  });

  afterAll(async () => {
    await pollers?.stop();
    management.restore();
    await store?.cleanup();
  });

  it('sends a claim to team subscribers as work.claimed with its seq, forgets a gone connection and keeps going', async () => {
    const agentId = `agent-${unique()}`;
    await registerAgent(deps, asRegistration(), { id: agentId, team });
    await connect('c-gone', { role: Role.Admin, id: 'admin' }, ['all']);
    gone.add('c-gone');
    await connect('c-team', { role: Role.Viewer, id: 'tok_v' }, [`team:${team}`]);
    await connect('c-other', { role: Role.Viewer, id: 'tok_o' }, ['team:elsewhere']);
    const item = await createWork(deps, asAdmin(), { type: 'task', title: 'watched', team });

    const claim = await claimWork(deps, asAgent(agentId), { id: item.id, agentId });

    const message = await eventually(() =>
      messagesOf('c-team').find((each) => each.type === 'work.claimed' && each.data.entityId === item.id),
    );
    expect(message.seq).toBe(claim.item.version);
    expect(message.data).toMatchObject({ team, agentId, action: 'work.claimed' });
    expect(JSON.stringify(messagesOf('c-team'))).not.toContain(claim.claim.token);
    expect(messagesOf('c-other')).toEqual([]);
    await eventually(async () => ((await connections().get('c-gone')) === undefined ? true : undefined));
    expect(await connections().channelsOf('c-gone')).toEqual([]);
  });

  it('sends the assigned agent its assignment with the current claim token, and observers no token', async () => {
    const [first, second] = [`agent-${unique()}`, `agent-${unique()}`];
    await registerAgent(deps, asRegistration(), { id: first, team });
    await registerAgent(deps, asRegistration(), { id: second, team });
    await connect('c-second', { role: Role.Agent, id: second, agentId: second }, [`inbox:${second}`]);
    await connect('c-watch', { role: Role.Admin, id: 'admin' }, ['all']);
    const item = await createWork(deps, asAdmin(), { type: 'task', title: 'handed over', team });
    await claimWork(deps, asAgent(first), { id: item.id, agentId: first });

    await reassignWork(deps, asAdmin(), { id: item.id, agentId: second });

    const assignment = await eventually(() =>
      messagesOf('c-second').find((each) => each.type === 'assignment'),
    );
    const held = await deps.work.get(item.id);
    expect(assignment.data).toMatchObject({
      item: { id: item.id, status: 'claimed', claim: { agentId: second } },
      claim: { token: held?.claim?.token, leaseExpiresAt: held?.claim?.leaseExpiresAt },
    });
    expect(messagesOf('c-second').every((each) => each.type === 'assignment')).toBe(true);
    await eventually(() =>
      messagesOf('c-watch').find((each) => each.type === 'work.reassigned' && each.data.entityId === item.id),
    );
    expect(messagesOf('c-watch').some((each) => each.type === 'assignment')).toBe(false);
    expect(JSON.stringify(messagesOf('c-watch'))).not.toContain(String(held?.claim?.token));
  });
});
