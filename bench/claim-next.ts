/**
 * Claim-next latency with many concurrent agents on the local stack.
 *
 * Registers AGENTS agents in one team, creates ITEMS work items, then every agent loops
 * claim-next -> complete until nothing is left. Prints JSON and a short table with the
 * claim-next latency percentiles measured at the client (HTTP round trip included).
 *
 *   npm run bench                       # starts its own local stack
 *   COORD_URL=http://127.0.0.1:3000 COORD_ADMIN_TOKEN=... npm run bench   # an already running one
 *   BENCH_AGENTS=50 BENCH_ITEMS=1000 npm run bench
 */
import { performance } from 'node:perf_hooks';
import { startLocalStack } from '#local/stack';
import { call, percentile } from './support';

const agentsCount = Number(process.env.BENCH_AGENTS ?? 50);
const itemsCount = Number(process.env.BENCH_ITEMS ?? 1000);
const createConcurrency = 20;

interface Target {
  url: string;
  adminToken: string;
  registrationKey: string;
  stop?: () => Promise<void>;
}

const target = async (): Promise<Target> => {
  const url = process.env.COORD_URL;
  if (url) {
    const adminToken = process.env.COORD_ADMIN_TOKEN;
    const registrationKey = process.env.COORD_REGISTRATION_KEY ?? adminToken;
    if (!adminToken || !registrationKey)
      throw new Error('COORD_URL needs COORD_ADMIN_TOKEN (and COORD_REGISTRATION_KEY)');
    return { url, adminToken, registrationKey };
  }
  const stack = await startLocalStack({ port: 0, quiet: true });
  return {
    url: stack.url,
    adminToken: stack.adminToken,
    registrationKey: stack.registrationKey,
    stop: stack.stop,
  };
};

const inBatches = async <T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> => {
  const out: T[] = [];
  for (let start = 0; start < count; start += size) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(size, count - start) }, (_, k) => make(start + k)),
    );
    out.push(...batch);
  }
  return out;
};

const main = async () => {
  const t = await target();
  const team = `bench-${Date.now().toString(36)}`;
  try {
    const agents = await inBatches(agentsCount, createConcurrency, async (i) => {
      const id = `${team}-agent-${i}`;
      const r = await call(t, t.registrationKey, 'POST', '/v1/agents', { id, team, capacity: 1 });
      if (r.status !== 201) throw new Error(`register ${id}: ${r.status} ${JSON.stringify(r.json)}`);
      return { id, token: r.json.token as string };
    });
    await inBatches(itemsCount, createConcurrency, async (i) => {
      const r = await call(t, t.adminToken, 'POST', '/v1/work', {
        type: 'bench',
        title: `item ${i}`,
        team,
        priority: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
        businessValue: i % 101,
      });
      if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.json)}`);
    });

    const latencies: number[] = [];
    const claimed = new Set<string>();
    let duplicates = 0;
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      agents.map(async (agent) => {
        for (;;) {
          const t0 = performance.now();
          const r = await call(t, agent.token, 'POST', '/v1/work/claim-next', { agentId: agent.id });
          latencies.push(performance.now() - t0);
          if (r.status === 204) return;
          if (r.status !== 200) {
            errors += 1;
            continue;
          }
          const id = r.json.item.id as string;
          if (claimed.has(id)) duplicates += 1;
          claimed.add(id);
          const done = await call(t, agent.token, 'POST', `/v1/work/${id}/complete`, {
            claimToken: r.json.claim.token,
          });
          if (done.status !== 200) errors += 1;
        }
      }),
    );
    const elapsedSec = (performance.now() - started) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      agents: agentsCount,
      items: itemsCount,
      claimNextCalls: latencies.length,
      itemsClaimed: claimed.size,
      duplicates,
      errors,
      elapsedSec: Number(elapsedSec.toFixed(2)),
      itemsPerSec: Number((claimed.size / elapsedSec).toFixed(1)),
      claimNextMs: {
        p50: Number(percentile(sorted, 50).toFixed(1)),
        p90: Number(percentile(sorted, 90).toFixed(1)),
        p99: Number(percentile(sorted, 99).toFixed(1)),
        max: Number((sorted.at(-1) ?? Number.NaN).toFixed(1)),
      },
    };
    console.log(JSON.stringify(result));
    console.log(`\nclaim-next, ${agentsCount} concurrent agents, ${itemsCount} items`);
    console.log(
      `  p50 ${result.claimNextMs.p50} ms   p90 ${result.claimNextMs.p90} ms   p99 ${result.claimNextMs.p99} ms   max ${result.claimNextMs.max} ms`,
    );
    console.log(
      `  ${result.itemsClaimed} claimed (${duplicates} twice), ${errors} errors, ${result.itemsPerSec} items/s`,
    );
  } finally {
    await t.stop?.();
  }
};

await main();
