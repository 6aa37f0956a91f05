import { describe, expect, it } from 'vitest';
import type { AgentViewSchema, WorkView } from '#app/schemas/views';
import { createWork, getWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { pollUntil } from '#test/support/http-client';
import { coordMachine } from './coord';

const CLAIMED_LINE = /^SUCCESS: Claimed work item (\S+) for team (\S+)$/m;

const claimedId = (stdout: string): string => {
  const match = CLAIMED_LINE.exec(stdout);
  if (!match?.[1]) throw new Error(`no SUCCESS line in:\n${stdout}`);
  return match[1];
};

const getAgent = async (id: string): Promise<AgentViewSchema> => {
  const response = await stackClients().admin.get<AgentViewSchema>(`/v1/agents/${id}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
};

describe('the legacy commands against the local stack', () => {
  it('registers an agent, then claims, progresses and completes with the legacy lines', async () => {
    // Arrange
    const team = uniqueName('cli');
    const agentId = uniqueName('agent');
    const machine = coordMachine('registration');
    const asAgent = { AGENT_ID: agentId, COORD_TOKEN: '' };

    // Act: the legacy positional arguments, as old scripts call them
    const registered = await machine.run(['register', agentId, team, '100', 'backend']);
    const claimed = await machine.run(['claim', 'build', 'Build the widget', 'high', team], asAgent);
    const workId = claimedId(claimed.stdout);
    const halfway = await machine.run(['progress', workId, '50'], asAgent);
    const review = await machine.run(['progress', workId, '60', 'review'], asAgent);
    const completed = await machine.run(['complete', workId, 'success', '8'], asAgent);

    // Assert: what they print and exit with
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toContain(`REGISTERED: Agent ${agentId} in team ${team} with capacity 5`);
    expect(claimed.code, claimed.stderr).toBe(0);
    expect(claimed.stdout).toContain(`Agent ${agentId} claiming work: ${workId}`);
    expect(halfway.stdout).toContain(`PROGRESS: Updated ${workId} to 50% (in_progress)`);
    expect(review.stdout).toContain(`PROGRESS: Updated ${workId} to 60% (review)`);
    expect(completed.code, completed.stderr).toBe(0);
    expect(completed.stdout).toContain(
      `COMPLETED: Released claim for ${workId} (success) - 8 velocity points`,
    );

    // Assert: what the service holds
    expect(await getAgent(agentId)).toMatchObject({
      team,
      capacity: 5,
      capabilities: ['backend'],
      activeClaims: 0,
    });
    expect(await getWork(workId)).toMatchObject({
      type: 'build',
      title: 'Build the widget',
      priority: 'high',
      team,
      status: 'completed',
      lastNote: 'review',
      result: { result: 'success', velocityPoints: 8 },
    });
  });

  it('prints only the id with -q, and exits 3 when another agent already holds the item', async () => {
    const team = uniqueName('cli');
    const [alice, bob] = [await registerAgent(team), await registerAgent(team)];
    const machine = coordMachine('none');

    const quiet = await machine.run(['claim', 'test', 'Run the suite', 'low', team, '-q'], {
      AGENT_ID: alice.id,
      COORD_AGENT_TOKEN: alice.token,
    });
    const workId = quiet.stdout.trim();
    const taken = await machine.run(['claim', workId], { AGENT_ID: bob.id, COORD_AGENT_TOKEN: bob.token });

    expect(quiet.code, quiet.stderr).toBe(0);
    expect((await getWork(workId)).claim?.agentId).toBe(alice.id);
    expect(taken.code).toBe(3);
    expect(taken.stderr).toContain('already_claimed');
  });

  it('claims the most urgent item of the team with claim-next, and says NO WORK with exit 0 when none is left', async () => {
    const team = uniqueName('cli');
    const agent = await registerAgent(team, { capacity: 3 });
    const low = await createWork(team, { title: 'later', priority: 'low' });
    const critical = await createWork(team, { title: 'now', priority: 'critical' });
    const machine = coordMachine('none');
    const asAgent = { AGENT_ID: agent.id, COORD_AGENT_TOKEN: agent.token };

    const first = await machine.run(['claim-next', '--team', team], asAgent);
    const second = await machine.run(['claim-next', '--team', team], asAgent);
    const none = await machine.run(['claim-next', '--team', team], asAgent);

    expect([first.code, second.code, none.code]).toEqual([0, 0, 0]);
    expect(claimedId(first.stdout)).toBe(critical.id);
    expect(claimedId(second.stdout)).toBe(low.id);
    expect(none.stdout).toContain('NO WORK');
    expect((await getAgent(agent.id)).activeClaims).toBe(2);
  });

  it('records a heartbeat', async () => {
    const team = uniqueName('cli');
    const agent = await registerAgent(team);
    const before = (await getAgent(agent.id)).lastHeartbeatAt;
    const machine = coordMachine('none');

    const beat = await machine.run(['heartbeat', 'active'], {
      AGENT_ID: agent.id,
      COORD_AGENT_TOKEN: agent.token,
    });

    expect(beat.code, beat.stderr).toBe(0);
    expect(beat.stdout).toContain(`HEARTBEAT: ${agent.id}`);
    const after = await pollUntil(
      () => getAgent(agent.id),
      (view) => view.reportedStatus === 'active' && Date.parse(view.lastHeartbeatAt) > Date.parse(before),
      { what: 'the heartbeat applied' },
    );
    expect(after.status).toBe('idle');
  });

  it('lists the work of a team, with legacy status names, and shows it on the dashboard', async () => {
    const team = uniqueName('cli');
    const agent = await registerAgent(team);
    const open = await createWork(team, { title: 'waiting item' });
    const held = await createWork(team, { title: 'held item' });
    const claim = await agent.api.post<{ item: WorkView }>(`/v1/work/${held.id}/claim`, {
      agentId: agent.id,
    });
    expect(claim.status, claim.text).toBe(200);
    const admin = coordMachine('admin');

    const all = await admin.run(['list-work', '--team', team]);
    const active = await admin.run(['list-work', 'active', '--team', team]);
    const dashboard = await admin.run(['dashboard']);

    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`^${open.id}\\s+ready\\s+${team}`, 'm'));
    expect(all.stdout).toMatch(new RegExp(`^${held.id}\\s+claimed\\s+${team}\\s+medium\\s+${agent.id}`, 'm'));
    expect(active.stdout).toContain(held.id);
    expect(active.stdout).not.toContain(open.id);
    expect(dashboard.code, dashboard.stderr).toBe(0);
    expect(dashboard.stdout).toContain('COORDINATION DASHBOARD');
    expect(dashboard.stdout).toMatch(new RegExp(`^\\s+${team}\\s+active 1\\s+ready 1, claimed 1`, 'm'));
    expect(dashboard.stdout).toContain(held.id);
  });
});
