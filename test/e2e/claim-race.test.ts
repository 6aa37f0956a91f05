import { describe, expect, it } from 'vitest';
import type { ClaimView } from '#app/schemas/views';
import { auditEvents, createWork, getWork, registerAgents, uniqueName } from '#test/support/e2e-fixtures';

describe('agents racing for one work item', () => {
  it('gives the item to exactly one of 30 agents and tells the 29 others who won', async () => {
    // Arrange
    const team = uniqueName('race');
    const agents = await registerAgents(team, 30);
    const item = await createWork(team, { title: 'the one prize' });

    // Act: all claim at once
    const answers = await Promise.all(
      agents.map((agent) => agent.api.post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: agent.id })),
    );

    // Assert: one winner, 29 conflicts naming it
    const winners = answers.flatMap((answer, i) => (answer.status === 200 ? [agents[i]?.id] : []));
    expect(winners, answers.map((a) => `${a.status} ${a.text}`).join('\n')).toHaveLength(1);
    const winner = winners[0];
    const losers = answers.filter((answer) => answer.status !== 200);
    expect(losers).toHaveLength(29);
    for (const loser of losers) {
      expect(loser.status, loser.text).toBe(409);
      expect(loser.error?.code).toBe('already_claimed');
      expect(loser.error?.details.holder).toMatchObject({ agentId: winner, status: 'active' });
    }
    expect((await getWork(item.id)).claim?.agentId).toBe(winner);
    const claims = (await auditEvents({ entityId: item.id })).filter(
      (event) => event.action === 'work.claimed',
    );
    expect(claims).toHaveLength(1);
    expect(claims[0]?.actor.id).toBe(winner);
  });
});
