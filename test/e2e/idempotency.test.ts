import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClaimView, WorkPage, WorkView } from '#app/schemas/views';
import { createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';

describe('Idempotency-Key', () => {
  it('replays the first answer to a repeat with the same key and body, creating one item', async () => {
    const { admin } = stackClients();
    const team = uniqueName('idem');
    const body = { type: 'task', title: 'once only', team };
    const idempotencyKey = randomUUID();

    const first = await admin.post<WorkView>('/v1/work', body, { idempotencyKey });
    const repeat = await admin.post<WorkView>('/v1/work', body, { idempotencyKey });

    expect(first.status, first.text).toBe(201);
    expect(repeat.status, repeat.text).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const page = await admin.get<WorkPage>(`/v1/work?team=${team}`);
    expect(page.body.items.map((item) => item.id)).toEqual([first.body.id]);
  });

  it('answers 409 idempotency_conflict to the same key with another body', async () => {
    const { admin } = stackClients();
    const team = uniqueName('idem');
    const idempotencyKey = randomUUID();
    const first = await admin.post('/v1/work', { type: 'task', title: 'first', team }, { idempotencyKey });
    expect(first.status, first.text).toBe(201);

    const other = await admin.post('/v1/work', { type: 'task', title: 'second', team }, { idempotencyKey });

    expect(other.status, other.text).toBe(409);
    expect(other.error?.code).toBe('idempotency_conflict');
    const page = await admin.get<WorkPage>(`/v1/work?team=${team}`);
    expect(page.body.items).toHaveLength(1);
  });

  it('replays a claim with the same token instead of issuing a fresh one', async () => {
    const team = uniqueName('idem');
    const alice = await registerAgent(team);
    const item = await createWork(team);
    const idempotencyKey = randomUUID();

    const first = await alice.api.post<ClaimView>(
      `/v1/work/${item.id}/claim`,
      { agentId: alice.id },
      { idempotencyKey },
    );
    const repeat = await alice.api.post<ClaimView>(
      `/v1/work/${item.id}/claim`,
      { agentId: alice.id },
      { idempotencyKey },
    );

    expect(first.status, first.text).toBe(200);
    expect(repeat.status, repeat.text).toBe(200);
    expect(repeat.body.claim.token).toBe(first.body.claim.token);
    const progress = await alice.api.post(`/v1/work/${item.id}/progress`, {
      claimToken: first.body.claim.token,
      progress: 5,
    });
    expect(progress.status, progress.text).toBe(200);
  });

  it('refuses a key longer than 128 characters with 400', async () => {
    const { admin } = stackClients();

    const response = await admin.post(
      '/v1/work',
      { type: 'task', title: 'long key', team: uniqueName('idem') },
      { idempotencyKey: 'k'.repeat(129) },
    );

    expect(response.status, response.text).toBe(400);
    expect(response.error?.code).toBe('validation_error');
  });
});
