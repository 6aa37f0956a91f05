/**
 * `npm run bench`: the claim path against the store's own ceiling, measured in one run on the
 * local stack (DynamoDB Local + the SQS emulator, handlers in this process).
 *
 * Phases (`--only raw,loops,backlog,heartbeat,chaos,bundles` picks some):
 * - raw: DynamoDB Local's conditional UpdateItem and a 3-write transaction at each concurrency;
 * - loops: closed-loop agents doing claim-next -> progress -> complete over HTTP, at 10, 50, 200
 *   and 1,000 agents: cycles/s, claim p50/p95/p99, lost races per claim, 429s, ratio to raw;
 * - backlog: claim p50/p99 with 1k and 10k ready items (100k with `--scale`);
 * - heartbeat: items written per heartbeat for an agent holding 1 and 20 items;
 * - chaos: crashes, stale writers, duplicated requests and a SIGKILL of the runtime, then checked
 *   from the store and the audit log (bench/chaos.ts);
 * - bundles: every Lambda bundle built as CDK does, its size and its module init time in a fresh
 *   Node process (wall clock and CPU; the CPU time of its own code apart), against the budgets
 *   (`npm run bundle:report` prints each).
 * It prints a table and writes `bench/results/<time>.json` and `.svg` (bench/README.md).
 *
 *   npm run bench                          # the default run, a few minutes on 2 cores
 *   npm run bench -- --scale               # longer loops, a 100k backlog
 *   npm run bench -- --only raw,loops --levels 10,200 --seconds 10
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalStack } from '#local/stack';
import { BUNDLE_BUDGET_BYTES, type BundleMeasurement, INIT_BUDGET_MS, measureBundles } from '../lib/bundle';
import { PROJECT_ROOT } from '../lib/constructs/coord-function';
import { type ChaosResult, runChaos } from './chaos';
import { plotSvg } from './plot';
import { cpuSince, dynamoLocalPid } from './process-cpu';
import { measureRaw, type RawResult, scratchTable, TRANSACTIONS_PER_CYCLE, transactionCeiling } from './raw';
import { StoreProbe } from './store-probe';
import { call, NO_ANSWER, percentile } from './support';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'boolean', default: false },
    only: { type: 'string' },
    levels: { type: 'string' },
    seconds: { type: 'string' },
    'raw-seconds': { type: 'string' },
  },
});
const PHASES = ['raw', 'loops', 'backlog', 'heartbeat', 'chaos', 'bundles'] as const;
type Phase = (typeof PHASES)[number];
const only = new Set((args.only?.split(',') ?? PHASES) as Phase[]);
const levels = (args.levels ?? '10,50,200,1000').split(',').map(Number);
const loopSeconds = Number(args.seconds ?? (args.scale ? 60 : 15));
const rawSeconds = Number(args['raw-seconds'] ?? 5);
const backlogs = args.scale ? [1_000, 10_000, 100_000] : [1_000, 10_000];
const BACKLOG_CLAIMS = 200;
/** Items created at once while seeding. */
const SEED_WIDTH = 16;

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
  };
};

/** `count` calls of `make`, at most `width` at a time. */
const pooled = async (count: number, width: number, make: (i: number) => Promise<void>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        await make(i);
      }
    }),
  );
};

