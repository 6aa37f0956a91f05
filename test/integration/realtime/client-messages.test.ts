/**
 * The WebSocket use cases in-process against DynamoDB Local: `$connect` with each kind of
 * token, `subscribe`/`unsubscribe` under each role's join rules, `ping`, and refused frames.
 * Connections live in the real Connections table; the notifier records what each connection
 * would be sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionStore } from '#adapters/dynamo/index';
import { createWork } from '#app/use-cases/create-work';
import { issueToken } from '#app/use-cases/issue-token';
import { answerClientMessage, refuseClientMessage } from '#app/use-cases/realtime/client-message';
import { CONNECTION_TTL_SECONDS, connect, disconnect } from '#app/use-cases/realtime/connect';
import { subscribe } from '#app/use-cases/realtime/subscribe';
import { registerAgent } from '#app/use-cases/register-agent';
import { drawToken } from '#app/use-cases/shared/tokens';
import type { AiModel } from '#core/ai/model';
import { ForbiddenError, UnauthorizedError } from '#core/errors';
import type { ConnectionNotifier, ConnectionStore } from '#core/realtime/ports';
import { Role } from '#core/roles';
import { unique } from '#test/support/builders';
import { fixedClock } from '#test/support/clock';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asRegistration, aTeam, type UseCaseDeps, useCaseDeps } from '../use-cases/fixture';

/** No Claude: these tests never ask (the ask path has its own tests). */
const noAi: AiModel = {
  missingKey: async () => 'no_key',
  complete: () => Promise.reject(new Error('ask is not part of these tests')),
};

const secrets = { adminToken: 'admin-token-live', registrationKey: 'registration-key-live' };

/** A notifier that keeps every payload posted to each connection, parsed. */
const recordingNotifier = () => {
  const posted = new Map<string, Record<string, unknown>[]>();
  const notifier: ConnectionNotifier = {
    post: async (connectionId, payload) => {
      posted.set(connectionId, [...(posted.get(connectionId) ?? []), JSON.parse(payload)]);
      return 'sent';
    },
  };
  return { notifier, sentTo: (id: string) => posted.get(id) ?? [] };
};

