/**
 * Wake-ups that survive a restart, against the running local stack: every live message carries
 * a cursor; a WebSocket `subscribe` with `after` replays what the channels missed; and
 * `GET /v1/events` serves the same messages as server-sent events, replay first, then live.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { type LiveMessage, liveClientsOf } from '#test/support/ws-client';

const stack = inject('localStack');
const live = liveClientsOf(stack.wsUrl);

/** Replays read only events older than a second (see REPLAY_SETTLE_MS). */
const settle = () => delay(1_500);

const entityOf = (message: LiveMessage): string | undefined =>
  (message.data as { entityId?: string } | undefined)?.entityId;

interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** Reads server-sent events until `enough` says so (or the stream ends), then hangs up. */
const readEvents = async (
  path: string,
  token: string,
  enough: (events: readonly SseEvent[]) => boolean,
): Promise<{ status: number; contentType: string | null; events: SseEvent[]; body?: unknown }> => {
  const controller = new AbortController();
  const response = await fetch(`${stack.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  if (response.status !== 200) {
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      events: [],
      body: await response.json(),
    };
  }
  const events: SseEvent[] = [];
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (reader && !enough(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      events.push({
        ...(fields.id ? { id: fields.id } : {}),
        event: fields.event ?? '',
        data: JSON.parse(fields.data ?? '{}'),
      });
    }
  }
  controller.abort();
  return { status: response.status, contentType: response.headers.get('content-type'), events };
};

/** A cursor for now on the team's channel: the `ready` event of a stream without `after`. */
const nowCursor = async (team: string): Promise<string> => {
  const { events } = await readEvents(
    `/v1/events?channels=team:${team}`,
    stack.adminToken,
    (read) => read.length > 0,
  );
  expect(events[0]?.event).toBe('ready');
  return events[0]?.data.cursor as string;
};

/** Subscribes from a cursor on a new connection; the messages up to `replayed`, and that reply. */
const replayFrom = async (team: string, after: string) => {
  const client = await live(stack.adminToken);
  client.send({ action: 'subscribe', channels: [`team:${team}`], after });
  const replayed = await client.waitFor((message) => message.type === 'replayed');
  return { created: client.messages.filter((message) => message.type === 'work.created'), replayed };
};

describe('events with cursors', () => {
  it('replays on subscribe with after: the missed messages of the channel, once, then a replayed cursor', async () => {
    // Arrange: three items of the team and one elsewhere, created while nobody listened
    const team = uniqueName('replay');
    const start = await nowCursor(team);
    const items = [await createWork(team), await createWork(team), await createWork(team)];
    await createWork(uniqueName('elsewhere'));
    await settle();

    // Act: resume from before them, then from the first one's cursor, then from the replay's own cursor
    const all = await replayFrom(team, start);
    const rest = await replayFrom(team, all.created[0]?.cursor as string);
    const none = await replayFrom(team, all.replayed.cursor as string);

    // Assert
    expect(all.created.map(entityOf)).toEqual(items.map((item) => item.id));
    for (const message of all.created)
      expect(message.cursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
    expect(all.replayed).toMatchObject({
      channels: [`team:${team}`],
      cursor: expect.any(String),
      more: false,
    });
    expect(rest.created.map(entityOf)).toEqual(items.slice(1).map((item) => item.id));
    expect(none.created).toEqual([]);
  });

  it('answers a subscribe with a cursor it did not make with validation_error on /after', async () => {
    const client = await live(stack.adminToken);
    client.send({ action: 'subscribe', channels: ['all'], after: 'bm90LWEtY3Vyc29y' });
    const error = await client.waitFor((message) => message.type === 'error');
    expect(error).toMatchObject({
      code: 'validation_error',
      details: { errors: [{ path: '/after', message: expect.any(String) }] },
    });
  });

  it('streams server-sent events: ready, the missed messages with their cursors as ids, then live ones', async () => {
    // Arrange
    const team = uniqueName('sse');
    const agent = await registerAgent(team);
    const cursor = await nowCursor(team);
    const missed = await createWork(team);
    await settle();

    // Act: the agent follows its team's channel from the cursor; a new item arrives while it listens
    let later: Promise<{ id: string }> | undefined;
    const reading = readEvents(`/v1/events?channels=team:${team}&after=${cursor}`, agent.token, (events) => {
      if (events.some((event) => event.event === 'work.created')) later ??= createWork(team);
      return events.filter((event) => event.event === 'work.created').length >= 2;
    });
    const { status, contentType, events } = await reading;
    const laterItem = await later;

    // Assert
    expect(status).toBe(200);
    expect(contentType).toBe('text/event-stream');
    expect(events[0]).toMatchObject({ event: 'ready', data: { channels: [`team:${team}`], cursor } });
    const created = events.filter((event) => event.event === 'work.created');
    expect(created.map((event) => (event.data.data as { entityId: string }).entityId)).toEqual([
      missed.id,
      laterItem?.id,
    ]);
    for (const event of created) expect(event.id).toBe(event.data.cursor);
  });

  it('refuses bad channels (400), channels the token may not join (403) and foreign cursors (400)', async () => {
    const team = uniqueName('sse');
    const agent = await registerAgent(team);

    const notChannel = await readEvents('/v1/events?channels=nonsense', agent.token, () => true);
    const foreign = await readEvents(
      `/v1/events?channels=team:${uniqueName('other')}`,
      agent.token,
      () => true,
    );
    const badCursor = await readEvents(`/v1/events?channels=team:${team}&after=abc`, agent.token, () => true);

    expect(notChannel).toMatchObject({ status: 400, body: { error: { code: 'validation_error' } } });
    expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(badCursor).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_error', details: { errors: [{ path: '/after' }] } } },
    });
  });

  it('documents GET /v1/events and the eventReplayHours setting', async () => {
    const { admin, anonymous } = stackClients();
    const document = await anonymous.get<{ paths: Record<string, unknown> }>('/openapi.json');
    const config = await admin.get<{ eventReplayHours: number }>('/v1/config');

    expect(document.body.paths['/v1/events']).toBeDefined();
    expect(config.body.eventReplayHours).toBe(24);
  });

  it('puts the cursor on every live message', async () => {
    const team = uniqueName('live');
    const watcher = await live(stack.adminToken);
    await watcher.subscribe([`team:${team}`]);

    const item = await createWork(team);
    const created = await watcher.waitFor(
      (message) => message.type === 'work.created' && entityOf(message) === item.id,
      60_000,
    );

    expect(created.cursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
  });
});
