import { describe, expect, it } from 'vitest';
import type { AgentPage, AgentViewSchema, AuditEventView, WorkPage, WorkView } from '#app/schemas/views';
import { auditEvents, stackClients } from '#test/support/e2e-fixtures';
import { pollUntil } from '#test/support/http-client';
import { coordMachine, LEGACY_FIXTURES } from './coord';

/** The teams of the legacy fixtures (fixed names: only this file imports them). */
const LEGACY_TEAMS = ['platform_team', 'api_team', 'web_team'] as const;

const allPages = async <T>(path: string): Promise<T[]> => {
  const { admin } = stackClients();
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const response = await admin.get<{ items: T[]; nextCursor?: string }>(
      `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(response.status, response.text).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  return items;
};

const legacyWork = async (): Promise<WorkView[]> =>
  (await Promise.all(LEGACY_TEAMS.map((team) => allPages<WorkView>(`/v1/work?team=${team}`)))).flat();

const legacyAgents = async (): Promise<AgentViewSchema[]> =>
  (
    await Promise.all(LEGACY_TEAMS.map((team) => allPages<AgentViewSchema>(`/v1/agents?team=${team}`)))
  ).flat();

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> =>
  items.reduce<Record<string, number>>((counts, item) => {
    counts[key(item)] = (counts[key(item)] ?? 0) + 1;
    return counts;
  }, {});

/** Imported history of the items: events whose actor is the import. */
const importedHistory = async (workIds: readonly string[]): Promise<AuditEventView[]> =>
  (await Promise.all(workIds.map((entityId) => auditEvents({ entityId }))))
    .flat()
    .filter((event) => event.actor.type === 'import');

/** The one history entry of a claim the legacy script announced but never stored. */
const UNSTORED_CLAIM = 'work_1795606696288096075';

describe('coord import-legacy against the local stack', () => {
  it('refuses a damaged directory, naming each file and byte offset, and imports nothing', async () => {
    const before = { work: (await legacyWork()).length, agents: (await legacyAgents()).length };

    const run = await coordMachine().run(['import-legacy', '--dir', `${LEGACY_FIXTURES}/corrupted`]);

    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('files do not parse; nothing imported');
    expect(run.stderr).toMatch(/work_claims\.json: byte 15388 \(line 492, column 33\).*unterminated string/);
    expect(run.stderr).toMatch(/agent_status\.json: byte 863 .*'eighty'/);
    expect(run.stderr).toContain('--salvage');
    expect({ work: (await legacyWork()).length, agents: (await legacyAgents()).length }).toEqual(before);
  });

  it('imports the fixtures with their ids, states, times, teams, claims and history', async () => {
    // Act
    const run = await coordMachine().run(['import-legacy', '--dir', LEGACY_FIXTURES]);

    // Assert: the report
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^agents\s+8\s+8\s+0\s+0\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^work\s+40\s+40\s+0\s+0\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^events\s+86\s+86\s+0\s+0\s+0\s+98$/m);

    // Assert: counts by team and status, as the service sees them
    const work = await legacyWork();
    const agents = await legacyAgents();
    expect(countBy(work, (item) => item.team)).toEqual({ api_team: 16, platform_team: 14, web_team: 10 });
    expect(countBy(work, (item) => item.status)).toEqual({
      claimed: 15,
      in_progress: 10,
      completed: 13,
      failed: 2,
    });
    expect(countBy(agents, (agent) => agent.team)).toEqual({ platform_team: 3, api_team: 3, web_team: 2 });

    // Assert: fields of one held item, one finished item and one agent
    const held = work.find((item) => item.id === 'work_1795264684692079629');
    expect(held).toMatchObject({
      type: 'ci_cd',
      title: 'Flaky integration test quarantine',
      team: 'platform_team',
      priority: 'high',
      status: 'in_progress',
      progress: 15,
      attempts: 0,
      createdAt: '2026-11-21T12:38:04.000Z',
      updatedAt: '2026-11-21T18:38:07.000Z',
      createdBy: { type: 'import' },
      claim: { agentId: 'agent_1795250283460837754', claimedAt: '2026-11-21T12:38:04.000Z' },
      metadata: {
        legacySource: 'work_claims.json',
        legacy: { reactor_id: 'shell_agent', estimated_duration: '30m' },
      },
    });
    expect(Date.parse(held?.claim?.leaseExpiresAt ?? '')).toBeGreaterThan(Date.now());
    expect(work.find((item) => item.id === 'work_1795264683784008223')).toMatchObject({
      status: 'completed',
      result: 'success',
      progress: 75,
      completedAt: '2026-11-25T11:18:16.000Z',
    });
    expect(agents.find((agent) => agent.id === 'agent_1795250283409565600')).toMatchObject({
      team: 'platform_team',
      capacity: 5,
      capabilities: ['general_development'],
      lastHeartbeatAt: '2026-11-24T12:38:12.000Z',
      status: 'offline',
    });

    // Assert: every imported claim counts toward its agent
    for (const agent of agents) {
      const holding = work.filter((item) => item.claim?.agentId === agent.id);
      expect(agent.activeClaims, agent.id).toBe(holding.length);
    }

    // Assert: history as audit entries with the original times and an import actor
    const history = await importedHistory([...work.map((item) => item.id), UNSTORED_CLAIM]);
    expect(history).toHaveLength(86);
    expect(countBy(history, (event) => event.action)).toEqual({
      'work.claimed': 41,
      'work.progress': 28,
      'work.completed': 15,
      'work.failed': 2,
    });
    expect(
      history.find(
        (event) => event.entityId === 'work_1795264683784008223' && event.action === 'work.claimed',
      ),
    ).toMatchObject({
      at: '2026-11-21T12:38:03.000Z',
      actor: { type: 'import', id: 'agent_1795250283357469454' },
    });
  });

  it('changes nothing when run again, and says so', async () => {
    // The stack's sweeper announces each silent imported agent offline once, a write of its own;
    // wait for it, so the comparison sees only what the second import does.
    const agentIds = (await legacyAgents()).map((agent) => agent.id);
    await pollUntil(
      () =>
        Promise.all(
          agentIds.map(async (id) =>
            (await auditEvents({ entityId: id })).some((event) => event.action === 'agent.status'),
          ),
        ),
      (announced) => announced.length === 8 && announced.every(Boolean),
      { timeoutMs: 90_000, intervalMs: 1000, what: 'the sweeper announcing the imported agents offline' },
    );
    const before = { work: await legacyWork(), agents: await legacyAgents() };

    const run = await coordMachine().run(['import-legacy', '--dir', LEGACY_FIXTURES]);

    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^agents\s+8\s+0\s+8\s+0\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^work\s+40\s+0\s+40\s+0\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^events\s+86\s+0\s+86\s+0\s+0\s+98$/m);
    const after = { work: await legacyWork(), agents: await legacyAgents() };
    const stable = (items: readonly { id: string; version: number; updatedAt: string }[]) =>
      items
        .map(({ id, version, updatedAt }) => ({ id, version, updatedAt }))
        .sort((a, b) => a.id.localeCompare(b.id));
    expect(stable(after.work)).toEqual(stable(before.work));
    expect(stable(after.agents)).toEqual(stable(before.agents));
  });

  it('lets an imported agent get a token and carry on with its imported claim, and a later import leaves that alone', async () => {
    // Arrange: an admin issues the imported agent a token, which coord saves on this machine
    const machine = coordMachine();
    const agentId = 'agent_1795250283460837754';
    const workId = 'work_1795264684692079629';
    const issued = await machine.run(['token', agentId]);
    expect(issued.code, issued.stderr).toBe(0);
    const asAgent = { AGENT_ID: agentId, COORD_TOKEN: '' };

    // Act: the agent reports progress on its imported item (no claim token saved), then completes it
    const progress = await machine.run(['progress', workId, '80'], asAgent);
    const complete = await machine.run(['complete', workId, 'success', '3'], asAgent);

    // Assert
    expect(progress.code, progress.stderr).toBe(0);
    expect(progress.stderr).toContain(`taking up ${agentId}'s claim again`);
    expect(complete.code, complete.stderr).toBe(0);
    const { admin: api } = stackClients();
    const item = await api.get<WorkView>(`/v1/work/${workId}`);
    expect(item.body).toMatchObject({
      status: 'completed',
      result: { result: 'success', velocityPoints: 3 },
    });
    const reported = await auditEvents({ entityId: workId, actorId: agentId });
    expect(reported.filter((event) => event.actor.type === 'agent').map((event) => event.action)).toEqual(
      expect.arrayContaining(['work.progress', 'work.completed']),
    );
    const agent = await api.get<AgentViewSchema>(`/v1/agents/${agentId}`);
    expect(agent.body.activeClaims).toBe(1);

    // Act: the import runs again after these changes
    const again = await machine.run(['import-legacy', '--dir', LEGACY_FIXTURES]);

    // Assert: unchanged, nothing overwritten
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/^work\s+40\s+0\s+40\s+0\s+0\s+0$/m);
    expect((await api.get<WorkView>(`/v1/work/${workId}`)).body).toMatchObject({ status: 'completed' });
    const page = await api.get<AgentPage>(`/v1/agents?team=platform_team`);
    expect(page.body.items.find((each) => each.id === agentId)?.activeClaims).toBe(1);
    expect((await api.get<WorkPage>(`/v1/work?agentId=${agentId}`)).body.items).toHaveLength(1);
  });
});