describe('live connections: connect, subscribe, unsubscribe, ping', () => {
  let store: TestStore;
  let deps: UseCaseDeps;
  let connections: ConnectionStore;
  let recorder: ReturnType<typeof recordingNotifier>;
  const team = aTeam();
  const otherTeam = aTeam();
  const agentId = `agent-${unique()}`;
  let agentToken: string;
  let viewerToken: string;
  let ownItem: string;
  let foreignItem: string;

  const live = () => ({ ...deps, ai: noAi, connections, notifier: recorder.notifier });

  /** Opens a connection with `token`; returns its id. */
  const open = async (token: string | undefined): Promise<string> => {
    const connectionId = `c-${unique()}`;
    await connect(live(), { connectionId, ...(token !== undefined && { token }), secrets });
    return connectionId;
  };

  beforeAll(async () => {
    // The connection's TTL counts from the clock; DynamoDB Local removes rows whose TTL has
    // passed, so the clock is the real present (on a whole second: the TTL is kept in seconds).
    const present = new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString();
    store = await createTestStore('live', { clock: fixedClock(present) });
    deps = useCaseDeps(store);
    connections = createConnectionStore(store.client, store.tablePrefix);
    recorder = recordingNotifier();
    agentToken = (await registerAgent(deps, asRegistration(), { id: agentId, team })).token;
    viewerToken = (await issueToken(deps, asAdmin(), { role: Role.Viewer })).token;
    ownItem = (await createWork(deps, asAdmin(), { type: 'task', title: 'own', team })).id;
    foreignItem = (await createWork(deps, asAdmin(), { type: 'task', title: 'foreign', team: otherTeam })).id;
  });

  afterAll(async () => {
    await store?.cleanup();
  });

  describe('connect', () => {
    it('records an agent connection with its team, expiry and inbox', async () => {
      const id = await open(agentToken);

      const now = store.clock.now();
      expect(await connections.get(id)).toEqual({
        id,
        principal: { role: Role.Agent, id: agentId, agentId },
        agentTeam: team,
        connectedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + CONNECTION_TTL_SECONDS * 1000).toISOString(),
      });
      expect(await connections.channelsOf(id)).toEqual([`inbox:${agentId}`]);
    });

    it('records the admin token and a viewer token with no channels joined', async () => {
      const admin = await open(secrets.adminToken);
      const viewer = await open(viewerToken);

      expect((await connections.get(admin))?.principal).toEqual({ role: Role.Admin, id: 'admin' });
      expect((await connections.get(viewer))?.principal.role).toBe(Role.Viewer);
      expect((await connections.get(viewer))?.agentTeam).toBeUndefined();
      expect(await connections.channelsOf(admin)).toEqual([]);
      expect(await connections.channelsOf(viewer)).toEqual([]);
    });

    it('refuses a missing or unknown token with 401 and records nothing', async () => {
      for (const token of [undefined, 'not-a-token', `${agentToken}x`, 'tok_missing.secret']) {
        const connectionId = `c-${unique()}`;
        await expect(
          connect(live(), { connectionId, ...(token !== undefined && { token }), secrets }),
        ).rejects.toThrow(UnauthorizedError);
        expect(await connections.get(connectionId)).toBeUndefined();
      }
    });

    it('refuses the registration key with 403: it can only register agents', async () => {
      const connectionId = `c-${unique()}`;
      await expect(
        connect(live(), { connectionId, token: secrets.registrationKey, secrets }),
      ).rejects.toThrow(ForbiddenError);
      expect(await connections.get(connectionId)).toBeUndefined();
    });

    it('refuses an agent token whose agent does not exist with 403', async () => {
      const ghost = drawToken(deps, {
        role: Role.Agent,
        agentId: `ghost-${unique()}`,
        team,
        createdAt: store.clock.iso(),
      });
      await deps.uow.commit({ writes: [{ kind: 'tokenPut', token: ghost.record }], events: [] });
      const connectionId = `c-${unique()}`;

      await expect(connect(live(), { connectionId, token: ghost.bearer, secrets })).rejects.toThrow(
        /does not exist/,
      );
      expect(await connections.get(connectionId)).toBeUndefined();
    });

    it('forgets a connection and its channels on disconnect, twice without harm', async () => {
      const id = await open(agentToken);

      await disconnect(live(), { connectionId: id });
      await disconnect(live(), { connectionId: id });

      expect(await connections.get(id)).toBeUndefined();
      expect(await connections.channelsOf(id)).toEqual([]);
    });
  });

  describe('subscribe', () => {
    it('lets an agent join its own agent channel, its team and work of its team, nothing else', async () => {
      const id = await open(agentToken);

      await answerClientMessage(live(), {
        connectionId: id,
        message: {
          action: 'subscribe',
          channels: [
            `agent:${agentId}`,
            `team:${team}`,
            `work:${ownItem}`,
            `team:${otherTeam}`,
            `work:${foreignItem}`,
            'work:no-such-item',
            'agent:someone-else',
            'all',
            'admin',
          ],
        },
      });

      const replies = recorder.sentTo(id);
      const forbidden = replies.filter((each) => each.type === 'error').map((each) => each.channel);
      expect(forbidden).toEqual([
        `team:${otherTeam}`,
        `work:${foreignItem}`,
        'work:no-such-item',
        'agent:someone-else',
        'all',
        'admin',
      ]);
      expect(replies.filter((each) => each.type === 'error').every((each) => each.code === 'forbidden')).toBe(
        true,
      );
      expect(replies.at(-1)).toEqual({
        type: 'subscribed',
        at: store.clock.iso(),
        channels: [`agent:${agentId}`, `team:${team}`, `work:${ownItem}`],
      });
      expect((await connections.channelsOf(id)).sort()).toEqual(
        [`agent:${agentId}`, `inbox:${agentId}`, `team:${team}`, `work:${ownItem}`].sort(),
      );
    });

    it('lets a viewer join every channel but admin', async () => {
      const id = await open(viewerToken);

      await answerClientMessage(live(), {
        connectionId: id,
        message: {
          action: 'subscribe',
          channels: ['all', `team:${otherTeam}`, `work:${foreignItem}`, 'admin'],
        },
      });

      expect(recorder.sentTo(id)).toEqual([
        {
          type: 'error',
          at: store.clock.iso(),
          code: 'forbidden',
          channel: 'admin',
          message: 'This token may not join admin.',
        },
        {
          type: 'subscribed',
          at: store.clock.iso(),
          channels: ['all', `team:${otherTeam}`, `work:${foreignItem}`],
        },
      ]);
      expect(await connections.channelsOf(id)).not.toContain('admin');
    });

    it('lets an admin join admin and all, each once however often named', async () => {
      const id = await open(secrets.adminToken);

      await answerClientMessage(live(), {
        connectionId: id,
        message: { action: 'subscribe', channels: ['admin', 'all', 'admin'] },
      });

      expect(recorder.sentTo(id)).toEqual([
        { type: 'subscribed', at: store.clock.iso(), channels: ['admin', 'all'] },
      ]);
      expect((await connections.channelsOf(id)).sort()).toEqual(['admin', 'all']);
    });

    it('answers a name that is not a channel with validation_error, and no subscribed when nothing was joined', async () => {
      const id = await open(secrets.adminToken);

      await answerClientMessage(live(), {
        connectionId: id,
        message: { action: 'subscribe', channels: ['queue:x', `inbox:${agentId}`] },
      });

      const replies = recorder.sentTo(id);
      expect(replies.map((each) => [each.type, each.code, each.channel])).toEqual([
        ['error', 'validation_error', 'queue:x'],
        ['error', 'validation_error', `inbox:${agentId}`],
      ]);
      expect(String(replies[0]?.message)).toContain('is not a channel');
      expect(await connections.channelsOf(id)).toEqual([]);
    });

    it('answers only errors when every named channel is refused', async () => {
      const id = await open(agentToken);

      await answerClientMessage(live(), {
        connectionId: id,
        message: { action: 'subscribe', channels: ['all'] },
      });

      expect(recorder.sentTo(id).map((each) => each.type)).toEqual(['error']);
      expect(await connections.channelsOf(id)).toEqual([`inbox:${agentId}`]);
    });

    it('sends nothing for a connection that closed meanwhile', async () => {
      const id = `c-${unique()}`;

      expect(await subscribe(live(), { connectionId: id, channels: ['all'] })).toBeUndefined();
      await answerClientMessage(live(), {
        connectionId: id,
        message: { action: 'subscribe', channels: ['all'] },
      });

      expect(recorder.sentTo(id)).toEqual([]);
      expect(await connections.channelsOf(id)).toEqual([]);
    });
  });

  describe('unsubscribe', () => {
    it('leaves the named channels, ignores names that are not channels and keeps the inbox', async () => {
      const id = await open(agentToken);
      await connections.subscribe(id, [`team:${team}`, `agent:${agentId}`]);

      await answerClientMessage(live(), {
        connectionId: id,
        message: { action: 'unsubscribe', channels: [`team:${team}`, 'not a channel', `inbox:${agentId}`] },
      });

      expect(recorder.sentTo(id)).toEqual([
        { type: 'unsubscribed', at: store.clock.iso(), channels: [`team:${team}`] },
      ]);
      expect((await connections.channelsOf(id)).sort()).toEqual(
        [`agent:${agentId}`, `inbox:${agentId}`].sort(),
      );
    });

    it('answers an empty list when no name is a channel, and changes nothing', async () => {
      const id = await open(viewerToken);
      await connections.subscribe(id, ['all']);

      await answerClientMessage(live(), {
        connectionId: id,
        message: { action: 'unsubscribe', channels: ['???'] },
      });

      expect(recorder.sentTo(id)).toEqual([{ type: 'unsubscribed', at: store.clock.iso(), channels: [] }]);
      expect(await connections.channelsOf(id)).toEqual(['all']);
    });
  });

  describe('ping and refused frames', () => {
    it('answers ping with pong at the current time, without seq', async () => {
      const id = await open(viewerToken);
      store.clock.advance(5);

      await answerClientMessage(live(), { connectionId: id, message: { action: 'ping' } });

      expect(recorder.sentTo(id)).toEqual([{ type: 'pong', at: store.clock.iso() }]);
    });

    it('answers a frame that is not a client message with validation_error and its field errors', async () => {
      const id = await open(viewerToken);
      const errors = [{ path: '/channels', message: 'must have at least 1 item' }];

      await refuseClientMessage(live(), { connectionId: id, message: 'The message is not valid.', errors });

      expect(recorder.sentTo(id)).toEqual([
        {
          type: 'error',
          at: store.clock.iso(),
          code: 'validation_error',
          message: 'The message is not valid.',
          details: { errors },
        },
      ]);
    });
  });
});
