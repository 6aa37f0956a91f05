import { describe, expect, it } from 'vitest';
import type { ClaimView } from '#app/schemas/views';
import { createWork, getWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { pollUntil } from '#test/support/http-client';

describe('work items that depend on others', () => {
  it('keeps B blocked until A completes, then lets an agent claim it', async () => {
    // Arrange
    const team = uniqueName('deps');
    const alice = await registerAgent(team);
    const a = await createWork(team, { title: 'A' });
    const b = await createWork(team, { title: 'B', dependsOn: [a.id], priority: 'critical' });
    expect(b.status).toBe('blocked');

    // Act / Assert: B cannot be claimed, and claim-next offers A although B is more urgent
    const early = await alice.api.post(`/v1/work/${b.id}/claim`, { agentId: alice.id });
    expect(early.status, early.text).toBe(409);
    expect(early.error?.code).toBe('not_claimable');
    expect(early.error?.details).toMatchObject({ status: 'blocked' });
    const next = await alice.api.post<ClaimView>('/v1/work/claim-next', { agentId: alice.id });
    expect(next.status, next.text).toBe(200);
    expect(next.body.item.id).toBe(a.id);
    expect((await getWork(b.id)).status).toBe('blocked');

    // Act: A completes
    const done = await alice.api.post(`/v1/work/${a.id}/complete`, { claimToken: next.body.claim.token });
    expect(done.status, done.text).toBe(200);

    // Assert: B becomes ready and claimable
    await pollUntil(
      () => getWork(b.id),
      (item) => item.status === 'ready',
      { what: 'B ready after A completed' },
    );
    const claim = await alice.api.post<ClaimView>(`/v1/work/${b.id}/claim`, { agentId: alice.id });
    expect(claim.status, claim.text).toBe(200);
    expect(claim.body.item.status).toBe('claimed');
  });

  it('refuses a dependency that does not exist with 400 unknown_dependency', async () => {
    const { admin } = stackClients();
    const team = uniqueName('deps');

    const response = await admin.post('/v1/work', {
      type: 'task',
      title: 'orphan',
      team,
      dependsOn: ['no-such-item'],
    });

    expect(response.status, response.text).toBe(400);
    expect(response.error?.code).toBe('unknown_dependency');
  });
});
