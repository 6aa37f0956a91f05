import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCoord, useFakeApi } from '../support/fake-api';
import { agentView, apiError, claimView, workView } from '../support/views';

const fake = useFakeApi({ COORD_AGENT_TOKEN: 'agent-token', PATH: process.env.PATH ?? '' });

/** A command that writes what `coord run` gave it to a file, then exits with `status`. */
const child = (file: string, status: number) => [
  process.execPath,
  '-e',
  `require('node:fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify({ id: process.env.COORD_WORK_ID, token: process.env.COORD_CLAIM_TOKEN, current: process.env.CURRENT_WORK_ITEM, agent: process.env.AGENT_ID })); process.exit(${status});`,
];

beforeEach(() => {
  fake.api
    .on('GET', '/v1/agents/agent_a', { status: 200, body: agentView() })
    .on('POST', '/v1/work/claim-next', { status: 200, body: claimView('wi_5', 'tok-5') })
    .on('POST', '/v1/work/wi_5/complete', {
      status: 200,
      body: workView({ id: 'wi_5', status: 'completed' }),
    })
    .on('POST', '/v1/work/wi_5/fail', { status: 200, body: workView({ id: 'wi_5', status: 'ready' }) });
});

describe('coord run', () => {
  it('runs the command with the claimed item in its environment and completes it on exit 0', async () => {
    const out = join(fake.home, 'seen.json');

    const run = await runCoord(['run', '--agent-id', 'agent_a', '--', ...child(out, 0)], fake.env);

    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({
      id: 'wi_5',
      token: 'tok-5',
      current: 'wi_5',
      agent: 'agent_a',
    });
    expect(fake.api.sent('POST', '/v1/work/claim-next')[0]?.body).toEqual({ agentId: 'agent_a' });
    expect(fake.api.sent('POST', '/v1/work/wi_5/complete')[0]?.body).toEqual({
      claimToken: 'tok-5',
      result: { exitCode: 0 },
    });
    expect(run.stdout).toContain('COMPLETE: wi_5 (exit status 0)');
  });

  it('reports a retryable failure when the command exits non-zero, and exits 1', async () => {
    const run = await runCoord(
      ['run', '--agent-id', 'agent_a', '--', ...child(join(fake.home, 'x.json'), 3)],
      fake.env,
    );

    expect(run.code).toBe(1);
    expect(fake.api.sent('POST', '/v1/work/wi_5/fail')[0]?.body).toEqual({
      claimToken: 'tok-5',
      reason: 'command exited with status 3',
      retryable: true,
    });
    expect(fake.api.sent('POST', '/v1/work/wi_5/complete')).toEqual([]);
  });

  it('accepts a command that ended the claim itself', async () => {
    fake.api.on('POST', '/v1/work/wi_5/complete', { status: 409, body: apiError('stale_claim', 'ended') });

    const run = await runCoord(
      ['run', '--agent-id', 'agent_a', '--', ...child(join(fake.home, 'x.json'), 0)],
      fake.env,
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('DONE: wi_5 (the command ended the claim itself)');
  });

  it('runs nothing and exits 0 when there is no work', async () => {
    fake.api.on('POST', '/v1/work/claim-next', { status: 204 });
    const out = join(fake.home, 'never.json');

    const run = await runCoord(['run', '--agent-id', 'agent_a', '--', ...child(out, 0)], fake.env);

    expect(run).toMatchObject({ code: 0, stdout: 'NO WORK: nothing this agent may claim right now\n' });
    await expect(readFile(out, 'utf8')).rejects.toThrow();
  });

  it('registers the agent with the registration key when this machine has no token for it', async () => {
    fake.api.on('POST', '/v1/agents', {
      status: 201,
      body: { agent: agentView({ id: 'agent_n' }), token: 'new-token' },
    });
    fake.api.on('POST', '/v1/work/claim-next', { status: 204 });
    const { COORD_AGENT_TOKEN: _unused, ...withoutAgentToken } = fake.env;

    const run = await runCoord(
      ['run', '--agent-id', 'agent_n', '--team', 'api_team', '--capabilities', 'go,sql', '--', 'true'],
      { ...withoutAgentToken, COORD_TOKEN: 'registration-key' },
    );

    expect(run.code).toBe(0);
    expect(fake.api.sent('POST', '/v1/agents')[0]?.body).toEqual({
      id: 'agent_n',
      team: 'api_team',
      capabilities: ['go', 'sql'],
    });
    expect(fake.api.sent('POST', '/v1/agents')[0]?.headers.authorization).toBe('Bearer registration-key');
    expect(fake.api.sent('POST', '/v1/work/claim-next')[0]?.headers.authorization).toBe('Bearer new-token');
  });

  it('releases the item at once and exits 127 when the command does not exist', async () => {
    fake.api.on('POST', '/v1/work/wi_5/release', { status: 200, body: workView({ id: 'wi_5' }) });

    const run = await runCoord(
      ['run', '--agent-id', 'agent_a', '--', join(fake.home, 'no-such-command'), 'arg'],
      fake.env,
    );

    expect(run.code).toBe(127);
    expect(run.stderr).toContain('cannot run');
    expect(run.stderr).toContain('ENOENT');
    expect(fake.api.sent('POST', '/v1/work/wi_5/release')[0]?.body).toEqual({ claimToken: 'tok-5' });
    expect(fake.api.sent('POST', '/v1/work/wi_5/fail')).toEqual([]);
    expect(run.stdout).toContain('RELEASE: wi_5 (the command did not start)');
  });

  it('releases the item and exits 126 when the command is not executable', async () => {
    fake.api.on('POST', '/v1/work/wi_5/release', { status: 200, body: workView({ id: 'wi_5' }) });
    const script = join(fake.home, 'not-executable.sh');
    await writeFile(script, '#!/bin/sh\nexit 0\n');
    await chmod(script, 0o644);

    const run = await runCoord(['run', '--agent-id', 'agent_a', '--loop', '--', script], fake.env);

    expect(run.code).toBe(126);
    expect(fake.api.sent('POST', '/v1/work/wi_5/release')).toHaveLength(1);
    expect(fake.api.sent('POST', '/v1/work/claim-next')).toHaveLength(1);
  });

  it('exits 2 without a command after --', async () => {
    expect((await runCoord(['run', '--agent-id', 'agent_a'], fake.env)).code).toBe(2);
  });
});
