import { describe, expect, it } from 'vitest';
import type { AgentViewSchema, ClaimView, WorkPage, WorkView } from '#app/schemas/views';
import {
  auditEvents,
  createWork,
  registerAgents,
  stackClients,
  type TestAgent,
  uniqueName,
} from '#test/support/e2e-fixtures';

const CAPACITY = 2;

/**
 * One agent's share of the drain: each round it asks for one more item than its capacity at
 * once, checks its own record, then completes what it got. It stops when told nothing is left.
 */
const drain = async (agent: TestAgent) => {
  const claimed: string[] = [];
  const activeClaimsSeen: number[] = [];
  for (;;) {
    const answers = await Promise.all(
      Array.from({ length: CAPACITY + 1 }, () =>
        agent.api.post<ClaimView>('/v1/work/claim-next', { agentId: agent.id }),
      ),
    );
    for (const answer of answers) {
      expect([200, 204, 409], answer.text).toContain(answer.status);
      if (answer.status === 409) expect(answer.error?.code).toBe('capacity_exceeded');
      if (answer.status === 204) expect(answer.text).toBe('');
    }
    const held = answers.filter((answer) => answer.status === 200).map((answer) => answer.body);
    expect(held.length).toBeLessThanOrEqual(CAPACITY);
    const self = await agent.api.get<AgentViewSchema>(`/v1/agents/${agent.id}`);
    expect(self.status, self.text).toBe(200);
    activeClaimsSeen.push(self.body.activeClaims);
    expect(self.body.activeClaims).toBe(held.length);
    if (held.length === 0) return { agent: agent.id, claimed, activeClaimsSeen };
    for (const { item, claim } of held) {
      claimed.push(item.id);
      const done = await agent.api.post(`/v1/work/${item.id}/complete`, { claimToken: claim.token });
      expect(done.status, done.text).toBe(200);
    }
  }
};

const listAll = async (team: string): Promise<WorkView[]> => {
  const { admin } = stackClients();
  const items: WorkView[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ team, limit: '200', ...(cursor ? { cursor } : {}) });
    const page = await admin.get<WorkPage>(`/v1/work?${query}`);
    expect(page.status, page.text).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
};

describe('claim-next under load', () => {
  it('drains 40 items over 20 agents of capacity 2: each item once, no agent over capacity', async () => {
    // Arrange
    const team = uniqueName('drain');
    const agents = await registerAgents(team, 20, { capacity: CAPACITY });
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => createWork(team, { title: `item ${i}`, businessValue: i })),
    );

    // Act
    const shares = await Promise.all(agents.map(drain));

    // Assert: every item claimed exactly once, and completed
    const claimed = shares.flatMap((share) => share.claimed);
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed)).toEqual(new Set(created.map((item) => item.id)));
    for (const share of shares) expect(Math.max(...share.activeClaimsSeen)).toBeLessThanOrEqual(CAPACITY);
    const items = await listAll(team);
    expect(items.map((item) => item.status)).toEqual(Array(40).fill('completed'));

    // Assert: the audit log agrees: one claim per item, by the agent that completed it
    const claimEvents = await Promise.all(
      created.map(async (item) =>
        (await auditEvents({ entityId: item.id })).filter((event) => event.action === 'work.claimed'),
      ),
    );
    for (const events of claimEvents) expect(events).toHaveLength(1);
    const claimer = new Map(shares.flatMap((share) => share.claimed.map((id) => [id, share.agent] as const)));
    for (const [event] of claimEvents) expect(event?.actor.id).toBe(claimer.get(event?.entityId ?? ''));

    // Assert: nothing is left
    const [first] = agents;
    const none = await first?.api.post('/v1/work/claim-next', { agentId: first.id });
    expect(none?.status).toBe(204);
  }, 300_000);
});
