import { createDynamoClient, ensureTables } from '#adapters/dynamo/index';
import { claimNext } from '#app/use-cases/claim-next';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { registerAgent } from '#app/use-cases/register-agent';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local';
import { inProcessDeps } from './in-process';

const ddb = await startDynamoDbLocal();
const client = createDynamoClient({ region: 'us-east-1', endpoint: ddb.endpoint });
const log: string[] = [];
client.middlewareStack.add(
  (next, context) => async (args) => {
    const t0 = performance.now();
    try {
      return await next(args);
    } finally {
      const index = (args.input as { IndexName?: string }).IndexName;
      log.push(`${context.commandName}${index ? `(${index})` : ''} ${(performance.now() - t0).toFixed(1)}ms`);
    }
  },
  { step: 'initialize' },
);
await ensureTables(client, 'p');
const deps = inProcessDeps(client, { tablePrefix: 'p', readyShards: Number(process.env.SHARDS ?? 4) });
const admin = { principal: { role: 'admin' as const, id: 'admin' }, requestId: 'r' };
await registerAgent(deps, admin, { id: 'agent-1', team: 't' });
for (let i = 0; i < 30; i++) await createWork(deps, admin, { type: 'x', title: `i${i}`, team: 't' });
const agentCtx = { principal: { role: 'agent' as const, id: 'agent-1', agentId: 'agent-1' }, requestId: 'r' };
for (let i = 0; i < 5; i++) {
  log.length = 0;
  const t0 = performance.now();
  const c = await claimNext(deps, agentCtx, { agentId: 'agent-1' });
  const t1 = performance.now();
  console.log(`claimNext ${(t1 - t0).toFixed(1)}ms: ${log.join(', ')}`);
  log.length = 0;
  await completeWork(deps, agentCtx, { id: c?.item.id ?? '', claimToken: c?.claim.token ?? '' });
  console.log(`complete ${(performance.now() - t1).toFixed(1)}ms: ${log.join(', ')}`);
}
const N = Number(process.env.N ?? 50);
for (let i = 0; i < N; i++) await registerAgent(deps, admin, { id: `ag-${i}`, team: 'c' });
for (let i = 0; i < 300; i++)
  await createWork(deps, admin, { type: 'x', title: `c${i}`, team: 'c', businessValue: i % 100 });
log.length = 0;
const lat: number[] = [];
const t0 = performance.now();
await Promise.all(
  Array.from({ length: N }, async (_, i) => {
    const ctx = { principal: { role: 'agent' as const, id: `ag-${i}`, agentId: `ag-${i}` }, requestId: 'r' };
    for (;;) {
      const s = performance.now();
      const c = await claimNext(deps, ctx, { agentId: `ag-${i}` });
      lat.push(performance.now() - s);
      if (!c) return;
      await completeWork(deps, ctx, { id: c.item.id, claimToken: c.claim.token });
    }
  }),
);
const el = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const tx = log.filter((l) => l.startsWith('TransactWrite')).length;
const q = log.filter((l) => l.startsWith('Query')).length;
console.log(
  `N=${N} 300 items in ${el.toFixed(1)}s; tx=${tx} (300 claims + 300 completes => ${tx - 600} lost), queries=${q}, p50=${lat[Math.floor(lat.length / 2)]?.toFixed(0)} p99=${lat[Math.floor(lat.length * 0.99)]?.toFixed(0)}`,
);
await ddb.stop();
