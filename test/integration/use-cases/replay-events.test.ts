/**
 * Replay of live messages from the audit log (`subscribe` with `after`, `GET /v1/events`) on
 * DynamoDB Local: the same messages and channel rules as the broadcaster, the cursor as the
 * position, the replay window, the settle delay, and the stream's steps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorOf, positionAt } from '#app/event-cursor';
import { createWork } from '#app/use-cases/create-work';
import { postAgentMessage, postWorkMessage } from '#app/use-cases/messages/post-message';
import { replayPage, replayStart, streamChannels } from '#app/use-cases/realtime/replay-events';
import { streamEvents } from '#app/use-cases/realtime/stream-events';
import { updateConfig } from '#app/use-cases/update-config';
import { ForbiddenError, ValidationError } from '#core/errors';
import { Role } from '#core/roles';
import { fixedClock } from '#test/support/clock';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps;
const clock = fixedClock('2026-03-10T12:00:00.000Z');

beforeAll(async () => {
  store = await createTestStore('replay', { clock });
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

/** Creates an item one second after the last, so each has its own instant. */
const created = async (team: string) => {
  clock.advance(1);
  return createWork(deps, asAdmin(), { type: 'build', title: `Build ${team}`, team });
};

const entityOf = (message: { data: Readonly<Record<string, unknown>> }) => message.data.entityId;

