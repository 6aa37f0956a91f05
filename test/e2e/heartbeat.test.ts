import { describe, expect, it } from 'vitest';
import type { AgentViewSchema } from '#app/schemas/views';
import { claimWork, createWork, registerAgent, uniqueName } from '#test/support/e2e-fixtures';
import { pollUntil } from '#test/support/http-client';

describe('heartbeats through the local stack', () => {
  it('answers 202 and applies the heartbeat through the queue: the agent is fresher and its lease longer', async () => {
    const team = uniqueName('team-hb');
    const agent = await registerAgent(team);
    const item = await createWork(team);
    const claim = await claimWork(agent, item.id);
    const read = async () => (await agent.api.get<AgentViewSchema>(`/v1/agents/${agent.id}`)).body;
    const before = await read();

    const answer = await agent.api.post(`/v1/agents/${agent.id}/heartbeat`, { status: 'active' });
    const after = await pollUntil(read, (view) => view.lastHeartbeatAt !== before.lastHeartbeatAt, {
      timeoutMs: 15_000,
      what: 'the heartbeat applied',
    });
    const held = await agent.api.get<{ claim?: { leaseExpiresAt: string } }>(`/v1/work/${item.id}`);

    expect(answer.status).toBe(202);
    expect(after).toMatchObject({ status: 'active', reportedStatus: 'active' });
    expect(Date.parse(after.lastHeartbeatAt)).toBeGreaterThan(Date.parse(before.lastHeartbeatAt));
    expect(Date.parse(held.body.claim?.leaseExpiresAt ?? '')).toBeGreaterThan(
      Date.parse(claim.claim.leaseExpiresAt),
    );
  });
});
