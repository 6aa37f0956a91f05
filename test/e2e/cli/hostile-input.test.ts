/**
 * `coord` given wrong, odd and hostile input against the local stack: whatever happens, nothing
 * is left claimed or half-made, and the exit status says what kind of failure it was.
 */
import { describe, expect, it } from 'vitest';
import type { AgentViewSchema } from '#app/schemas/views';
import { createWork, getWork, stackClients, uniqueName } from '#test/support/e2e-fixtures';
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
