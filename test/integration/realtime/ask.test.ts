/**
 * The WebSocket `ask` as the message handler runs it: the connection's principal read from the
 * Connections table, the real SDK against the fake Messages API, and every reply recorded as the
 * management API would receive it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClaudeAdvisor } from '#adapters/ai/claude-advisor';
import { createConnectionStore, createGateStore } from '#adapters/dynamo/index';
import { answerClientMessage, type ClientMessageDeps } from '#app/use-cases/realtime/client-message';
import { UnavailableError } from '#core/errors';
import type { ConnectionNotifier } from '#core/realtime/ports';
import { Role } from '#core/roles';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { type FakeAnthropic, startFakeAnthropic, text, toolUse } from '#test/support/fake-anthropic';
import { useCaseDeps } from '../use-cases/fixture';

const EXPIRES_AT = new Date(Math.ceil(Date.now() / 1000) * 1000 + 86_400_000).toISOString();

describe('WebSocket ask', () => {
  let fake: FakeAnthropic;
  let store: TestStore;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    store = await createTestStore('ws-ask');
  });
  afterAll(async () => {
    await fake.close();
    await store.cleanup();
  });
  beforeEach(() => fake.reset());

  /** Deps whose notifier records each post (`fail` makes the n-th post throw). */
  const depsWith = (key: string | undefined, fail?: number) => {
    const posted: { connectionId: string; message: Record<string, unknown> }[] = [];
    let posts = 0;
    const notifier: ConnectionNotifier = {
      post: async (connectionId, payload) => {
        posts += 1;
        if (posts === fail) throw new UnavailableError('The management API is throttled.');
        posted.push({ connectionId, message: JSON.parse(payload) });
        return 'sent';
      },
    };
    const deps: ClientMessageDeps = {
      ...useCaseDeps(store),
      ai: createClaudeAdvisor({
        apiKey: async () => key,
        baseUrl: fake.url,
        gate: createGateStore({ client: store.client, tablePrefix: store.tablePrefix }),
        now: () => store.clock.now().getTime(),
        random: () => 0.5,
        sleep: async () => {},
      }),
      connections: createConnectionStore(store.client, store.tablePrefix),
      notifier,
    };
    return { deps, posted };
  };

  const connect = async (deps: ClientMessageDeps, role: Role) => {
    const id = `c-${unique()}`;
    const principal =
      role === Role.Agent ? { role, id: 'agent-1', agentId: 'agent-1' } : { role, id: `${role}-token` };
    await deps.connections.add(
      { id, principal, connectedAt: '2026-03-02T09:00:00.000Z', expiresAt: EXPIRES_AT },
      [],
    );
    return id;
  };

  it('streams ai.delta pieces in order, then ai.done, all with the ask id, to the asking connection', async () => {
    const { deps, posted } = depsWith('sk-test');
    const connectionId = await connect(deps, Role.Admin);
    fake.enqueue(toolUse('team_stats', {}), text('Every team has free slots.'));

    await answerClientMessage(deps, {
      connectionId,
      message: { action: 'ask', id: 'q1', question: 'how are the teams doing?' },
      requestId: 'r-1',
    });

    const types = posted.map((post) => post.message.type);
    expect(types.at(-1)).toBe('ai.done');
    expect(new Set(types.slice(0, -1))).toEqual(new Set(['ai.delta']));
    expect(posted.every((post) => post.connectionId === connectionId && post.message.id === 'q1')).toBe(true);
    expect(
      posted
        .slice(0, -1)
        .map((post) => post.message.text)
        .join(''),
    ).toBe('Every team has free slots.');
    expect(posted.at(-1)?.message).toEqual({
      type: 'ai.done',
      at: expect.any(String),
      id: 'q1',
      source: 'claude',
      answer: 'Every team has free slots.',
      facts: [{ tool: 'team_stats', input: {}, summary: expect.any(String) }],
    });
    expect(((fake.requests[0]?.body.tools ?? []) as { name: string }[]).map((tool) => tool.name)).toContain(
      'recent_audit',
    );
  });

  it("gives an agent's question the tools without the audit log", async () => {
    const { deps } = depsWith('sk-test');
    const connectionId = await connect(deps, Role.Agent);
    fake.enqueue(text('Fine.'));

    await answerClientMessage(deps, {
      connectionId,
      message: { action: 'ask', id: 'q2', question: 'what happened?' },
    });

    const tools = ((fake.requests[0]?.body.tools ?? []) as { name: string }[]).map((tool) => tool.name);
    expect(tools).toContain('list_work');
    expect(tools).not.toContain('recent_audit');
  });

  it('answers from the heuristic without a key, and says why', async () => {
    const { deps, posted } = depsWith(undefined);
    const connectionId = await connect(deps, Role.Viewer);

    await answerClientMessage(deps, {
      connectionId,
      message: { action: 'ask', id: 'q3', question: 'what is blocked?' },
    });

    expect(fake.requests).toHaveLength(0);
    expect(posted.map((post) => post.message.type)).toEqual(['ai.delta', 'ai.done']);
    expect(posted[1]?.message).toMatchObject({ id: 'q3', source: 'heuristic', fallbackReason: 'no_key' });
    expect(posted[0]?.message.text).toBe(posted[1]?.message.answer);
  });

  it('says nothing to a connection that is gone', async () => {
    const { deps, posted } = depsWith('sk-test');

    await answerClientMessage(deps, {
      connectionId: `c-${unique()}`,
      message: { action: 'ask', id: 'q4', question: 'who is idle?' },
    });

    expect(posted).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('fails with UnavailableError when a piece cannot be posted, and sends no ai.done after it', async () => {
    const { deps, posted } = depsWith('sk-test', 2);
    const connectionId = await connect(deps, Role.Admin);
    fake.enqueue(text('One two three four.'));

    await expect(
      answerClientMessage(deps, {
        connectionId,
        message: { action: 'ask', id: 'q5', question: 'who is idle?' },
      }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(posted.map((post) => post.message.type)).toEqual(['ai.delta']);
  });
});
