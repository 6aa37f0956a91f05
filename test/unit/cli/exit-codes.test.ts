import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCoord, useFakeApi } from './support/fake-api';
import { agentView, workView } from './support/views';

const fake = useFakeApi({ COORD_TOKEN: 'admin-token' });

const heldByB = workView({
  id: 'wi_7',
  status: 'claimed',
  claim: {
    agentId: 'agent_b',
    claimedAt: '2026-11-26T10:00:00.000Z',
    leaseExpiresAt: '2026-11-26T10:05:00.000Z',
  },
});

describe('conflicts the CLI finds before calling the API exit 3, like a 409', () => {
  it.each([
    ['complete', ['complete', 'wi_7']],
    ['progress', ['progress', 'wi_7', '10']],
    ['release', ['release', 'wi_7']],
    ['fail', ['fail', 'wi_7', 'broken']],
  ])('%s on an item another agent holds', async (_name, argv) => {
    fake.api.on('GET', '/v1/work/wi_7', { status: 200, body: heldByB });

    const run = await runCoord(argv, { ...fake.env, AGENT_ID: 'agent_a', COORD_AGENT_TOKEN: 'a' });
    const json = await runCoord([...argv, '--json'], {
      ...fake.env,
      AGENT_ID: 'agent_a',
      COORD_AGENT_TOKEN: 'a',
    });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('held by agent_b');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: 'conflict', details: { code: 'already_claimed', holder: { agentId: 'agent_b' } } },
    });
    expect(fake.api.requests.filter((request) => request.method === 'POST')).toEqual([]);
  });

  it('complete on a completed item', async () => {
    fake.api.on('GET', '/v1/work/wi_7', { status: 200, body: workView({ id: 'wi_7', status: 'completed' }) });

    const run = await runCoord(['complete', 'wi_7'], { ...fake.env, AGENT_ID: 'agent_a' });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('status completed');
  });
});

describe('usage errors exit 2 and send nothing', () => {
  it.each([
    ['an agent id the API refuses', ['register', 'bad id']],
    ['a too short agent id', ['register', 'ab']],
    ['a team the API refuses', ['register', 'agent_ok', 'team with spaces']],
    ['a control character in an agent id', ['register', 'agent\u001b[31m']],
    ['help for an unknown command', ['help', 'nosuch']],
    ['help with two topics', ['help', 'claim', 'extra']],
    ['a negative percentage', ['progress', 'wi_x', '-5']],
    ['an unknown option', ['list-work', '--colour']],
    ['a bad agent id for coord run', ['run', '--agent-id', 'no way', '--team', 't', '--', 'true']],
    ['a token no HTTP header can carry', ['heartbeat', '--token', 'tok\nen']],
    ['a lone surrogate in a work id', ['show', 'wi_\ud800']],
    ['a lone surrogate in an option', ['list-work', '--team', '\udc00team']],
    [
      'a lone surrogate in an option given more than once',
      ['watch', '--channel', 'team:a', '--channel=\udc00'],
    ],
  ])('%s', async (_name, argv) => {
    const run = await runCoord(argv, { ...fake.env, AGENT_ID: 'agent_a' });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect([...run.stderr].filter((c) => c !== '\n' && c.charCodeAt(0) < 0x20)).toEqual([]);
    for (const line of run.stderr.split('\n')) expect((line.match(/'/g) ?? []).length % 2, line).toBe(0);
    expect(fake.api.requests).toEqual([]);
  });

  it('says how to pass a negative number', async () => {
    const run = await runCoord(['progress', 'wi_x', '-5'], fake.env);

    expect(run.stderr).toContain("Unknown option '-5' (a value starting with '-' goes after '--'");
  });

  it('prints usage errors as JSON on stdout with --json', async () => {
    const run = await runCoord(['register', 'bad id', '--json'], fake.env);

    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'usage', message: expect.any(String), details: {} },
    });
    expect(run.stderr).toBe('');
  });
});

describe('--json output is JSON', () => {
  it('generate-id --json prints {"id"}', async () => {
    const run = await runCoord(['generate-id', 'work', '--json'], fake.env);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ id: expect.stringMatching(/^work_\d{19}$/) });
  });

  it('import-legacy --json on an empty folder prints the error on stdout', async () => {
    const empty = await mkdtemp(join(fake.home, 'empty-'));

    const run = await runCoord(['import-legacy', '--dir', empty, '--json'], fake.env);

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: { message: expect.stringContaining('no legacy files') },
    });
  });
});

describe('which token a command uses', () => {
  it('an explicit COORD_TOKEN wins over the saved agent token for admin-capable writes', async () => {
    fake.api
      .on('POST', '/v1/agents', {
        status: 201,
        body: { agent: agentView({ id: 'agent_a' }), token: 'saved-a' },
      })
      .on('PATCH', '/v1/agents/other', { status: 200, body: agentView({ id: 'other', capacity: 2 }) });
    await runCoord(['register', 'agent_a', 'team_a'], fake.env);

    const run = await runCoord(['update-agent', 'other', '--capacity', '2'], {
      ...fake.env,
      COORD_AGENT_ID: 'agent_a',
    });

    expect(run.code).toBe(0);
    expect(fake.api.sent('PATCH', '/v1/agents/other')[0]?.headers.authorization).toBe('Bearer admin-token');
  });

  it('the saved agent token is used when COORD_TOKEN is not set', async () => {
    fake.api
      .on('POST', '/v1/agents', {
        status: 201,
        body: { agent: agentView({ id: 'agent_a' }), token: 'saved-a' },
      })
      .on('PATCH', '/v1/agents/agent_a', { status: 200, body: agentView({ id: 'agent_a', capacity: 2 }) });
    await runCoord(['register', 'agent_a', 'team_a'], fake.env);

    const run = await runCoord(['update-agent', '--capacity', '2'], {
      ...fake.env,
      COORD_TOKEN: '',
      COORD_AGENT_ID: 'agent_a',
    });

    expect(run.code).toBe(0);
    expect(fake.api.sent('PATCH', '/v1/agents/agent_a')[0]?.headers.authorization).toBe('Bearer saved-a');
  });
});
