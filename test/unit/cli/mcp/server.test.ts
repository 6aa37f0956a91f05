import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContext } from '../../../../cli/command';
import { createMcpServer } from '../../../../cli/mcp/server';
import { FakeApi, scratchHome } from '../support/fake-api';
import { agentView, apiError, claimView, workView } from '../support/views';

let api: FakeApi;
let home: Awaited<ReturnType<typeof scratchHome>>;
let client: Client;
let stderr: string;

const connect = async (agentId: string | undefined) => {
  const context = createContext({
    io: {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      readStdin: async () => '',
      isStderrTty: false,
      env: {},
      now: () => new Date('2026-11-26T10:00:00.000Z'),
      sleep: async () => undefined,
    },
    positionals: [],
    rest: [],
    values: {},
    loadConfig: async () => ({
      url: api.url,
      token: 'registration-key',
      ...(agentId ? { agentId, agentToken: 'agent-token' } : {}),
      configFile: join(home.dir, 'config.json'),
      stateDir: join(home.dir, 'state'),
    }),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(context, 'test').connect(serverSide);
  client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
};

const call = async (name: string, args: Record<string, unknown>) => {
  const result = await client.callTool({ name, arguments: args });
  const [first] = result.content as { type: string; text: string }[];
  return { isError: result.isError === true, text: first?.text ?? '' };
};

beforeEach(async () => {
  api = new FakeApi();
  home = await scratchHome();
  stderr = '';
  await api.start();
});

afterEach(async () => {
  await client?.close();
  await api.stop();
  await home.remove();
});

describe('the MCP server', () => {
  it('lists the agent tools', async () => {
    await connect('agent_a');

    const { tools } = await client.listTools();

    expect(tools.map((tool) => tool.name).sort()).toEqual(
      [
        'ask',
        'claim',
        'claim_next',
        'complete',
        'fail',
        'list_work',
        'progress',
        'read_inbox',
        'register',
        'release',
        'send_message',
      ].sort(),
    );
  });

  it('claims the next item, keeps its token, and uses it for progress and complete', async () => {
    api
      .on('POST', '/v1/work/claim-next', { status: 200, body: claimView('wi_4', 'tok-4') })
      .on('POST', '/v1/work/wi_4/progress', { status: 200, body: workView({ id: 'wi_4', progress: 40 }) })
      .on('POST', '/v1/work/wi_4/complete', {
        status: 200,
        body: workView({ id: 'wi_4', status: 'completed' }),
      });
    await connect('agent_a');

    const claimed = await call('claim_next', { teams: ['platform_team'] });
    await call('progress', { workId: 'wi_4', progress: 40, note: 'half way' });
    const done = await call('complete', { workId: 'wi_4', result: 'merged' });

    expect(claimed.text).not.toContain('tok-4');
    expect(JSON.parse(claimed.text)).toMatchObject({ item: { id: 'wi_4' } });
    expect(api.sent('POST', '/v1/work/wi_4/progress')[0]?.body).toEqual({
      claimToken: 'tok-4',
      progress: 40,
      note: 'half way',
    });
    expect(api.sent('POST', '/v1/work/wi_4/complete')[0]?.body).toEqual({
      claimToken: 'tok-4',
      result: 'merged',
    });
    expect(JSON.parse(done.text)).toMatchObject({ status: 'completed' });
  });

  it('cancels an item it created when the claim is refused', async () => {
    api
      .on('POST', '/v1/work', { status: 201, body: workView({ id: 'wi_6' }) })
      .on('POST', '/v1/work/wi_6/claim', { status: 409, body: apiError('capacity_exceeded', 'full') })
      .on('POST', '/v1/work/wi_6/cancel', {
        status: 200,
        body: workView({ id: 'wi_6', status: 'cancelled' }),
      });
    await connect('agent_a');

    const result = await call('claim', { type: 'build', title: 'Build', team: 'platform_team' });

    expect(result.isError).toBe(true);
    expect(result.text).toContain('capacity_exceeded');
    expect(api.sent('POST', '/v1/work/wi_6/cancel')).toHaveLength(1);
  });

  it('answers {item: null} when there is nothing to claim', async () => {
    api.on('POST', '/v1/work/claim-next', { status: 204 });
    await connect('agent_a');

    expect(JSON.parse((await call('claim_next', {})).text)).toEqual({ item: null });
  });

  it('gives API errors back as tool errors with code and details', async () => {
    api.on('POST', '/v1/work/wi_9/claim', {
      status: 409,
      body: apiError('already_claimed', 'held', { holder: { agentId: 'agent_b' } }),
    });
    await connect('agent_a');

    const result = await call('claim', { workId: 'wi_9' });

    expect(result.isError).toBe(true);
    expect(result.text).toContain('already_claimed (HTTP 409): held');
    expect(result.text).toContain('agent_b');
  });

  it('registers an agent and acts as it afterwards', async () => {
    api
      .on('POST', '/v1/agents', {
        status: 201,
        body: { agent: agentView({ id: 'agent_m' }), token: 'm-token' },
      })
      .on('GET', '/v1/work', { status: 200, body: { items: [] } });
    await connect(undefined);

    const registered = await call('register', { agentId: 'agent_m', team: 'platform_team' });
    await call('list_work', { status: 'ready' });

    expect(JSON.parse(registered.text)).toMatchObject({ id: 'agent_m' });
    expect(api.sent('POST', '/v1/agents')[0]?.headers.authorization).toBe('Bearer registration-key');
    const [list] = api.sent('GET', '/v1/work');
    expect(list?.headers.authorization).toBe('Bearer m-token');
    expect(list?.query.get('status')).toBe('ready');
  });

  it('refuses a progress outside 0..100 before calling the service', async () => {
    await connect('agent_a');

    const result = await call('progress', { workId: 'wi_4', progress: 150 });

    expect(result.isError).toBe(true);
    expect(api.requests).toEqual([]);
  });
  it("sends a message on an item's thread or into an agent's inbox with the agent's token", async () => {
    const stored = { id: 'msg_1', at: '2026-11-26T10:00:00.000Z', from: { type: 'agent', id: 'agent_a' } };
    api
      .on('POST', '/v1/work/wi_4/messages', {
        status: 201,
        body: { ...stored, body: 'q', mentions: [], workId: 'wi_4' },
      })
      .on('POST', '/v1/agents/agent_b/messages', {
        status: 201,
        body: { ...stored, body: 'hi', mentions: [] },
      });
    await connect('agent_a');

    const onItem = await call('send_message', {
      workId: 'wi_4',
      body: 'Which bucket?',
      mentions: ['agent_b'],
    });
    await call('send_message', { agentId: 'agent_b', body: 'hi' });

    expect(JSON.parse(onItem.text)).toMatchObject({ id: 'msg_1', workId: 'wi_4' });
    const [thread] = api.sent('POST', '/v1/work/wi_4/messages');
    expect(thread?.body).toEqual({ body: 'Which bucket?', mentions: ['agent_b'] });
    expect(thread?.headers.authorization).toBe('Bearer agent-token');
    expect(api.sent('POST', '/v1/agents/agent_b/messages')[0]?.body).toEqual({ body: 'hi' });
  });

  it('refuses a message with both or neither target, or a blank or too long body, before calling the service', async () => {
    await connect('agent_a');

    const results = [
      await call('send_message', { body: 'hi' }),
      await call('send_message', { workId: 'wi_4', agentId: 'agent_b', body: 'hi' }),
      await call('send_message', { workId: 'wi_4', body: '  ' }),
      await call('send_message', { workId: 'wi_4', body: 'x'.repeat(8193) }),
    ];

    expect(results.map((result) => result.isError)).toEqual([true, true, true, true]);
    expect(results[3]?.text).toContain('at most 8192');
    expect(api.requests).toEqual([]);
  });

  it('waits on the inbox for an answer, gives it back and marks it read', async () => {
    const answer = {
      id: 'msg_7',
      at: '2026-11-26T10:01:00.000Z',
      from: { type: 'member', id: 'tok_person' },
      body: 'Use staging.',
      mentions: [],
    };
    api
      .on('GET', '/v1/events', { status: 404, body: apiError('not_found', 'no route') })
      .on('GET', '/v1/agents/agent_a/messages', (_request, count) => ({
        status: 200,
        body: { items: count < 1 ? [] : [answer] },
      }))
      .on('POST', '/v1/agents/agent_a/messages/read', { status: 200, body: {} });
    await connect('agent_a');

    const result = await call('read_inbox', { waitSeconds: 60 });

    expect(JSON.parse(result.text)).toEqual({ items: [answer] });
    expect(
      api.sent('GET', '/v1/agents/agent_a/messages').map((request) => request.query.get('unread')),
    ).toEqual(['1', '1']);
    expect(api.sent('POST', '/v1/agents/agent_a/messages/read')[0]?.body).toEqual({ upTo: 'msg_7' });
  });

  it('answers timedOut when nothing came within waitSeconds, and reads without waiting otherwise', async () => {
    api
      .on('GET', '/v1/events', { status: 404, body: apiError('not_found', 'no route') })
      .on('GET', '/v1/agents/agent_a/messages', { status: 200, body: { items: [] } });
    await connect('agent_a');

    const waited = await call('read_inbox', { waitSeconds: 2 });
    const read = await call('read_inbox', { unread: false });

    expect(JSON.parse(waited.text)).toEqual({ items: [], timedOut: true });
    expect(JSON.parse(read.text)).toEqual({ items: [] });
    expect(api.sent('GET', '/v1/agents/agent_a/messages').at(-1)?.query.get('unread')).toBeNull();
  });
});
