/**
 * Event-to-client latency of the WebSocket API with many subscribed clients on the local stack.
 *
 * Opens CLIENTS WebSocket connections (each subscribed to one team's channel), then AGENTS agents
 * of that team loop claim-next -> complete over HTTP for SECONDS, at most RATE items per second in
 * all. Every `work.*` message each client receives is timed from the audit event's `at` (the
 * moment the change was decided, on this machine's clock) to its arrival. Prints JSON and a short
 * table: p50/p95/p99/max, messages delivered, what was expected, and the load average at start
 * and end (the numbers mean little on a busy machine), and writes the JSON to
 * `bench/results/ws-latency-<time>.json`. Not a test: numbers depend on the machine.
 *
 * The stack it starts posts in process (the default); `COORD_LOCAL_WS_POSTS=http` measures posts
 * through the management client over the local `@connections` endpoint instead.
 *
 *   npm run bench:ws                                   # starts its own local stack (child process)
 *   BENCH_CLIENTS=500 BENCH_AGENTS=5 BENCH_SECONDS=20 BENCH_RATE=4 npm run bench:ws
 *   COORD_URL=http://127.0.0.1:3000 COORD_WS_URL=ws://127.0.0.1:3001 COORD_ADMIN_TOKEN=... \
 *     COORD_REGISTRATION_KEY=... npm run bench:ws     # an already running stack
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { spawnLocalStack } from '#test/support/local-stack';
import { call, percentile } from './support';

const clientsCount = Number(process.env.BENCH_CLIENTS ?? 500);
const agentsCount = Number(process.env.BENCH_AGENTS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const itemsPerSecond = Number(process.env.BENCH_RATE ?? 4);
const connectConcurrency = 25;

interface Target {
  url: string;
  wsUrl: string;
  adminToken: string;
  registrationKey: string;
  stop?: () => Promise<unknown>;
}

const target = async (): Promise<Target> => {
  const { COORD_URL: url, COORD_WS_URL: wsUrl, COORD_ADMIN_TOKEN: adminToken } = process.env;
  if (url && wsUrl && adminToken) {
    return { url, wsUrl, adminToken, registrationKey: process.env.COORD_REGISTRATION_KEY ?? adminToken };
  }
  // A child process, so the clients here do not share a core's event loop with the server.
  const stack = await spawnLocalStack({
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...(process.env.COORD_LOCAL_WS_POSTS && { COORD_LOCAL_WS_POSTS: process.env.COORD_LOCAL_WS_POSTS }),
  });
  return { ...stack, stop: () => stack.stop('SIGTERM') };
};

const round = (ms: number): number => Number(ms.toFixed(1));

/** The 1, 5 and 15 minute load averages, rounded. */
const load = (): number[] => loadavg().map((value) => Number(value.toFixed(2)));

/** Opens one subscribed client; every `work.*` message's latency goes to `latencies`. */
const openClient = (t: Target, channel: string, latencies: number[]): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(`${t.wsUrl}/?token=${encodeURIComponent(t.adminToken)}`);
    socket.on('message', (data) => {
      const arrived = Date.now();
      const message = JSON.parse(data.toString()) as { type: string; at: string };
      if (message.type === 'subscribed') resolve(socket);
      else if (message.type.startsWith('work.')) latencies.push(arrived - Date.parse(message.at));
    });
    socket.once('open', () => socket.send(JSON.stringify({ action: 'subscribe', channels: [channel] })));
    socket.once('error', reject);
  });

const main = async () => {
  const loadAtStart = load();
  const t = await target();
  const team = `wsbench-${Date.now().toString(36)}`;
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];
  try {
    for (let opened = 0; opened < clientsCount; opened += connectConcurrency) {
      const batch = Math.min(connectConcurrency, clientsCount - opened);
      sockets.push(
        ...(await Promise.all(Array.from({ length: batch }, () => openClient(t, `team:${team}`, latencies)))),
      );
    }
    const agents = await Promise.all(
      Array.from({ length: agentsCount }, async (_, i) => {
        const id = `${team}-agent-${i}`;
        const r = await call(t, t.registrationKey, 'POST', '/v1/agents', { id, team, capacity: 1 });
        if (r.status !== 201) throw new Error(`register ${id}: ${r.status} ${JSON.stringify(r.json)}`);
        return { id, token: r.json.token as string };
      }),
    );
    latencies.length = 0;

    let workEvents = 0;
    let errors = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const pacePerAgentMs = (1000 * agentsCount) / itemsPerSecond;
    await Promise.all(
      agents.map(async (agent, index) => {
        await new Promise((wake) => setTimeout(wake, (pacePerAgentMs / agentsCount) * index));
        while (performance.now() < deadline) {
          const loopStarted = performance.now();
          const created = await call(t, t.adminToken, 'POST', '/v1/work', {
            type: 'bench',
            title: 'ws',
            team,
          });
          const claim = await call(t, agent.token, 'POST', '/v1/work/claim-next', { agentId: agent.id });
          if (created.status !== 201 || claim.status !== 200) {
            errors += 1;
            continue;
          }
          const done = await call(t, agent.token, 'POST', `/v1/work/${claim.json.item.id}/complete`, {
            claimToken: claim.json.claim.token,
          });
          if (done.status !== 200) errors += 1;
          workEvents += 3; // work.created, work.claimed, work.completed
          const rest = pacePerAgentMs - (performance.now() - loopStarted);
          if (rest > 0) await new Promise((wake) => setTimeout(wake, rest));
        }
      }),
    );
    const elapsedSec = (performance.now() - started) / 1000;
    // Let the last events arrive (bounded).
    const expected = workEvents * clientsCount;
    const drainUntil = Date.now() + 15_000;
    while (latencies.length < expected && Date.now() < drainUntil)
      await new Promise((w) => setTimeout(w, 100));

    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      at: new Date().toISOString(),
      posts: t.stop ? (process.env.COORD_LOCAL_WS_POSTS ?? 'in-process') : 'running stack',
      cores: cpus().length,
      loadAverage: { start: loadAtStart, end: load() },
      clients: clientsCount,
      agents: agentsCount,
      seconds: Number(elapsedSec.toFixed(1)),
      workEvents,
      eventsPerSec: Number((workEvents / elapsedSec).toFixed(1)),
      deliveriesExpected: expected,
      deliveriesReceived: latencies.length,
      deliveriesPerSec: Number((latencies.length / elapsedSec).toFixed(0)),
      errors,
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? Number.NaN),
      },
    };
    console.log(JSON.stringify(result));
    const file = new URL(`results/ws-latency-${result.at.replace(/[:.]/g, '-')}.json`, import.meta.url);
    await mkdir(new URL('results/', import.meta.url), { recursive: true });
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nevent-to-client latency, ${clientsCount} subscribed clients, ${agentsCount} agents`);
    console.log(
      `  p50 ${result.latencyMs.p50} ms   p95 ${result.latencyMs.p95} ms   p99 ${result.latencyMs.p99} ms   max ${result.latencyMs.max} ms`,
    );
    console.log(
      `  ${result.workEvents} events (${result.eventsPerSec}/s), ${result.deliveriesReceived}/${expected} deliveries, ${errors} errors`,
    );
    console.log(
      `  load average ${loadAtStart.join(' ')} at start, ${result.loadAverage.end.join(' ')} at end (${result.cores} cores)`,
    );
    console.log(`  written to ${file.pathname}`);
  } finally {
    for (const socket of sockets) socket.terminate();
    await t.stop?.();
  }
};

await main();