describe('replay of live messages', () => {
  it('replays the messages of the channels after a cursor, oldest first, each with its cursor', async () => {
    const start = positionAt(clock.now());
    const [a, b] = [await created('red'), await created('red')];
    const other = await created('blue');
    clock.advance(2);

    const all = await replayPage(deps, { channels: ['team:red'], position: start });
    const fromA = await replayPage(deps, {
      channels: ['team:red', `work:${other.id}`],
      position: { at: a.createdAt, entityType: 'work', entityId: a.id, seq: 1 },
    });

    expect(all.messages.map(entityOf)).toEqual([a.id, b.id]);
    expect(all.messages.map((message) => message.type)).toEqual(['work.created', 'work.created']);
    for (const message of all.messages) expect(typeof message.cursor).toBe('string');
    expect(all.cursor).toBe(
      cursorOf({ at: other.createdAt, entityType: 'work', entityId: other.id, seq: 1 }),
    );
    expect(all.more).toBe(false);
    expect(fromA.messages.map(entityOf)).toEqual([b.id, other.id]);
  });

  it('leaves out events younger than a second, whose writes may still be on their way', async () => {
    const start = positionAt(clock.now());
    await created('green');

    const early = await replayPage(deps, { channels: ['team:green'], position: start });
    clock.advance(2);
    const later = await replayPage(deps, { channels: ['team:green'], position: start });

    expect(early.messages).toEqual([]);
    expect(later.messages).toHaveLength(1);
  });

  it('reads a bounded page and says more follow', async () => {
    const start = positionAt(clock.now());
    for (let i = 0; i < 3; i += 1) await created('amber');
    clock.advance(2);

    const page = await replayPage(deps, { channels: ['team:amber'], position: start, limit: 2 });
    const rest = await replayPage(deps, { channels: ['team:amber'], position: page.position });

    expect(page.messages).toHaveLength(2);
    expect(page.more).toBe(true);
    expect(rest.messages).toHaveLength(1);
  });

  it('moves a cursor older than eventReplayHours up to the window, and refuses one it did not make', async () => {
    await updateConfig(deps, asAdmin(), { eventReplayHours: 2 });
    const old = cursorOf({ at: '2026-03-01T00:00:00.000Z', entityType: 'work', entityId: 'wi_1', seq: 1 });

    const start = await replayStart(deps, old);

    expect(start.windowStart).toBe(new Date(clock.now().getTime() - 2 * 3_600_000).toISOString());
    expect(start.position.at).toBe(start.windowStart);
    await expect(replayStart(deps, 'bm90LWEtY3Vyc29y')).rejects.toBeInstanceOf(ValidationError);
    await updateConfig(deps, asAdmin(), { eventReplayHours: 24 });
  });

  it('checks stream channels as subscribe does: names, and what the token may join', async () => {
    const [agent] = await registerAgents(deps, 1, { team: 'violet' });
    const own = await created('violet');
    const foreign = await created('teal');

    const joined = await streamChannels(
      deps,
      asAgent(agent as string).principal,
      `team:violet, work:${own.id},agent:${agent}`,
    );

    expect(joined).toEqual(['team:violet', `work:${own.id}`, `agent:${agent}`]);
    await expect(
      streamChannels(deps, asAgent(agent as string).principal, `work:${foreign.id}`),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(streamChannels(deps, asAgent(agent as string).principal, 'all')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(streamChannels(deps, asAdmin().principal, 'nonsense')).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(streamChannels(deps, asAdmin().principal, ' , ')).rejects.toBeInstanceOf(ValidationError);
  });

  it('streams ready, the replayed messages, the new ones while it follows, then end with the cursor', async () => {
    const start = cursorOf(positionAt(clock.now()));
    const first = await created('indigo');
    clock.advance(2);
    const sent: { event: string; id?: string; data: unknown }[] = [];
    let waits = 0;
    let second: { id: string } | undefined;

    await streamEvents(
      deps,
      asAdmin(),
      { channels: 'team:indigo', after: start },
      {
        send: (event, data, id) => sent.push({ event, data, ...(id === undefined ? {} : { id }) }),
        followMs: 3_000,
        wait: async () => {
          waits += 1;
          if (waits === 1) second = await created('indigo');
          clock.advance(2);
        },
      },
    );

    expect(sent.map((event) => event.event)).toEqual(['ready', 'work.created', 'work.created', 'end']);
    expect(sent[0]).toMatchObject({ id: start, data: { channels: ['team:indigo'], cursor: start } });
    expect(
      sent.slice(1, 3).map((event) => entityOf(event.data as { data: Record<string, unknown> })),
    ).toEqual([first.id, second?.id]);
    expect(sent[2]?.id).toBe((sent[2]?.data as { cursor?: string } | undefined)?.cursor);
    expect(sent[3]).toMatchObject({ data: { cursor: sent[2]?.id, more: false } });
  });
});

describe("an agent's inbox on the event stream", () => {
  type Sent = { event: string; data: { data?: Record<string, unknown> } };

  /** Everything one stream sends from `after`, following for one read past the replay. */
  const streamed = async (ctx: ReturnType<typeof asAdmin>, channels: string, after: string) => {
    const sent: Sent[] = [];
    await streamEvents(
      deps,
      ctx,
      { channels, after },
      {
        send: (event, data) => sent.push({ event, data: data as Sent['data'] }),
        followMs: 0,
        wait: async () => {},
      },
    );
    return sent;
  };
  const bodies = (sent: readonly Sent[]) =>
    sent.filter((event) => event.event === 'message').map((event) => event.data.data?.body);
  const asViewer = () => ({ principal: { role: Role.Viewer, id: 'viewer-1' }, requestId: 'req-viewer' });

  it('carries a direct message to the addressee only (and to admins who name the inbox)', async () => {
    const team = 'cyan';
    const [addressee, other] = (await registerAgents(deps, 2, { team })) as [string, string];
    const item = await created(team);
    const after = cursorOf(positionAt(clock.now()));
    clock.advance(1);
    await postAgentMessage(deps, asAdmin(), { id: addressee, body: 'secret for you' });
    clock.advance(1);
    await postWorkMessage(deps, asAgent(other), { id: item.id, body: 'see this', mentions: [addressee] });
    clock.advance(2);

    const own = await streamed(asAgent(addressee), `agent:${addressee}`, after);
    const named = await streamed(asAgent(addressee), `inbox:${addressee}`, after);
    const byAdmin = await streamed(asAdmin(), `inbox:${addressee}`, after);
    const otherAgent = await streamed(asAgent(other), `agent:${other},team:${team}`, after);
    const viewer = await streamed(asViewer(), `all,team:${team},agent:${addressee}`, after);

    expect(bodies(own)).toEqual(['secret for you', 'see this']);
    expect(own[0]).toMatchObject({ event: 'ready', data: { channels: [`agent:${addressee}`] } });
    expect(own.find((event) => event.event === 'message')?.data.data).toMatchObject({
      to: addressee,
      from: { type: 'admin', id: 'admin' },
    });
    expect(bodies(named)).toEqual(['secret for you', 'see this']);
    expect(bodies(byAdmin)).toEqual(['secret for you', 'see this']);
    // The thread message reaches the team; the direct message reaches no one else.
    expect(bodies(otherAgent)).toEqual(['see this']);
    expect(bodies(viewer)).toEqual(['see this']);
  });

  it("refuses another agent's inbox to agents and people, and a malformed inbox name", async () => {
    const [owner, other] = (await registerAgents(deps, 2, { team: 'lime' })) as [string, string];

    await expect(streamChannels(deps, asAgent(other).principal, `inbox:${owner}`)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(streamChannels(deps, asViewer().principal, `inbox:${owner}`)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      streamChannels(deps, { role: Role.Member, id: 'member-1' }, `inbox:${owner}`),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(streamChannels(deps, asAdmin().principal, 'inbox:')).rejects.toBeInstanceOf(ValidationError);
    await expect(streamChannels(deps, asAgent(owner).principal, `inbox:${owner}`)).resolves.toEqual([
      `inbox:${owner}`,
    ]);
  });

  it('reads again as soon as a young event settles, not a whole poll later', async () => {
    const team = 'plum';
    const start = cursorOf(positionAt(clock.now()));
    clock.advance(2);
    const waits: number[] = [];

    await streamEvents(
      deps,
      asAdmin(),
      { channels: `team:${team}`, after: start },
      {
        send: () => undefined,
        followMs: 5_000,
        wait: async (milliseconds) => {
          waits.push(milliseconds);
          if (waits.length === 1) {
            await createWork(deps, asAdmin(), { type: 'build', title: 'Young', team });
            clock.advance(0.4);
          } else clock.advance(2);
        },
      },
    );

    expect(waits[0]).toBe(1_000);
    expect(waits[1]).toBe(600);
  });
});