export interface LoopResult {
  readonly agents: number;
  readonly seconds: number;
  readonly cycles: number;
  readonly cyclesPerSec: number;
  readonly claim: { p50Ms: number; p95Ms: number; p99Ms: number };
  /**
   * `claim` split: each agent's first claim (all sent at the loop's start, most over a new
   * connection to the gateway) and the claims after it.
   */
  readonly firstClaims: { claims: number; p50Ms: number; p95Ms: number; p99Ms: number };
  readonly laterClaims: { claims: number; p50Ms: number; p95Ms: number; p99Ms: number };
  readonly lostRacesPerClaim: number;
  /** Items the claims' ready-index queries returned, per claim won (`QueryCommand Work ready`). */
  readonly readyItemsReadPerClaim: number;
  /** Store calls per completed cycle, by command and table (backlog top-ups included). */
  readonly storeCallsPerCycle: Readonly<Record<string, number>>;
  readonly tooManyRequests: number;
  readonly conflicts: number;
  readonly serverErrors: number;
  /** Of the 5xx, those that were 503 (an outage or the gateway's 29 s integration timeout). */
  readonly unavailable: number;
  readonly nothingFits: number;
  readonly doubleClaims: number;
  /** Calls that got no answer at all (connection refused or reset). */
  readonly noAnswer: number;
  /** Those calls by error, when there were any. */
  readonly noAnswerErrors?: Readonly<Record<string, number>>;
  /** Cycles/s as a share of the raw conditional UpdateItem rate at the same concurrency. */
  readonly shareOfRawUpdate?: number;
  /**
   * The share of the raw UpdateItem rate a cycle's three transactions allow at most, from the
   * raw rates at the same concurrency (`transactionCeiling`).
   */
  readonly ceilingShareOfRawUpdate?: number;
  /**
   * CPU milliseconds per completed cycle: this process (gateway, handlers, consumers, SQS
   * emulator, the agents' clients) and DynamoDB Local (absent where `/proc` cannot show it).
   */
  readonly cpuMsPerCycle: { readonly service: number; readonly store?: number };
}

export interface BacklogResult {
  readonly readyItems: number;
  readonly claims: number;
  readonly claim: { p50Ms: number; p95Ms: number; p99Ms: number };
  /** Seconds the seeding took (`createWork` through the handlers' ports, `SEED_WIDTH` at a time). */
  readonly seedSeconds?: number;
  /** Seconds after the seeding until the stream consumers stopped calling the store (`quiet`). */
  readonly settleSeconds?: number;
}

export interface HeartbeatResult {
  readonly itemsHeld: number;
  readonly itemsWritten: number;
  readonly byTable: Readonly<Record<string, number>>;
}

type Stack = Awaited<ReturnType<typeof startLocalStack>>;

