import { describe, expect, it } from 'vitest';
import type { ClaimView, WorkView } from '#app/schemas/views';
import { auditEvents, createWork, getWork, registerAgent, uniqueName } from '#test/support/e2e-fixtures';

describe('a work item from creation to completion', () => {
  it('lets one agent claim, progress and complete it while a second claim is refused', async () => {
    // Arrange
    const team = uniqueName('team');
    const alice = await registerAgent(team);
    const bob = await registerAgent(team);
    const created = await createWork(team, { title: 'write the report', priority: 'high' });
    expect(created).toMatchObject({ status: 'ready', team, progress: 0, attempts: 0 });

    // Act: Alice claims
    const claim = await alice.api.post<ClaimView>(`/v1/work/${created.id}/claim`, { agentId: alice.id });

    // Assert: Alice holds it, with a token only she sees
    expect(claim.status, claim.text).toBe(200);
    expect(claim.body.item).toMatchObject({
      id: created.id,
      status: 'claimed',
      claim: { agentId: alice.id },
    });
    expect(claim.body.claim.token).toEqual(expect.any(String));
    expect(Date.parse(claim.body.claim.leaseExpiresAt)).toBeGreaterThan(Date.now());
    const seenByOthers = await getWork(created.id);
    expect(JSON.stringify(seenByOthers)).not.toContain(claim.body.claim.token);

    // Act: Bob tries the same item
    const refused = await bob.api.post(`/v1/work/${created.id}/claim`, { agentId: bob.id });

    // Assert: 409 naming Alice and her liveness
    expect(refused.status, refused.text).toBe(409);
    expect(refused.error?.code).toBe('already_claimed');
    expect(refused.error?.details.holder).toMatchObject({
      agentId: alice.id,
      status: 'active',
      lastHeartbeatAt: expect.any(String),
      leaseExpiresAt: claim.body.claim.leaseExpiresAt,
    });

    // Act: Alice reports progress, then completes
    const progress = await alice.api.post<WorkView>(`/v1/work/${created.id}/progress`, {
      claimToken: claim.body.claim.token,
      progress: 40,
      note: 'halfway there',
    });
    expect(progress.status, progress.text).toBe(200);
    expect(progress.body).toMatchObject({ status: 'in_progress', progress: 40 });

    const completed = await alice.api.post<WorkView>(`/v1/work/${created.id}/complete`, {
      claimToken: claim.body.claim.token,
      result: { pages: 3 },
    });

    // Assert: completed, the result kept, the claim gone
    expect(completed.status, completed.text).toBe(200);
    expect(completed.body).toMatchObject({ status: 'completed', result: { pages: 3 } });
    expect(completed.body.completedAt).toEqual(expect.any(String));
    const final = await getWork(created.id);
    expect(final.status).toBe('completed');
    expect(final.claim).toBeUndefined();

    // Assert: the audit log tells the story, in order, with the request ids that caused it
    const events = (await auditEvents({ entityId: created.id })).sort((a, b) => a.seq - b.seq);
    expect(events.map((event) => event.action)).toEqual([
      'work.created',
      'work.claimed',
      'work.progress',
      'work.completed',
    ]);
    expect(events.find((event) => event.action === 'work.claimed')).toMatchObject({
      actor: { type: 'agent', id: alice.id },
      entityType: 'work',
      requestId: claim.headers.get('x-request-id'),
    });
    expect(JSON.stringify(events)).not.toContain(claim.body.claim.token);
  });

  it('lets the agent release an item back to ready for another agent to claim', async () => {
    const team = uniqueName('team');
    const alice = await registerAgent(team);
    const bob = await registerAgent(team);
    const item = await createWork(team);
    const claim = await alice.api.post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: alice.id });
    expect(claim.status, claim.text).toBe(200);

    const released = await alice.api.post<WorkView>(`/v1/work/${item.id}/release`, {
      claimToken: claim.body.claim.token,
    });

    expect(released.status, released.text).toBe(200);
    expect(released.body).toMatchObject({ status: 'ready', attempts: 0 });
    const retaken = await bob.api.post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: bob.id });
    expect(retaken.status, retaken.text).toBe(200);
    expect(retaken.body.item.claim?.agentId).toBe(bob.id);
  });
});
