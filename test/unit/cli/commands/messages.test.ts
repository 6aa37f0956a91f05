import { describe, expect, it } from 'vitest';
import type { MessageView } from '#app/schemas/messages-thread';
import { runCoord, useFakeApi } from '../support/fake-api';
import { apiError } from '../support/views';

const fake = useFakeApi({ COORD_AGENT_TOKEN: 'agent-token', AGENT_ID: 'agent_a' });

const messageView = (overrides: Partial<MessageView> = {}): MessageView => ({
  id: 'msg_01',
  at: '2026-11-26T10:00:00.000Z',
  from: { type: 'member', id: 'tok_person' },
  body: 'Use the staging bucket.',
  mentions: [],
  ...overrides,
});

const INBOX = '/v1/agents/agent_a/messages';

/** An event stream that sends these events, then ends. */
const stream = (...events: { id: string; event: string; data: unknown }[]) => ({
  status: 200,
  headers: { 'content-type': 'text/event-stream' },
  text: events.map((e) => `id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join(''),
});

describe('coord say', () => {
  it("posts the words as one body on the item's thread with the agent's token and an Idempotency-Key", async () => {
    fake.api.on('POST', '/v1/work/wi_7/messages', (request) => ({
      status: 201,
      body: messageView({ id: 'msg_9', workId: 'wi_7', body: (request.body as { body: string }).body }),
    }));

    const run = await runCoord(['say', 'wi_7', 'which', 'bucket?', '--mention', 'agent_b,agent_b'], fake.env);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('SENT: message msg_9 to work item wi_7 at 2026-11-26T10:00:00.000Z\n');
    const [sent] = fake.api.sent('POST', '/v1/work/wi_7/messages');
    expect(sent?.body).toEqual({ body: 'which bucket?', mentions: ['agent_b'] });
    expect(sent?.headers.authorization).toBe('Bearer agent-token');
    expect(sent?.headers['idempotency-key']).toBeTruthy();
  });

  it("sends to an agent's inbox with --to, the text read from stdin for -", async () => {
    fake.api.on('POST', '/v1/agents/agent_b/messages', { status: 201, body: messageView({ id: 'msg_3' }) });

    const quiet = await runCoord(['say', '--to', 'agent_b', '-', '-q'], fake.env, {
      stdin: 'line one\nline two\n',
    });
    const json = await runCoord(['say', '--to', 'agent_b', 'hi', '--json'], fake.env);

    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('msg_3\n');
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'msg_3', from: { type: 'member' } });
    expect(fake.api.sent('POST', '/v1/agents/agent_b/messages').map((request) => request.body)).toEqual([
      { body: 'line one\nline two' },
      { body: 'hi' },
    ]);
  });

  it('refuses a missing, blank, too long or control-character text, or a bad agent id, with exit 2 and sends nothing', async () => {
    const runs = await Promise.all([
      runCoord(['say', 'wi_7'], fake.env),
      runCoord(['say'], fake.env),
      runCoord(['say', 'wi_7', '   '], fake.env),
      runCoord(['say', 'wi_7', '-'], fake.env, { stdin: '\n' }),
      runCoord(['say', 'wi_7', 'é'.repeat(4097)], fake.env),
      runCoord(['say', 'wi_7', 'bell \u0007'], fake.env),
      runCoord(['say', '--to', 'a b', 'hi'], fake.env),
      runCoord(['say', 'wi_7', 'hi', '--mention', 'x'], fake.env),
    ]);

    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(runs[4]?.stderr).toContain('the message is 8194 bytes long in UTF-8; at most 8192');
    expect(runs[5]?.stderr).toContain('a control character (\\x07)');
    expect(fake.api.requests).toEqual([]);
  });

  it('takes a body of exactly 8192 bytes', async () => {
    fake.api.on('POST', '/v1/work/wi_7/messages', { status: 201, body: messageView() });

    const run = await runCoord(['say', 'wi_7', '🚀'.repeat(2048)], fake.env);

    expect(run.code).toBe(0);
  });

  it('exits 1 with the API error when refused (an agent outside the team), 3 on a conflict', async () => {
    fake.api
      .on('POST', '/v1/work/wi_7/messages', { status: 403, body: apiError('forbidden', 'not your team') })
      .on('POST', '/v1/work/wi_8/messages', { status: 409, body: apiError('conflict', 'closed') });

    const refused = await runCoord(['say', 'wi_7', 'hello'], fake.env);
    const conflict = await runCoord(['say', 'wi_8', 'hello'], fake.env);

    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ERROR: forbidden (HTTP 403): not your team');
    expect(conflict.code).toBe(3);
  });

  it('keeps a message the service did not answer in the outbox and sends it, with the same key, next time', async () => {
    fake.api.on('POST', '/v1/work/wi_7/messages', (_request, count) =>
      count < 4
        ? { status: 503, body: apiError('unavailable', 'down') }
        : { status: 201, body: messageView() },
    );

    const first = await runCoord(['say', 'wi_7', 'are you there?'], fake.env);
    await runCoord(['say', 'wi_7', 'second'], fake.env);

    expect(first.code).toBe(1);
    expect(first.stderr).toContain('kept in the outbox');
    const sent = fake.api.sent('POST', '/v1/work/wi_7/messages');
    expect(sent.map((request) => (request.body as { body: string }).body)).toEqual([
      'are you there?',
      'are you there?',
      'are you there?',
      'are you there?',
      'are you there?',
      'second',
    ]);
    expect(new Set(sent.slice(0, 5).map((request) => request.headers['idempotency-key'])).size).toBe(1);
  });
});

describe('coord inbox', () => {
  it('prints messages with their bodies indented and escaped, then marks them read up to the newest', async () => {
    fake.api
      .on('GET', INBOX, {
        status: 200,
        body: {
          items: [
            messageView({ id: 'msg_1', body: 'first\n2026-01-01  admin fake header' }),
            messageView({
              id: 'msg_2',
              body: 'evil \u001b[2J\r done',
              workId: 'wi_7',
              mentions: ['agent_a'],
            }),
          ],
        },
      })
      .on('POST', `${INBOX}/read`, { status: 200, body: {} });

    const run = await runCoord(['inbox'], fake.env);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        '2026-11-26T10:00:00.000Z  member tok_person  [msg_1]',
        '    first',
        '    2026-01-01  admin fake header',
        '2026-11-26T10:00:00.000Z  member tok_person on wi_7 to agent_a  [msg_2]',
        '    evil \\x1b[2J\\r done',
        '',
      ].join('\n'),
    );
    expect(fake.api.sent('POST', `${INBOX}/read`).map((request) => request.body)).toEqual([
      { upTo: 'msg_2' },
    ]);
    expect(fake.api.sent('GET', INBOX)[0]?.headers.authorization).toBe('Bearer agent-token');
  });

  it('asks for unread ones with --unread, marks nothing with --peek, and says when there are none', async () => {
    fake.api.on('GET', INBOX, (request) => ({
      status: 200,
      body: { items: request.query.get('unread') === '1' ? [] : [messageView()] },
    }));

    const unread = await runCoord(['inbox', '--unread'], fake.env);
    const peek = await runCoord(['inbox', '--peek', '--json'], fake.env);

    expect(unread.stdout).toBe('No unread messages.\n');
    expect(JSON.parse(peek.stdout)).toEqual({ items: [messageView()] });
    expect(fake.api.sent('POST', `${INBOX}/read`)).toEqual([]);
  });

  it('needs an agent id, and refuses a wait outside 1..86400 s or seconds without --wait (exit 2, nothing sent)', async () => {
    const runs = await Promise.all([
      runCoord(['inbox'], { ...fake.env, AGENT_ID: '' }),
      runCoord(['inbox', '--wait', '0'], fake.env),
      runCoord(['inbox', '--wait', '86401'], fake.env),
      runCoord(['inbox', '30'], fake.env),
      runCoord(['inbox', '--wait=30'], fake.env),
    ]);

    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs[0]?.stderr).toContain('no agent id');
    expect(fake.api.requests).toEqual([]);
  });

  it("--wait follows the agent's inbox on the event stream (reopened after its cursor) while it reads the inbox", async () => {
    fake.api
      .on('GET', '/v1/events', (_request, count) =>
        count === 0
          ? stream({ id: 'c1', event: 'ready', data: {} })
          : stream(
              { id: 'c2', event: 'work.updated', data: {} },
              { id: 'c3', event: 'message', data: { type: 'message' } },
            ),
      )
      // The answer is there once the second stream (after the first one's cursor) was asked for.
      .on('GET', INBOX, () => ({
        status: 200,
        body: {
          items: fake.api.sent('GET', '/v1/events').length < 2 ? [] : [messageView({ body: 'the answer' })],
        },
      }))
      .on('POST', `${INBOX}/read`, { status: 200, body: {} });

    const run = await runCoord(['inbox', '--wait', '30', '-q'], fake.env);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('the answer\n');
    const streams = fake.api.sent('GET', '/v1/events');
    expect(streams.map((request) => request.query.get('channels'))).toEqual([
      'inbox:agent_a',
      'inbox:agent_a',
    ]);
    expect(streams.map((request) => request.query.get('after'))).toEqual([null, 'c1']);
    expect(streams[0]?.headers.authorization).toBe('Bearer agent-token');
    expect(fake.api.sent('GET', INBOX).every((request) => request.query.get('unread') === '1')).toBe(true);
    expect(fake.api.sent('POST', `${INBOX}/read`).map((request) => request.body)).toEqual([
      { upTo: 'msg_01' },
    ]);
  });

  it('--wait returns at once with what is already unread', async () => {
    fake.api
      .on('GET', '/v1/events', stream({ id: 'c1', event: 'ready', data: {} }))
      .on('GET', INBOX, { status: 200, body: { items: [messageView()] } })
      .on('POST', `${INBOX}/read`, { status: 200, body: {} });
    const sleeps: number[] = [];

    const run = await runCoord(['inbox', '--wait'], fake.env, { sleeps });

    expect(run.code).toBe(0);
    expect(sleeps).toEqual([]);
    expect(fake.api.sent('GET', INBOX)).toHaveLength(1);
  });

  it('--wait polls with growing pauses when the stream is refused, and exits 4 when nothing came in time', async () => {
    fake.api
      .on('GET', '/v1/events', { status: 403, body: apiError('forbidden', 'no such channel') })
      .on('GET', INBOX, { status: 200, body: { items: [] } });
    const sleeps: number[] = [];

    const run = await runCoord(['inbox', '--wait', '40'], fake.env, { sleeps });
    const json = await runCoord(['inbox', '--wait', '1', '--json'], fake.env);

    expect(run.code).toBe(4);
    expect(run.stdout).toBe('NO MESSAGE: nothing arrived in 40 s\n');
    expect(sleeps).toEqual([1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000, 5000, 3000]);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toEqual({ items: [] });
    expect(fake.api.sent('POST', `${INBOX}/read`)).toEqual([]);
  });

  it('--poll sets the longest pause between reads while waiting', async () => {
    fake.api
      .on('GET', '/v1/events', { status: 403, body: apiError('forbidden', 'no such channel') })
      .on('GET', INBOX, { status: 200, body: { items: [] } });
    const sleeps: number[] = [];

    const run = await runCoord(['inbox', '--wait', '40', '--poll', '12'], fake.env, { sleeps });

    expect(run.code).toBe(4);
    expect(sleeps).toEqual([1000, 2000, 4000, 8000, 12_000, 12_000, 1000]);
  });

  it('refuses --poll without --wait, and outside 1..86400 s (exit 2, nothing sent)', async () => {
    const runs = await Promise.all([
      runCoord(['inbox', '--poll', '10'], fake.env),
      runCoord(['inbox', '--wait', '--poll', '0'], fake.env),
      runCoord(['inbox', '--wait', '--poll', 'soon'], fake.env),
    ]);

    expect(runs.map((run) => run.code)).toEqual([2, 2, 2]);
    expect(runs[0]?.stderr).toContain('--poll needs --wait');
    expect(fake.api.requests).toEqual([]);
  });

  it('--wait by polling returns the message that arrives meanwhile', async () => {
    fake.api
      .on('GET', '/v1/events', { status: 404, body: apiError('not_found', 'no route') })
      .on('GET', INBOX, (_request, count) => ({
        status: 200,
        body: { items: count < 2 ? [] : [messageView({ id: 'msg_5' })] },
      }))
      .on('POST', `${INBOX}/read`, { status: 200, body: {} });
    const sleeps: number[] = [];

    const run = await runCoord(['inbox', '--wait', '--json'], fake.env, { sleeps });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ items: [{ id: 'msg_5' }] });
    expect(sleeps).toEqual([1000, 2000]);
  });
});