const main = async () => {
  const loadAtStart = loadavg()[0] ?? 0;
  const probe = StoreProbe.install();
  const stack = await startLocalStack({ port: 0, wsPort: 0, quiet: true, sweepIntervalMs: 600_000 });
  // The handlers' own ports: seeding goes through the same code and settings (shards included).
  const wiring = await import('#functions/shared/wiring');
  const { createWork } = await import('#app/use-cases/create-work');
  const admin = { principal: { role: 'admin' as const, id: 'admin' }, requestId: 'bench' };
  const seed = async (team: string, count: number) =>
    pooled(count, SEED_WIDTH, async (i) => {
      await createWork(wiring.deps(), admin, {
        type: 'bench',
        title: `item ${i}`,
        team,
        priority: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
        businessValue: i % 101,
      });
    });
  const register = async (team: string, count: number, capacity = 1) => {
    const agents: { id: string; token: string }[] = [];
    await pooled(count, 16, async (i) => {
      const id = `${team}-a${i}`;
      const r = await call(stack, stack.registrationKey, 'POST', '/v1/agents', { id, team, capacity });
      if (r.status !== 201) throw new Error(`register ${id}: ${r.status} ${JSON.stringify(r.json)}`);
      agents.push({ id, token: r.json.token as string });
    });
    return agents;
  };
  const results: {
    raw: RawResult[];
    loops: LoopResult[];
    backlog: BacklogResult[];
    heartbeat: HeartbeatResult[];
    chaos?: ChaosResult;
    bundles: BundleMeasurement[];
  } = { raw: [], loops: [], backlog: [], heartbeat: [], bundles: [] };
  try {
    if (only.has('raw')) results.raw = await rawPhase(stack);
    if (only.has('loops')) {
      for (const agents of levels) {
        const team = `loop${agents}-${Date.now().toString(36)}`;
        const registered = await register(team, agents);
        await seed(team, Math.max(agents * 2 + 400, Math.ceil(loopSeconds * LOOP_SEED_PER_SECOND)));
        // The stream consumers work through the seeding's records before the clock starts.
        await quiet(probe);
        const loop = await runLoops(stack, probe, registered, team, loopSeconds, seed);
        const raw = results.raw.find((r) => r.kind === 'update' && r.concurrency === agents);
        const tx = results.raw.find((r) => r.kind === 'transact3' && r.concurrency === agents);
        results.loops.push({
          ...loop,
          ...(raw && { shareOfRawUpdate: round(loop.cyclesPerSec / raw.opsPerSec, 3) }),
          ...(raw && tx && { ceilingShareOfRawUpdate: round(transactionCeiling(raw, tx), 3) }),
        });
        console.error(`loops: ${agents} agents, ${loop.cyclesPerSec} cycles/s`);
      }
    }
    if (only.has('backlog')) {
      for (const readyItems of backlogs) {
        const team = `backlog${readyItems}-${Date.now().toString(36)}`;
        const started = performance.now();
        await seed(team, readyItems);
        const seeded = performance.now();
        const settled = await quiet(probe);
        const seedSeconds = round((seeded - started) / 1000);
        const settleSeconds = round((performance.now() - seeded) / 1000);
        console.error(
          `backlog: ${readyItems} seeded in ${seedSeconds} s, store quiet ${settleSeconds} s later${settled ? '' : ' (gave up waiting)'}`,
        );
        const agents = await register(team, 10);
        const result = await runBacklog(stack, agents, readyItems);
        results.backlog.push({ ...result, seedSeconds, settleSeconds });
      }
    }
    if (only.has('heartbeat')) {
      for (const held of [1, 20]) results.heartbeat.push(await heartbeatCost(stack, probe, held, seed));
    }
  } finally {
    probe.pause();
    await stack.stop();
  }
  if (only.has('chaos')) results.chaos = await runChaos();
  // Last, with the stack stopped: each bundle loads in a process of its own.
  if (only.has('bundles')) results.bundles = await measureBundles(PROJECT_ROOT);

  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      loadAverage: { start: round(loadAtStart, 2), end: round(loadavg()[0] ?? 0, 2) },
    },
    options: { scale: args.scale, levels, loopSeconds, rawSeconds, backlogs },
    ...results,
  };
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, report.date.replace(/[:.]/g, '-'));
  writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  if (results.loops.length > 0) writeFileSync(`${stem}.svg`, plotSvg(results.raw, results.loops));
  printReport(report);
  console.log(`\nwritten: ${stem}.json${results.loops.length > 0 ? ` and ${stem}.svg` : ''}`);
  const failed =
    results.loops.some((l) => l.doubleClaims > 0 || l.serverErrors > 0 || l.noAnswer > 0) ||
    (results.chaos !== undefined && !results.chaos.ok);
  if (failed) process.exitCode = 1;
};

const rawPhase = async (stack: Stack): Promise<RawResult[]> => {
  const client = new DynamoDBClient({
    endpoint: stack.endpoints.dynamodb,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    // As many connections as clients: the SDK's default of 50 would queue the rest in this process
    // and measure 50 at a time whatever the concurrency asked for.
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: Math.max(...levels) } },
  });
  const table = await scratchTable(client, Math.max(...levels) * 8);
  const storePid = dynamoLocalPid(stack.endpoints.dynamodb);
  const out: RawResult[] = [];
  try {
    for (const concurrency of levels) {
      for (const kind of ['update', 'transact3'] as const) {
        const result = await measureRaw(client, table, kind, concurrency, rawSeconds, storePid);
        console.error(`raw: ${kind} x${concurrency}: ${result.opsPerSec}/s`);
        out.push(result);
      }
    }
  } finally {
    await table.drop();
    client.destroy();
  }
  return out;
};

