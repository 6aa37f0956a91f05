/**
 * The WebSocket API with every post going over HTTP (`COORD_LOCAL_WS_POSTS=http`): the
 * broadcaster uses the real management client against the local `@connections` endpoint, as
 * on AWS, instead of writing to the sockets in process. Its own stack, started with that switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimView, RegisterAgentResult, WorkView } from '#app/schemas/views';
import { besideRunStack, uniqueName } from '#test/support/e2e-fixtures';
import { ApiClient } from '#test/support/http-client';
import { type SpawnedStack, spawnLocalStack } from '#test/support/local-stack';
import { type LiveClient, openLive } from '#test/support/ws-client';

let stack: SpawnedStack;
const open: LiveClient[] = [];

beforeAll(async () => {
  stack = await spawnLocalStack({ ...besideRunStack(), COORD_LOCAL_WS_POSTS: 'http' });
});

afterAll(async () => {
  for (const client of open) client.close();
  await stack?.stop();
});

describe('WebSocket API with posts over the @connections endpoint', () => {
  it('pushes claims to subscribers and the assignment to its agent, whose token completes the work', async () => {
    const admin = new ApiClient(stack.url, stack.adminToken);
    const registration = new ApiClient(stack.url, stack.registrationKey);
    const team = uniqueName('team');
    const register = async () => {
      const response = await registration.post<RegisterAgentResult>('/v1/agents', {
        id: uniqueName('agent'),
        team,
      });
      expect(response.status, response.text).toBe(201);
      return { id: response.body.agent.id, token: response.body.token };
    };
    const [holder, target] = [await register(), await register()];
    const observer = await openLive(stack.wsUrl, stack.adminToken);
    const inbox = await openLive(stack.wsUrl, target.token);
    open.push(observer, inbox);
    await observer.subscribe([`team:${team}`]);
    const created = await admin.post<WorkView>('/v1/work', { type: 'e2e', title: 'over http', team });
    expect(created.status, created.text).toBe(201);
    const item = created.body;

    const claim = await registration
      .as(holder.token)
      .post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: holder.id });
    expect(claim.status, claim.text).toBe(200);
    const reassigned = await admin.post<WorkView>(`/v1/work/${item.id}/reassign`, { agentId: target.id });
    expect(reassigned.status, reassigned.text).toBe(200);

    const claimed = await observer.waitFor(
      (message) =>
        message.type === 'work.claimed' && (message.data as { entityId?: string }).entityId === item.id,
    );
    expect(claimed).toMatchObject({ seq: claim.body.item.version });
    const assignment = await inbox.waitFor((message) => message.type === 'assignment');
    const pushed = assignment.data as ClaimView;
    expect(pushed.item).toMatchObject({ id: item.id, claim: { agentId: target.id } });
    const completed = await registration
      .as(target.token)
      .post<WorkView>(`/v1/work/${item.id}/complete`, { claimToken: pushed.claim.token });
    expect(completed.status, completed.text).toBe(200);
  });
});
