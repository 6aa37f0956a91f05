/**
 * The CPU one store call costs this process: closed-loop clients sending GetItem and conditional
 * UpdateItem through the service's own DynamoDB client and document client to DynamoDB Local (a
 * separate Java process), counting this process's CPU time and GC pauses per call. It measures
 * what the service's client configuration and the process's flags cost per call, apart from the
 * rest of the claim path (`npx tsx bench/store-call-cpu.ts`; `CLIENTS`, `CALLS`, `ROUNDS`, and
 * `DYNAMODB_ENDPOINT` to use a DynamoDB Local already running instead of starting one).
 *
 * With `ALS=1` the clients run inside an AsyncLocalStorage context, as every handler invocation
 * runs (`withMessageOrigin` in `functions/shared/observability.ts`): on Node 22 that enables
 * promise hooks for every promise the process creates from then on, unless Node runs with
 * `--experimental-async-context-frame`. Compare runs in separate processes, alternated.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoClient } from '#adapters/dynamo/index';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local';
import { scratchTable } from './raw';

const CLIENTS = Number(process.env.CLIENTS ?? 20);
const CALLS = Number(process.env.CALLS ?? 4000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const IN_STORAGE = process.env.ALS === '1';
const KEYS = 200;

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const dynamo = process.env.DYNAMODB_ENDPOINT
  ? { endpoint: process.env.DYNAMODB_ENDPOINT, stop: async () => undefined }
  : await startDynamoDbLocal();
const client = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
const doc = DynamoDBDocumentClient.from(client, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
const table = await scratchTable(client, KEYS);
const key = () => ({ pk: `k${Math.floor(Math.random() * KEYS)}` });

/** `CALLS` calls by `CLIENTS` closed-loop clients: a read, then a conditional write of the same key. */
const burst = async (): Promise<void> => {
  let left = CALLS;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (left > 0) {
        left -= 2;
        const Key = key();
        await doc.send(new GetCommand({ TableName: table.name, Key }));
        await doc.send(
          new UpdateCommand({
            TableName: table.name,
            Key,
            UpdateExpression: 'SET v = v + :one, note = :note',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':one': 1, ':note': { at: new Date().toISOString(), by: 'bench' } },
          }),
        );
      }
    }),
  );
};

const storage = new AsyncLocalStorage<{ requestId: string }>();
const measure = async (label: string, run: () => Promise<void>) => {
  const cpu0 = process.cpuUsage();
  const gc0 = gcMs;
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    label,
    cpuUsPerCall: (1000 * cpuMs) / CALLS,
    gcUsPerCall: (1000 * (gcMs - gc0)) / CALLS,
    callsPerSec: CALLS / (wall / 1000),
  };
};

try {
  await (IN_STORAGE ? storage.run({ requestId: 'bench' }, burst) : burst()); // warm-up: connections, JIT
  const rows = [];
  const label = IN_STORAGE ? 'in AsyncLocalStorage' : 'plain';
  const run = IN_STORAGE ? () => storage.run({ requestId: 'bench' }, burst) : burst;
  for (let round = 0; round < ROUNDS; round += 1) rows.push(await measure(label, run));
  const fmt = (n: number) => n.toFixed(0).padStart(6);
  console.log(
    `node ${process.version} ${process.execArgv.filter((a) => a.startsWith('--') && !a.includes('import')).join(' ')}`,
  );
  console.log(`${CLIENTS} clients, ${CALLS} calls a round (GetItem + conditional UpdateItem)`);
  for (const row of rows)
    console.log(
      `${row.label.padEnd(22)} CPU µs/call ${fmt(row.cpuUsPerCall)}  GC µs/call ${fmt(row.gcUsPerCall)}  calls/s ${fmt(row.callsPerSec)}`,
    );
} finally {
  await client.send(new DeleteTableCommand({ TableName: table.name })).catch(() => undefined);
  client.destroy();
  await dynamo.stop();
}
