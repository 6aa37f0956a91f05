/**
 * `coord` given wrong, odd and hostile input against the local stack: whatever happens, nothing
 * is left claimed or half-made, and the exit status says what kind of failure it was.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentViewSchema, WorkPage } from '#app/schemas/views';
import {
  claimWork,
  createWork,
  getWork,
  registerAgent,
  stackClients,
  uniqueName,
} from '#test/support/e2e-fixtures';
import { isWellFormed } from '../../../cli/text';
import { coordMachine } from './coord';

const getAgent = async (id: string): Promise<AgentViewSchema> => {
  const response = await stackClients().admin.get<AgentViewSchema>(`/v1/agents/${id}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
};

describe('coord run with a command that cannot start', () => {
  it('releases the item at once, without an attempt, and exits 127', async () => {
    const team = uniqueName('run');
    const agentId = uniqueName('runner');
    const item = await createWork(team, { title: 'never started' });

    const run = await coordMachine('registration').run([
      'run',
      '--agent-id',
      agentId,
      '--team',
      team,
      '--',
      '/no/such/command',
    ]);

    expect(run.code, run.stderr).toBe(127);
    expect(run.stderr).toContain('cannot run /no/such/command');
    expect(await getWork(item.id)).toMatchObject({ status: 'ready', attempts: 0 });
    expect((await getAgent(agentId)).activeClaims).toBe(0);
  });
});

const workOf = async (team: string): Promise<WorkPage['items']> => {
  const response = await stackClients().admin.get<WorkPage>(`/v1/work?team=${team}&limit=200`);
  expect(response.status, response.text).toBe(200);
  return response.body.items;
};

describe('coord claim at capacity', () => {
  it('exits 3 and creates nothing, however often it is rerun', async () => {
    const team = uniqueName('full');
    const agent = await registerAgent(team, { capacity: 1 });
    const held = await createWork(team, { title: 'already held' });
    await claimWork(agent, held.id);
    const machine = coordMachine('none');
    const asAgent = { AGENT_ID: agent.id, COORD_AGENT_TOKEN: agent.token };

    const first = await machine.run(['claim', 'build', 'x', 'low', team], asAgent);
    const again = await machine.run(['claim', 'build', 'x', 'low', team], asAgent);

    expect([first.code, again.code], first.stderr).toEqual([3, 3]);
    expect(first.stderr).toContain('nothing was created');
    expect((await workOf(team)).map((item) => item.id)).toEqual([held.id]);
  });

  it('exits 2 for a work id followed by more arguments, and creates nothing', async () => {
    const team = uniqueName('extra');
    const agent = await registerAgent(team);
    const item = await createWork(team);

    const run = await coordMachine('none').run(['claim', item.id, 'extra'], {
      AGENT_ID: agent.id,
      COORD_AGENT_TOKEN: agent.token,
    });

    expect(run.code).toBe(2);
    expect((await workOf(team)).map((entry) => [entry.id, entry.status])).toEqual([[item.id, 'ready']]);
  });
});

describe('conflicts exit 3', () => {
  it('complete, progress and release on an item another agent holds, and complete on a completed item', async () => {
    const team = uniqueName('conflict');
    const holder = await registerAgent(team);
    const other = await registerAgent(team);
    const held = await createWork(team, { title: 'held by the holder' });
    await claimWork(holder, held.id);
    const machine = coordMachine('none');
    const asOther = { AGENT_ID: other.id, COORD_AGENT_TOKEN: other.token };
    const asHolder = { AGENT_ID: holder.id, COORD_AGENT_TOKEN: holder.token };

    const complete = await machine.run(['complete', held.id], asOther);
    const progress = await machine.run(['progress', held.id, '10'], asOther);
    const release = await machine.run(['release', held.id], asOther);
    const done = await machine.run(['progress', held.id, '100'], asHolder);
    const first = await machine.run(['complete', held.id], asHolder);
    const second = await machine.run(['complete', held.id], asHolder);

    expect([complete.code, progress.code, release.code], complete.stderr).toEqual([3, 3, 3]);
    expect(complete.stderr).toContain(`held by ${holder.id}`);
    expect([done.code, first.code], first.stderr).toEqual([0, 0]);
    expect(second.code, second.stderr).toBe(3);
    expect(await getWork(held.id)).toMatchObject({ status: 'completed' });
  });

  it('an explicit admin COORD_TOKEN changes another agent even with COORD_AGENT_ID set', async () => {
    const team = uniqueName('admin');
    const agentId = uniqueName('self');
    const other = await registerAgent(team);
    const machine = coordMachine('admin');
    const registered = await machine.run(['register', agentId, team]);

    const run = await machine.run(['update-agent', other.id, '--capacity', '2'], { COORD_AGENT_ID: agentId });

    expect(registered.code, registered.stderr).toBe(0);
    expect(run.code, run.stderr).toBe(0);
    expect((await getAgent(other.id)).capacity).toBe(2);
  });
});

describe('coord create with a long title ending in emoji', () => {
  it('stores a whole title (no lone surrogate) that list-work --json prints as valid JSON', async () => {
    const team = uniqueName('emoji');
    const machine = coordMachine('admin');
    const description = `${'x'.repeat(198)}🚀🚀🚀🚀`;

    const created = await machine.run(['create', 'build', description, 'low', team, '-q']);
    const listed = await machine.run(['list-work', '--team', team, '--json']);

    expect(created.code, created.stderr).toBe(0);
    const item = await getWork(created.stdout.trim());
    expect(item.title).toBe(`${'x'.repeat(198)}🚀…`);
    expect(isWellFormed(item.title)).toBe(true);
    expect(item.description).toBe(description);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).items[0].title).toBe(item.title);
  });
});

describe('coord mcp given a line that is not JSON', () => {
  it('answers a JSON-RPC parse error (-32700) on stdout and exits 0 when stdin ends', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'mcp'], {
      cwd: resolve(import.meta.dirname, '..', '..', '..'),
      env: coordMachine('none').env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    const firstLine = new Promise<string>((resolveLine) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes('\n')) resolveLine(stdout.split('\n')[0] as string);
      });
    });
    const exited = new Promise<number | null>((resolveExit) => child.once('close', resolveExit));

    child.stdin.write('garbage{\n');
    const reply = JSON.parse(await firstLine);
    child.stdin.end();

    expect(reply).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    expect(await exited).toBe(0);
  });
});
