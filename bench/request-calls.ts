/**
 * The store calls sent while each request of two claim-next -> progress -> complete cycles is in
 * flight, in order, with the table, index and key they name (`npx tsx bench/request-calls.ts`).
 * The local stack runs in this process with its sweeper held off, and each request starts once
 * the store has been quiet for half a second; the stream consumers (broadcaster, metrics rollups)
 * run in the same process, so their calls that land meanwhile are listed too, marked
 * `(stream consumer)` where their table or index says so (Connections, Work byStatus).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalStack } from '#local/stack';
import { call } from './support';

type Input = Record<string, unknown>;
const log: string[] = [];
let recording = false;
let lastCallMs = 0;
const QUIET_MS = 500;
/** Longest wait for quiet: the sweeper and pollers may never leave the store alone that long. */
const MAX_WAIT_MS = 5000;
const base = Object.getPrototypeOf(DynamoDBClient.prototype) as {
  send: (command: { constructor: { name: string }; input: Input }, ...rest: unknown[]) => Promise<unknown>;
};
const send = base.send;
base.send = async function (this: { config?: { serviceId?: string } }, command, ...rest) {
  if (recording && this.config?.serviceId === 'DynamoDB') {
    const { input } = command;
    const table = (name: unknown) => String(name).slice(String(name).lastIndexOf('-') + 1);
    const what =
      typeof input.TableName === 'string'
        ? `${table(input.TableName)}${input.IndexName ? ` ${String(input.IndexName)}` : ''} ${JSON.stringify(input.Key ?? input.KeyConditionExpression ?? '')}`
        : (
            (input.TransactItems as Record<
              string,
              { TableName?: string; Key?: unknown; Item?: { pk?: unknown } }
            >[]) ?? []
          )
            .map((entry) => {
              const [kind, body] = Object.entries(entry)[0] ?? [];
              return `${kind} ${table(body?.TableName)} ${JSON.stringify(body?.Key ?? body?.Item?.pk ?? '')}`;
            })
            .join(' | ');
    const consumer = /^Connections|byStatus/.test(what) ? ' (stream consumer)' : '';
    log.push(`  ${command.constructor.name} ${what}${consumer}`);
  }
  if (this.config?.serviceId === 'DynamoDB') lastCallMs = performance.now();
  return send.call(this, command, ...rest);
};

const stack = await startLocalStack({ port: 0, wsPort: 0, quiet: true, sweepIntervalMs: 600_000 });
const wiring = await import('#functions/shared/wiring');
const { createWork } = await import('#app/use-cases/create-work');
const admin = { principal: { role: 'admin' as const, id: 'admin' }, requestId: 'trace' };
const team = `trace-${Date.now().toString(36)}`;
const registered = await call(stack, stack.registrationKey, 'POST', '/v1/agents', { id: `${team}-a`, team });
const { token } = registered.json as { token: string };
for (let i = 0; i < 4; i += 1)
  await createWork(wiring.deps(), admin, { type: 'trace', title: `t${i}`, team });
const quiet = async () => {
  const until = performance.now() + MAX_WAIT_MS;
  while (performance.now() - lastCallMs < QUIET_MS && performance.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 50));
};
const traced = async (label: string, method: string, path: string, body: unknown) => {
  await quiet();
  log.length = 0;
  recording = true;
  const answer = await call(stack, token, method, path, body);
  recording = false;
  console.log(`${label} -> ${answer.status}\n${log.join('\n')}`);
  return answer.json as Record<string, Record<string, unknown>>;
};
for (let cycle = 1; cycle <= 2; cycle += 1) {
  console.log(`cycle ${cycle}`);
  const claim = await traced('claim-next', 'POST', '/v1/work/claim-next', { agentId: `${team}-a` });
  const id = String(claim.item?.id);
  const claimToken = String(claim.claim?.token);
  await traced('progress', 'POST', `/v1/work/${id}/progress`, { claimToken, progress: 50 });
  await traced('complete', 'POST', `/v1/work/${id}/complete`, { claimToken });
}
await stack.stop();
