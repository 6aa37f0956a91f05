/**
 * Metrics over the running local stack: the summary route (roles, window, figures from the
 * rollups the stream consumer and the claim routes keep), the local Prometheus text, and the
 * live `metrics` message to `all`.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { MetricsSummaryView } from '#app/schemas/metrics';
import { claimWork, createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { type LiveClient, openLive } from '#test/support/ws-client';

const stack = inject('localStack');
const open: LiveClient[] = [];

afterAll(() => {
  for (const client of open) client.close();
});

describe('metrics', () => {
  it('answers the summary to viewers and admins only, for the windows it knows', async () => {
    const { admin, anonymous } = stackClients();
    const issued = await admin.post<{ token: string }>('/v1/tokens', { role: 'viewer' });
    const viewer = admin.as(issued.body.token);
    const agent = await registerAgent(uniqueName('team'));

    expect((await anonymous.get('/v1/metrics/summary')).status).toBe(401);
    expect((await agent.api.get('/v1/metrics/summary')).status).toBe(403);
    const bad = await viewer.get('/v1/metrics/summary?window=2h');
    expect(bad.status).toBe(400);
    expect(bad.error?.details).toEqual({ errors: [expect.objectContaining({ path: '/window' })] });
    const day = await viewer.get<MetricsSummaryView>('/v1/metrics/summary?window=24h');
    expect(day.status, day.text).toBe(200);
    expect(day.body.window).toBe('24h');
    expect(day.body.series).toHaveLength(24);
    const hour = await viewer.get<MetricsSummaryView>('/v1/metrics/summary');
    expect(hour.body.window).toBe('1h');
    expect(hour.body.series).toHaveLength(60);
  });

  it('counts a claim, its completion and its latency, and the queue depth of its team', async () => {
    const { admin } = stackClients();
    const team = uniqueName('team');
    const agent = await registerAgent(team);
    const before = (await admin.get<MetricsSummaryView>('/v1/metrics/summary?window=15m')).body;
    const item = await createWork(team);
    await createWork(team);
    const claim = await claimWork(agent, item.id);
    await agent.api.post(`/v1/work/${item.id}/complete`, { claimToken: claim.claim.token });

    const deadline = Date.now() + 30_000;
    let after = before;
    while (Date.now() < deadline) {
      after = (await admin.get<MetricsSummaryView>('/v1/metrics/summary?window=15m')).body;
      if (after.throughput.completions > before.throughput.completions) break;
      await new Promise((wake) => setTimeout(wake, 200));
    }

    expect(after.throughput.claims).toBeGreaterThan(before.throughput.claims);
    expect(after.throughput.completions).toBeGreaterThan(before.throughput.completions);
    expect(after.latencyMs.p50).toEqual(expect.any(Number));
    expect(after.queueDepthByTeam[team]).toMatchObject({ ready: 1, completed: 1 });
  });

  it('serves Prometheus text at /metrics without a token', async () => {
    const response = await fetch(`${stack.url}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(/^# TYPE coord_claims gauge$/m);
    expect(text).toMatch(/^coord_claims\{window="15m"\} \d+$/m);
    expect(text).toMatch(/^coord_claim_latency_ms\{window="1h",quantile="0.99"\} /m);
  });

  it('pushes the metrics summary to all while things change', async () => {
    const client = await openLive(stack.wsUrl, stack.adminToken);
    open.push(client);
    await client.subscribe(['all']);
    const team = uniqueName('team');

    const deadline = Date.now() + 30_000;
    while (!client.messages.some((message) => message.type === 'metrics') && Date.now() < deadline) {
      await createWork(team);
      await new Promise((wake) => setTimeout(wake, 1000));
    }

    const metrics = await client.waitFor((message) => message.type === 'metrics', 1000);
    expect(metrics).toMatchObject({ seq: expect.any(Number), at: expect.any(String) });
    expect(metrics.data).toMatchObject({ window: '15m', throughput: expect.any(Object) });
  });
});