/** Closed loops of claim-next -> progress -> complete for `seconds`. */
const runLoops = async (
  stack: Stack,
  probe: StoreProbe,
  agents: { id: string; token: string }[],
  team: string,
  seconds: number,
  seed: (team: string, count: number) => Promise<void>,
): Promise<LoopResult> => {
  const claimLatencies: number[] = [];
  const firstClaimLatencies: number[] = [];
  const laterClaimLatencies: number[] = [];
  const claimed = new Set<string>();
  let cycles = 0;
  let doubleClaims = 0;
  let tooManyRequests = 0;
  let conflicts = 0;
  let serverErrors = 0;
  let unavailable = 0;
  let nothingFits = 0;
  let noAnswer = 0;
  let refilling: Promise<void> | undefined;
  const noAnswerErrors = new Map<string, number>();
  const tally = (status: number, json?: { error?: unknown }) => {
    if (status === NO_ANSWER) {
      noAnswer += 1;
      const error = String(json?.error);
      noAnswerErrors.set(error, (noAnswerErrors.get(error) ?? 0) + 1);
    } else if (status === 429) tooManyRequests += 1;
    else if (status === 409) conflicts += 1;
    else if (status >= 500) serverErrors += 1;
    if (status === 503) unavailable += 1;
  };
  probe.reset();
  const cpu = cpuSince(dynamoLocalPid(stack.endpoints.dynamodb));
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    agents.map(async (agent) => {
      let first = true;
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const claim = await call(stack, agent.token, 'POST', '/v1/work/claim-next', { agentId: agent.id });
        const ms = performance.now() - t0;
        claimLatencies.push(ms);
        (first ? firstClaimLatencies : laterClaimLatencies).push(ms);
        first = false;
        if (claim.status === 204) {
          // The backlog ran dry: top it up once for everyone (outside the measured store counts).
          nothingFits += 1;
          refilling ??= seed(team, agents.length * 2).finally(() => {
            refilling = undefined;
          });
          await refilling;
          continue;
        }
        if (claim.status !== 200) {
          tally(claim.status, claim.json);
          continue;
        }
        const id = claim.json.item.id as string;
        if (claimed.has(id)) doubleClaims += 1;
        claimed.add(id);
        const claimToken = claim.json.claim.token as string;
        const progress = await call(stack, agent.token, 'POST', `/v1/work/${id}/progress`, {
          claimToken,
          progress: 50,
        });
        if (progress.status !== 200) tally(progress.status, progress.json);
        const done = await call(stack, agent.token, 'POST', `/v1/work/${id}/complete`, { claimToken });
        if (done.status === 200) cycles += 1;
        else tally(done.status, done.json);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = cpu();
  const counts = probe.read();
  probe.pause();
  const claims = claimed.size;
  const perCycle = (ms: number) => round(ms / Math.max(cycles, 1), 2);
  return {
    agents: agents.length,
    seconds: round(elapsed, 2),
    cycles,
    cyclesPerSec: round(cycles / elapsed),
    claim: stats(claimLatencies),
    firstClaims: { claims: firstClaimLatencies.length, ...stats(firstClaimLatencies) },
    laterClaims: { claims: laterClaimLatencies.length, ...stats(laterClaimLatencies) },
    lostRacesPerClaim: claims === 0 ? 0 : round(counts.lostClaimRaces / claims, 2),
    readyItemsReadPerClaim:
      claims === 0 ? 0 : round((counts.itemsRead['QueryCommand Work ready'] ?? 0) / claims),
    storeCallsPerCycle: Object.fromEntries(
      Object.entries(counts.calls)
        .sort(([, a], [, b]) => b - a)
        .map(([key, n]) => [key, cycles === 0 ? n : round(n / cycles, 2)]),
    ),
    tooManyRequests,
    conflicts,
    serverErrors,
    unavailable,
    nothingFits,
    doubleClaims,
    noAnswer,
    ...(noAnswer > 0 && { noAnswerErrors: Object.fromEntries(noAnswerErrors) }),
    cpuMsPerCycle: {
      service: perCycle(used.own),
      ...(used.store !== undefined && { store: perCycle(used.store) }),
    },
  };
};

/**
 * Ready items seeded per second of loop before it starts, so that the loops rarely top the backlog
 * up while they are timed (a top-up is work creation, not part of a cycle, and its writes and
 * stream records would be counted in the cycles' CPU and store calls).
 */
const LOOP_SEED_PER_SECOND = 100;

/** Store calls per second below which the process counts as quiet (the consumers caught up). */
const QUIET_CALLS_PER_SEC = 5;
/** Longest wait for the stream consumers to catch up with a seeding before measuring anyway. */
const QUIET_TIMEOUT_MS = 180_000;

/**
 * Waits until the service makes fewer than `QUIET_CALLS_PER_SEC` store calls in a second (the
 * stream consumers have caught up with what the seeding wrote), so the claims that follow are
 * measured against the backlog, not against the consumers still working through its stream.
 * False when it gave up after `QUIET_TIMEOUT_MS`.
 */
const quiet = async (probe: StoreProbe): Promise<boolean> => {
  const deadline = performance.now() + QUIET_TIMEOUT_MS;
  const total = () => Object.values(probe.read().calls).reduce((sum, n) => sum + n, 0);
  probe.reset();
  try {
    while (performance.now() < deadline) {
      const before = total();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (total() - before < QUIET_CALLS_PER_SEC) return true;
    }
    return false;
  } finally {
    probe.pause();
  }
};

/** Claim latency with `readyItems` waiting: 10 agents claim and complete `BACKLOG_CLAIMS` items. */
const runBacklog = async (
  stack: Stack,
  agents: { id: string; token: string }[],
  readyItems: number,
): Promise<BacklogResult> => {
  const latencies: number[] = [];
  let remaining = BACKLOG_CLAIMS;
  await Promise.all(
    agents.map(async (agent) => {
      while (remaining > 0) {
        remaining -= 1;
        const t0 = performance.now();
        const claim = await call(stack, agent.token, 'POST', '/v1/work/claim-next', { agentId: agent.id });
        latencies.push(performance.now() - t0);
        if (claim.status !== 200)
          throw new Error(`backlog claim: ${claim.status} ${JSON.stringify(claim.json)}`);
        const done = await call(stack, agent.token, 'POST', `/v1/work/${claim.json.item.id}/complete`, {
          claimToken: claim.json.claim.token,
        });
        if (done.status !== 200) throw new Error(`backlog complete: ${done.status}`);
      }
    }),
  );
  return { readyItems, claims: latencies.length, claim: stats(latencies) };
};

/** Items the service writes for one heartbeat of an agent holding `held` items. */
const heartbeatCost = async (
  stack: Stack,
  probe: StoreProbe,
  held: number,
  seed: (team: string, count: number) => Promise<void>,
): Promise<HeartbeatResult> => {
  const team = `heartbeat${held}-${Date.now().toString(36)}`;
  const id = `${team}-agent`;
  const registered = await call(stack, stack.registrationKey, 'POST', '/v1/agents', {
    id,
    team,
    capacity: held,
  });
  const token = registered.json.token as string;
  await seed(team, held);
  for (let i = 0; i < held; i += 1) {
    const claim = await call(stack, token, 'POST', '/v1/work/claim-next', { agentId: id });
    if (claim.status !== 200) throw new Error(`heartbeat claim: ${claim.status}`);
  }
  // A heartbeat renews leases that have run for a while: let some time pass first.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const before = (await call(stack, stack.adminToken, 'GET', `/v1/agents/${id}`)).json.lastHeartbeatAt;
  probe.reset();
  const beat = await call(stack, token, 'POST', `/v1/agents/${id}/heartbeat`, {});
  if (beat.status >= 300) throw new Error(`heartbeat: ${beat.status} ${JSON.stringify(beat.json)}`);
  const deadline = Date.now() + 30_000;
  while ((await call(stack, stack.adminToken, 'GET', `/v1/agents/${id}`)).json.lastHeartbeatAt === before) {
    if (Date.now() > deadline) throw new Error('the heartbeat was not applied within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The consumer writes the agent and then the items it holds: give it time to finish the batch.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const counts = probe.read();
  probe.pause();
  // Table names are `<prefix>-<Table>`: keep the table's own name.
  const byTable = Object.fromEntries(
    Object.entries(counts.itemsWrittenByTable).map(([table, n]) => [
      table.slice(table.lastIndexOf('-') + 1),
      n,
    ]),
  );
  return { itemsHeld: held, itemsWritten: counts.itemsWritten, byTable };
};

const printReport = (report: {
  machine: { loadAverage: { start: number; end: number } };
  raw: RawResult[];
  loops: LoopResult[];
  backlog: BacklogResult[];
  heartbeat: HeartbeatResult[];
  chaos?: ChaosResult;
  bundles: BundleMeasurement[];
}) => {
  const { start, end } = report.machine.loadAverage;
  console.log(`\nload average ${start} at start, ${end} at end (${cpus().length} cores)`);
  if (report.raw.length > 0) {
    console.log('\nraw DynamoDB Local (same run)');
    console.log(
      '| clients | UpdateItem/s | p50 ms | p99 ms | store CPU ms/op | client CPU ms/op | 3-write tx/s | p50 ms | p99 ms | store CPU ms/op | client CPU ms/op |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const concurrency of levels) {
      const u = report.raw.find((r) => r.kind === 'update' && r.concurrency === concurrency);
      const t = report.raw.find((r) => r.kind === 'transact3' && r.concurrency === concurrency);
      if (!u || !t) continue;
      console.log(
        `| ${concurrency} | ${u.opsPerSec} | ${u.p50Ms} | ${u.p99Ms} | ${u.storeCpuMsPerOp ?? '-'} | ${u.clientCpuMsPerOp} | ${t.opsPerSec} | ${t.p50Ms} | ${t.p99Ms} | ${t.storeCpuMsPerOp ?? '-'} | ${t.clientCpuMsPerOp} |`,
      );
    }
  }
  if (report.loops.length > 0) {
    console.log('\nclaim-next -> progress -> complete over HTTP');
    console.log(
      '| agents | cycles/s | % of raw UpdateItem | claim p50 | p95 | p99 | lost races/claim | ready items read/claim | 429 | 409 | 5xx (503) | no answer | double claims |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const l of report.loops) {
      const share = l.shareOfRawUpdate === undefined ? '-' : `${round(l.shareOfRawUpdate * 100)} %`;
      console.log(
        `| ${l.agents} | ${l.cyclesPerSec} | ${share} | ${l.claim.p50Ms} | ${l.claim.p95Ms} | ${l.claim.p99Ms} | ${l.lostRacesPerClaim} | ${l.readyItemsReadPerClaim} | ${l.tooManyRequests} | ${l.conflicts} | ${l.serverErrors} (${l.unavailable}) | ${l.noAnswer} | ${l.doubleClaims} |`,
      );
    }
    for (const l of report.loops) {
      const calls = Object.entries(l.storeCallsPerCycle).map(([key, n]) => `${key} ${n}`);
      console.log(`  store calls per cycle, ${l.agents} agents: ${calls.join(', ')}`);
      const { service, store } = l.cpuMsPerCycle;
      const rawUpdate = report.raw.find((r) => r.kind === 'update' && r.concurrency === l.agents);
      const update = rawUpdate?.storeCpuMsPerOp;
      const inUpdates =
        store !== undefined && update ? ` (${round(store / update)} raw UpdateItems' worth)` : '';
      const callCount = Object.values(l.storeCallsPerCycle).reduce((sum, n) => sum + n, 0);
      const inClient = rawUpdate
        ? ` (its ${round(callCount)} store calls at the raw client's CPU per call: ${round(callCount * rawUpdate.clientCpuMsPerOp)})`
        : '';
      console.log(
        `  CPU ms per cycle, ${l.agents} agents: service process ${service}${inClient}, DynamoDB Local ${store ?? '-'}${inUpdates}`,
      );
      if (l.ceilingShareOfRawUpdate !== undefined && l.shareOfRawUpdate !== undefined) {
        console.log(
          `  ceiling, ${l.agents} agents: ${TRANSACTIONS_PER_CYCLE} raw 3-write transactions per cycle and nothing else = ${round(l.ceilingShareOfRawUpdate * 100)} % of raw UpdateItem; this loop reached ${round((l.shareOfRawUpdate / l.ceilingShareOfRawUpdate) * 100)} % of it`,
        );
      }
      const split = (c: LoopResult['firstClaims']) => `${c.p50Ms} / ${c.p95Ms} / ${c.p99Ms} ms (${c.claims})`;
      console.log(
        `  claim p50 / p95 / p99, ${l.agents} agents: each agent's first ${split(l.firstClaims)}, later ${split(l.laterClaims)}`,
      );
      if (l.noAnswerErrors)
        console.log(`  no answer, ${l.agents} agents: ${JSON.stringify(l.noAnswerErrors)}`);
    }
  }
  if (report.backlog.length > 0) {
    console.log('\nbacklog scaling (10 agents)');
    console.log('| ready items | claims | claim p50 ms | p99 ms |');
    console.log('|---|---|---|---|');
    for (const b of report.backlog)
      console.log(`| ${b.readyItems} | ${b.claims} | ${b.claim.p50Ms} | ${b.claim.p99Ms} |`);
  }
  if (report.heartbeat.length > 0) {
    console.log('\nheartbeat cost');
    for (const h of report.heartbeat) {
      console.log(`  holding ${h.itemsHeld}: ${h.itemsWritten} items written ${JSON.stringify(h.byTable)}`);
    }
  }
  if (report.chaos) {
    const c = report.chaos;
    console.log(`\nchaos: ${c.ok ? 'OK' : 'FAILED'}`);
    for (const line of c.lines) console.log(`  ${line}`);
  }
  if (report.bundles.length > 0) printBundles(report.bundles);
};

/** The claim path's functions, shown one by one; the rest are summed up. */
const CLAIM_PATH_ENTRIES = [
  'functions/http/claim-next.ts',
  'functions/http/report-progress.ts',
  'functions/http/complete-work.ts',
  'functions/http/heartbeat.ts',
  'functions/queues/heartbeats.ts',
];

const printBundles = (bundles: readonly BundleMeasurement[]) => {
  const median = (values: number[]) =>
    round(
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      ),
    );
  const kB = (bytes: number) => round(bytes / 1000);
  const sizes = bundles.map((b) => b.bytes);
  const wall = bundles.map((b) => b.init.ms);
  const cpu = bundles.map((b) => b.init.cpuMs);
  const own = bundles.map((b) => b.ownInit.cpuMs);
  console.log(`
Lambda bundles (${bundles.length}; budget ${kB(BUNDLE_BUDGET_BYTES)} kB, ${INIT_BUDGET_MS} ms init)`);
  console.log('| bundle | kB | init ms | init CPU ms | own code CPU ms |');
  console.log('|---|---|---|---|---|');
  for (const b of bundles.filter((each) => CLAIM_PATH_ENTRIES.includes(each.entry))) {
    console.log(
      `| ${b.entry} | ${kB(b.bytes)} | ${round(b.init.ms)} | ${round(b.init.cpuMs)} | ${round(b.ownInit.cpuMs)} |`,
    );
  }
  console.log(
    `| all ${bundles.length}: median / max | ${kB(median(sizes))} / ${kB(Math.max(...sizes))} | ${median(wall)} / ${round(Math.max(...wall))} | ${median(cpu)} / ${round(Math.max(...cpu))} | ${median(own)} / ${round(Math.max(...own))} |`,
  );
  console.log(
    `  over ${kB(BUNDLE_BUDGET_BYTES)} kB: ${sizes.filter((size) => size > BUNDLE_BUDGET_BYTES).length}; over ${INIT_BUDGET_MS} ms init: ${wall.filter((ms) => ms > INIT_BUDGET_MS).length} (every bundle: npm run bundle:report)`,
  );
};

await main();
