/**
 * The WebSocket API over a real socket against the running local stack: authentication at the
 * upgrade, subscriptions by the channel rules, events pushed from the audit log's stream, the
 * assigned agent's `assignment`, cleanup of dropped clients, and no claim token to observers.
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ClaimView, WorkView } from '#app/schemas/views';
import { claimWork, createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { connectLive, type LiveClient, type LiveMessage, openLive } from '#test/support/ws-client';

const stack = inject('localStack');
const open: LiveClient[] = [];
const live = async (token: string): Promise<LiveClient> => {
  const client = await openLive(stack.wsUrl, token);
  open.push(client);
  return client;
};

afterAll(() => {
  for (const client of open) client.close();
});

const isAbout = (type: string, entityId: string) => (message: LiveMessage) =>
  message.type === type && (message.data as { entityId?: string } | undefined)?.entityId === entityId;

describe('WebSocket API', () => {
  it('refuses a bad or missing token at the upgrade with HTTP 401', async () => {
    expect(await connectLive(stack.wsUrl, 'not-a-token')).toEqual({ refusedWith: 401 });
    expect(await connectLive(stack.wsUrl, undefined)).toEqual({ refusedWith: 401 });
  });

  it('answers ping with pong and refuses channels the caller may not see, one by one', async () => {
    const team = uniqueName('team');
    const agent = await registerAgent(team);
    const client = await live(agent.token);

    client.send({ action: 'ping' });
    const pong = await client.waitFor((message) => message.type === 'pong');
    client.send({ action: 'subscribe', channels: [`team:${team}`, 'team:someone-else', 'all', 'nonsense'] });
    const subscribed = await client.waitFor((message) => message.type === 'subscribed');

    expect(pong).toEqual({ type: 'pong', at: expect.any(String) });
    expect(subscribed.channels).toEqual([`team:${team}`]);
    expect(client.messages.filter((message) => message.type === 'error')).toEqual([
      expect.objectContaining({ code: 'forbidden', channel: 'team:someone-else' }),
      expect.objectContaining({ code: 'forbidden', channel: 'all' }),
      expect.objectContaining({ code: 'validation_error', channel: 'nonsense' }),
    ]);
  });

  it('refuses the registration key at the upgrade with 403: it may only register agents', async () => {
    expect(await connectLive(stack.wsUrl, stack.registrationKey)).toEqual({ refusedWith: 403 });
  });

  it('lets an agent join work of its own team only, and a viewer everything but admin', async () => {
    const [team, other] = [uniqueName('team'), uniqueName('team')];
    const agent = await registerAgent(team);
    const [own, foreign] = [await createWork(team), await createWork(other)];
    const { admin } = stackClients();
    const issued = await admin.post<{ token: string }>('/v1/tokens', { role: 'viewer' });
    const [agentClient, viewerClient] = [await live(agent.token), await live(issued.body.token)];

    const joined = await agentClient.subscribe([`work:${own.id}`, `work:${foreign.id}`, `agent:${agent.id}`]);
    const viewerJoined = await viewerClient.subscribe(['all', 'admin', `team:${other}`]);

    expect(joined.channels).toEqual([`work:${own.id}`, `agent:${agent.id}`]);
    expect(agentClient.messages).toContainEqual(
      expect.objectContaining({ type: 'error', code: 'forbidden', channel: `work:${foreign.id}` }),
    );
    expect(viewerJoined.channels).toEqual(['all', `team:${other}`]);
    expect(viewerClient.messages).toContainEqual(
      expect.objectContaining({ type: 'error', code: 'forbidden', channel: 'admin' }),
    );
  });

  it('pushes a claim made elsewhere to a team subscriber as work.claimed with its seq', async () => {
    const team = uniqueName('team');
    const viewer = await live(stack.adminToken);
    await viewer.subscribe([`team:${team}`]);
    const agent = await registerAgent(team);
    const item = await createWork(team);

    const claim = await claimWork(agent, item.id);

    const message = await viewer.waitFor(isAbout('work.claimed', item.id));
    expect(message).toMatchObject({ type: 'work.claimed', seq: claim.item.version, at: expect.any(String) });
    expect(message.data).toMatchObject({ team, agentId: agent.id, entityType: 'work' });
    const created = await viewer.waitFor(isAbout('work.created', item.id));
    expect(created.seq).toBeLessThan(message.seq as number);
  });

  it('pushes an assignment to the agent without a subscription, and its token completes the work', async () => {
    const team = uniqueName('team');
    const [holder, target] = [await registerAgent(team), await registerAgent(team)];
    const item = await createWork(team);
    await claimWork(holder, item.id);
    const inbox = await live(target.token);
    const { admin } = stackClients();

    const reassigned = await admin.post<WorkView>(`/v1/work/${item.id}/reassign`, { agentId: target.id });
    expect(reassigned.status, reassigned.text).toBe(200);

    const assignment = await inbox.waitFor((message) => message.type === 'assignment');
    const pushed = assignment.data as ClaimView;
    expect(pushed.item).toMatchObject({ id: item.id, status: 'claimed', claim: { agentId: target.id } });
    expect(assignment.seq).toEqual(expect.any(Number));
    const completed = await target.api.post<WorkView>(`/v1/work/${item.id}/complete`, {
      claimToken: pushed.claim.token,
    });
    expect(completed.status, completed.text).toBe(200);
    expect(completed.body.status).toBe('completed');
  });

  it('forgets a client that dropped without closing', async () => {
    const channel = `team:${uniqueName('team')}`;
    const dropped = await live(stack.adminToken);
    await dropped.subscribe([channel]);
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: stack.dynamodbEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const subscribers = async () =>
      (
        await dynamo.send(
          new QueryCommand({
            TableName: `${stack.tablePrefix}-Connections`,
            IndexName: 'byChannel',
            KeyConditionExpression: 'gsi1pk = :channel',
            ExpressionAttributeValues: { ':channel': { S: channel } },
          }),
        )
      ).Count ?? 0;
    expect(await subscribers()).toBe(1);

    dropped.socket.terminate();

    const deadline = Date.now() + 20_000;
    while ((await subscribers()) > 0 && Date.now() < deadline)
      await new Promise((wake) => setTimeout(wake, 100));
    expect(await subscribers()).toBe(0);
    dynamo.destroy();
  });

  it('never shows an observer a claim token, through claims, reassigns and completion', async () => {
    const team = uniqueName('team');
    const observer = await live(stack.adminToken);
    await observer.subscribe([`team:${team}`, 'all']);
    const [first, second] = [await registerAgent(team), await registerAgent(team)];
    const item = await createWork(team);
    const tokens: string[] = [(await claimWork(first, item.id)).claim.token];
    const { admin } = stackClients();
    await admin.post(`/v1/work/${item.id}/reassign`, { agentId: second.id });
    tokens.push((await claimWork(second, item.id)).claim.token);
    await second.api.post(`/v1/work/${item.id}/complete`, { claimToken: tokens[1] });

    await observer.waitFor(isAbout('work.completed', item.id));

    const seen = JSON.stringify(observer.messages);
    for (const token of tokens) expect(seen).not.toContain(token);
    expect(observer.messages.some((message) => message.type === 'assignment')).toBe(false);
  });
});
