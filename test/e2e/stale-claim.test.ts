import { describe, expect, it } from 'vitest';
import type { ClaimView } from '#app/schemas/views';
import { createWork, getWork, registerAgent, stateOf, uniqueName } from '#test/support/e2e-fixtures';

describe('claim tokens fence every holder write', () => {
  it('answers 409 stale_claim to a superseded token and changes nothing', async () => {
    // Arrange: Alice claims, then claims again (her first token goes stale)
    const team = uniqueName('stale');
    const alice = await registerAgent(team);
    const item = await createWork(team);
    const first = await alice.api.post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: alice.id });
    expect(first.status, first.text).toBe(200);
    const second = await alice.api.post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: alice.id });
    expect(second.status, second.text).toBe(200);
    expect(second.body.claim.token).not.toBe(first.body.claim.token);
    const before = await getWork(item.id);

    // Act: each holder write with the old token
    const answers = await Promise.all([
      alice.api.post(`/v1/work/${item.id}/progress`, { claimToken: first.body.claim.token, progress: 10 }),
      alice.api.post(`/v1/work/${item.id}/complete`, { claimToken: first.body.claim.token }),
      alice.api.post(`/v1/work/${item.id}/fail`, { claimToken: first.body.claim.token, reason: 'nope' }),
      alice.api.post(`/v1/work/${item.id}/release`, { claimToken: first.body.claim.token }),
    ]);

    // Assert
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(409);
      expect(answer.error?.code).toBe('stale_claim');
      expect(answer.error?.details).toMatchObject({ status: 'claimed', holder: { agentId: alice.id } });
    }
    expect(stateOf(await getWork(item.id))).toEqual(stateOf(before));
  });

  it('answers 409 stale_claim to the token of a claim that has ended', async () => {
    const team = uniqueName('stale');
    const alice = await registerAgent(team);
    const item = await createWork(team);
    const claim = await alice.api.post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: alice.id });
    expect(claim.status, claim.text).toBe(200);
    const done = await alice.api.post(`/v1/work/${item.id}/complete`, { claimToken: claim.body.claim.token });
    expect(done.status, done.text).toBe(200);
    const before = await getWork(item.id);

    const again = await alice.api.post(`/v1/work/${item.id}/progress`, {
      claimToken: claim.body.claim.token,
      progress: 99,
    });

    expect(again.status, again.text).toBe(409);
    expect(again.error?.code).toBe('stale_claim');
    expect(again.error?.details).toMatchObject({ status: 'completed' });
    expect(stateOf(await getWork(item.id))).toEqual(stateOf(before));
  });

  it('answers 403 when another agent presents the current token', async () => {
    const team = uniqueName('stale');
    const alice = await registerAgent(team);
    const mallory = await registerAgent(team);
    const item = await createWork(team);
    const claim = await alice.api.post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: alice.id });
    expect(claim.status, claim.text).toBe(200);
    const before = await getWork(item.id);

    const answer = await mallory.api.post(`/v1/work/${item.id}/progress`, {
      claimToken: claim.body.claim.token,
      progress: 50,
    });

    expect(answer.status, answer.text).toBe(403);
    expect(answer.error?.code).toBe('forbidden');
    expect(stateOf(await getWork(item.id))).toEqual(stateOf(before));
  });
});
