/**
 * Fault: an agent stops heartbeating in the middle of a claim. On a stack of its own with the
 * shortest lease (5 s) and a fast sweeper, through the running stack only: the item comes back
 * after the lease, another agent completes it, the silent agent's late complete is stale; and an
 * item whose last attempt expires is escalated through the escalations queue and its consumer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EscalationPage } from '#app/schemas/escalations';
import type { AgentViewSchema, ClaimView, RegisterAgentResult, WorkView } from '#app/schemas/views';
import { besideRunStack, uniqueName } from '#test/support/e2e-fixtures';
import { ApiClient, pollUntil } from '#test/support/http-client';
import { type SpawnedStack, spawnLocalStack } from '#test/support/local-stack';

let stack: SpawnedStack;
let admin: ApiClient;
let registration: ApiClient;

beforeAll(async () => {
  stack = await spawnLocalStack({
    ...besideRunStack(),
    COORD_LEASE_SECONDS: '5',
    COORD_SWEEP_INTERVAL_MS: '500',
    COORD_HANDLER_TIMEOUT_MS: '300000',
  });
  admin = new ApiClient(stack.url, stack.adminToken);
  registration = new ApiClient(stack.url, stack.registrationKey);
});

afterAll(async () => {
  const code = await stack?.stop('SIGTERM');
  expect(code, `the lease stack's log: ${stack?.launched.logFile}`).toBe(0);
});

const register = async (team: string) => {
  const id = uniqueName('agent');
  const answer = await registration.post<RegisterAgentResult>('/v1/agents', { id, team });
  expect(answer.status, answer.text).toBe(201);
  return { id, api: registration.as(answer.body.token) };
};

const create = async (team: string, fields: Record<string, unknown> = {}) => {
  const answer = await admin.post<WorkView>('/v1/work', { type: 'task', title: 'fault', team, ...fields });
  expect(answer.status, answer.text).toBe(201);
  return answer.body;
};

const claim = async (agent: { id: string; api: ApiClient }, workId: string) => {
  const answer = await agent.api.post<ClaimView>(`/v1/work/${workId}/claim`, { agentId: agent.id });
  expect(answer.status, answer.text).toBe(200);
  return answer.body.claim.token;
};

const readWork = async (workId: string) => (await admin.get<WorkView>(`/v1/work/${workId}`)).body;

// Concurrent: each test has its own team, so their waits for an expired lease overlap.
describe.concurrent('an agent that stops heartbeating mid-claim', () => {
  it('loses the item after its lease; another agent completes it; its own late complete is stale', async () => {
    // Arrange: the first agent claims, reports progress once, then falls silent
    const team = uniqueName('team-lease');
    const [silent, rescuer] = [await register(team), await register(team)];
    const item = await create(team);
    const token = await claim(silent, item.id);
    const progress = await silent.api.post(`/v1/work/${item.id}/progress`, {
      claimToken: token,
      progress: 30,
    });
    expect(progress.status, progress.text).toBe(200);
    // Act: the sweeper ends the claim once the lease runs out
    const released = await pollUntil(
      () => readWork(item.id),
      (view) => view.status === 'ready',
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'the expired claim released',
      },
    );
    const rescue = await claim(rescuer, item.id);
    const completed = await rescuer.api.post<WorkView>(`/v1/work/${item.id}/complete`, {
      claimToken: rescue,
    });
    const late = await silent.api.post(`/v1/work/${item.id}/complete`, { claimToken: token });
    // Assert
    expect(released).toMatchObject({ status: 'ready', attempts: 1, progress: 0 });
    expect(released.claim).toBeUndefined();
    expect(completed.status, completed.text).toBe(200);
    expect(completed.body.status).toBe('completed');
    expect(late.status).toBe(409);
    expect(late.error).toMatchObject({ code: 'stale_claim', details: { status: 'completed' } });
    const silentView = (await admin.get<AgentViewSchema>(`/v1/agents/${silent.id}`)).body;
    expect(silentView.activeClaims).toBe(0);
  });

  it('escalates an item whose last attempt expires, through the queue; retry resolves the escalation', async () => {
    // Arrange
    const team = uniqueName('team-esc');
    const silent = await register(team);
    const item = await create(team, { maxAttempts: 1 });
    await claim(silent, item.id);
    // Act
    const escalations = await pollUntil(
      async () => (await admin.get<EscalationPage>(`/v1/escalations?team=${team}&status=open`)).body.items,
      (items) => items.length > 0,
      { timeoutMs: 60_000, intervalMs: 250, what: 'the retries_exhausted escalation recorded' },
    );
    const retried = await admin.post<WorkView>(`/v1/work/${item.id}/retry`, { note: 'one more go' });
    const open = await admin.get<EscalationPage>(`/v1/escalations?team=${team}&status=open`);
    // Assert
    expect(escalations).toEqual([
      expect.objectContaining({ workId: item.id, team, kind: 'retries_exhausted', status: 'open' }),
    ]);
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toMatchObject({ status: 'ready', attempts: 0 });
    expect(open.body.items).toEqual([]);
  });
});
