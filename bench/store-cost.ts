/**
 * What each store call of a claim cycle costs DynamoDB Local in CPU, against its raw conditional
 * UpdateItem (the unit `% of raw UpdateItem` is counted in). The loops show that a cycle costs
 * DynamoDB Local as much CPU as 10-20 raw UpdateItems; this splits that by call. Every operation
 * runs through the service's own ports and use cases on its own tables (their indexes and item
 * sizes), `CLIENTS` at a time, `OPS` of each; DynamoDB Local's CPU is read from `/proc`.
 *
 *   npx tsx bench/store-cost.ts            # CLIENTS=10 OPS=600
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, ensureTables } from '#adapters/dynamo/index';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { registerAgent } from '#app/use-cases/register-agent';
import { reportProgress } from '#app/use-cases/report-progress';
import { Role } from '#core/roles';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local';
import { inProcessDeps } from './in-process';
import { cpuSince, dynamoLocalPid } from './process-cpu';
import { bump, scratchTable } from './raw';

const CLIENTS = Number(process.env.CLIENTS ?? 10);
const OPS = Number(process.env.OPS ?? 600);
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

const ddb = await startDynamoDbLocal();
const storePid = dynamoLocalPid(ddb.endpoint);
if (storePid === undefined) throw new Error('DynamoDB Local CPU cannot be read here (no /proc).');
const client = createDynamoClient({ region: 'us-east-1', endpoint: ddb.endpoint });
const tablePrefix = `cost-${randomUUID().slice(0, 8)}`;
await ensureTables(client, tablePrefix);
const deps = inProcessDeps(client, {
  tablePrefix,
  readyShards: 1,
  previousReadyShards: 1,
  workCacheSeconds: 60,
});
const admin = { principal: { role: Role.Admin, id: 'admin' }, requestId: 'r' };
const asAgent = (id: string) => ({ principal: { role: Role.Agent, id, agentId: id }, requestId: 'r' });
const team = 'cost';
// Enough agents that none holds more than 50 of the items claimed (capacity is at most 100).
const agents = Array.from({ length: Math.max(CLIENTS, Math.ceil(OPS / 50)) }, (_, i) => `agent-${i}`);
const holder = (i: number): string => agents[i % agents.length] ?? '';
for (const id of agents) await registerAgent(deps, admin, { id, team, capacity: 100 });
const items: string[] = [];
for (let i = 0; i < 2 * OPS + 100; i += 1) {
  const item = await createWork(deps, admin, {
    type: 'task',
    title: `item ${i}`,
    team,
    businessValue: i % 100,
  });
  items.push(item.id);
}
const raw = await scratchTable(client, 1000);

/** Runs `op(i)` for i in 0..OPS-1, `CLIENTS` at a time; DynamoDB Local's CPU ms per op. */
const measure = async (op: (i: number, client: number) => Promise<unknown>): Promise<number> => {
  let next = 0;
  const used = cpuSince(storePid);
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (next < OPS) {
        const i = next;
        next += 1;
        await op(i, c);
      }
    }),
  );
  return (used().store ?? Number.NaN) / OPS;
};

const rawUpdate = (i: number) => client.send(new UpdateItemCommand(bump(raw.name, `k${i % raw.keys}`)));

/** Every call measured once, on the items from `offset` on; the rows and the raw UpdateItem unit. */
const runRound = async (offset: number): Promise<{ rows: [string, number][]; unit: number }> => {
  const item = (i: number) => items[offset + i] ?? '';
  const tokens: string[] = [];
  const rows: [string, number][] = [];
  const unit = await measure(rawUpdate);
  rows.push(['raw conditional UpdateItem (scratch table, no index)', unit]);
  rows.push(['work item GetItem (consistent)', await measure((i) => deps.work.get(item(i)))]);
  rows.push(['ready-index Query, 25 items', await measure(() => deps.work.readyCandidates([team], 25))]);
  rows.push(['ready-index Query, 100 items', await measure(() => deps.work.readyCandidates([team], 100))]);
  rows.push(['agent GetItem', await measure((_, c) => deps.agents.get(agents[c] ?? ''))]);
  rows.push([
    'claim: item read + transaction (Work put, agent count, audit event)',
    await measure(async (i) => {
      const id = holder(i);
      tokens[i] = (await claimWork(deps, asAgent(id), { id: item(i), agentId: id })).claim.token;
    }),
  ]);
  rows.push([
    'progress: transaction (Work put, audit event), item kept',
    await measure((i) =>
      reportProgress(deps, asAgent(holder(i)), { id: item(i), claimToken: tokens[i] ?? '', progress: 50 }),
    ),
  ]);
  rows.push([
    'complete: transaction (Work put, agent count, audit event), item kept',
    await measure((i) =>
      completeWork(deps, asAgent(holder(i)), { id: item(i), claimToken: tokens[i] ?? '' }),
    ),
  ]);
  return { rows, unit };
};

// Warm-up: the JVM compiles the store's hot paths during the first thousands of calls.
await runRound(0);
const loadAtStart = loadavg()[0] ?? 0;
const { rows, unit: update } = await runRound(OPS);

console.log(
  `\nDynamoDB Local CPU per call, ${CLIENTS} clients, ${OPS} each (load average ${round(loadAtStart)} at start, ${round(loadavg()[0] ?? 0)} at end)`,
);
console.log("| call | store CPU ms | raw UpdateItems' worth |");
console.log('|---|---|---|');
for (const [name, ms] of rows) console.log(`| ${name} | ${round(ms)} | ${round(ms / update, 1)} |`);
await raw.drop();
client.destroy();
await ddb.stop();
