/**
 * The capacity model's hand-counted store calls (scripts/capacity/store-calls.ts) against what the
 * use cases really send to DynamoDB Local: a middleware on the client records every command, so
 * a code path that adds, drops or moves a read or a write fails here until the model's table
 * says so too. The HTTP chain's token read and idempotency writes are outside the use cases.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PK } from '#adapters/dynamo/keys';
import { agentsTable, metaTable, tableName, workTable } from '#adapters/dynamo/tables';
import { applyHeartbeats } from '#app/use-cases/apply-heartbeats';
import { claimNext } from '#app/use-cases/claim-next';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { reportProgress } from '#app/use-cases/report-progress';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { runCycle } from '../../../scripts/capacity/cycle';
import { type Operation, STORE_CALLS, type StoreCalls } from '../../../scripts/capacity/store-calls';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from '../use-cases/fixture';

interface SentCommand {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

let store: TestStore;
let deps: UseCaseDeps;
const sent: SentCommand[] = [];

/** Records every command the client sends (the document client shares the client's middleware stack). */
const recordCommands = (client: DynamoDBClient): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'capacityRecordCommands' },
  );
};

beforeAll(async () => {
  store = await createTestStore('capacity-calls');
  deps = useCaseDeps(store);
  recordCommands(store.client);
});

afterAll(async () => {
  await store.cleanup();
});

beforeEach(() => {
  sent.length = 0;
});

const physical = (table: typeof workTable) => tableName(store.tablePrefix, table);

const keyOf = (input: Record<string, unknown>): string =>
  String((input.Key as Record<string, unknown>)?.[PK]);

/** The store calls of the recorded commands, in the model's terms. */
const countedCalls = (): StoreCalls => {
  const count = (match: (each: SentCommand) => boolean) => sent.filter(match).length;
  const get = (table: typeof workTable, key?: string) => (each: SentCommand) =>
    each.command === 'GetItemCommand' &&
    each.input.TableName === physical(table) &&
    (key === undefined || keyOf(each.input) === key);
  const query = (index: string) => (each: SentCommand) =>
    each.command === 'QueryCommand' &&
    each.input.TableName === physical(workTable) &&
    each.input.IndexName === index;
  return {
    tokenReads: count(get(metaTable, undefined)) - count(get(metaTable, 'SETTINGS')),
    idempotencyWrites: 0,
    settingsReads: count(get(metaTable, 'SETTINGS')),
    teamRegistryWrites: count(
      (each) =>
        each.command === 'PutItemCommand' &&
        each.input.TableName === physical(metaTable) &&
        String((each.input.Item as Record<string, unknown>)?.[PK]).startsWith('TEAM#'),
    ),
    agentReads: count(get(agentsTable)),
    workReads: count(get(workTable)),
    readyQueriesPerShard: count(query('ready')) / store.readyShards,
    holderQueries: count(query('byHolder')),
    transactions: count((each) => each.command === 'TransactWriteItemsCommand'),
  };
};

/** What the model counts for the operations, outside the HTTP chain. */
const modelled = (...operations: Operation[]): StoreCalls => {
  const sum = Object.fromEntries(
    Object.keys(STORE_CALLS.claim).map((name) => [
      name,
      operations.reduce((total, operation) => total + STORE_CALLS[operation][name as keyof StoreCalls], 0),
    ]),
  ) as unknown as StoreCalls;
  return { ...sum, tokenReads: 0, idempotencyWrites: 0 };
};

/** Items of every transaction sent, by table id. */
const transactionWrites = (): string[] =>
  sent
    .filter((each) => each.command === 'TransactWriteItemsCommand')
    .flatMap((each) => each.input.TransactItems as Record<string, { TableName: string }>[])
    .map((item) => Object.values(item)[0]?.TableName ?? '')
    .map((name) => name.slice(store.tablePrefix.length + 1))
    .sort();

/** Table writes (not index entries, not the HTTP chain's Meta rows) the model derives for an operation of a cycle. */
const modelTableWrites = (accesses: ReturnType<typeof runCycle>['claim']): string[] =>
  accesses
    .filter((access) => access.index === undefined && access.writeUnits > 0 && access.table !== metaTable.id)
    .map((access) => access.table)
    .sort();

const cycle = runCycle({
  team: 'team-000',
  agentId: 'agent-00001',
  itemId: 'wi_01JCAP00000000000000000001',
  producerId: 'producer-0001',
  readyShards: 4,
  readyItemsPerShard: 10,
  progressReports: 1,
  itemTextBytes: 400,
  teams: 1,
  idempotencyKeys: true,
});

const claimedItem = async () => {
  const team = aTeam();
  const [agentId] = (await registerAgents(deps, 1, { team })) as [string];
  await createWork(deps, asAdmin(), { type: 'task', title: 'Count the calls', team });
  const claim = await claimNext(deps, asAgent(agentId), { agentId });
  if (!claim) throw new Error('nothing to claim');
  return { agentId, id: claim.item.id, token: claim.claim.token, team };
};

describe('the store calls the capacity model counts', () => {
  it('match what creating work sends', async () => {
    const team = aTeam();
    await registerAgents(deps, 1, { team });
    sent.length = 0;

    await createWork(deps, asAdmin(), { type: 'task', title: 'Count the calls', team });

    expect(countedCalls()).toEqual(modelled('create'));
    expect(transactionWrites()).toEqual(modelTableWrites(cycle.create));
  });

  it('match what claiming the next item sends', async () => {
    const team = aTeam();
    const [agentId] = (await registerAgents(deps, 1, { team })) as [string];
    await createWork(deps, asAdmin(), { type: 'task', title: 'Count the calls', team });
    sent.length = 0;

    const claim = await claimNext(deps, asAgent(agentId), { agentId });

    expect(claim?.item.status).toBe('claimed');
    expect(countedCalls()).toEqual(modelled('claim'));
    expect(transactionWrites()).toEqual(modelTableWrites(cycle.claim));
  });

  it('match what reporting progress sends', async () => {
    const { agentId, id, token } = await claimedItem();
    sent.length = 0;

    await reportProgress(deps, asAgent(agentId), { id, claimToken: token, progress: 50 });

    expect(countedCalls()).toEqual(modelled('progress'));
    expect(transactionWrites()).toEqual(modelTableWrites(cycle.progress[0] ?? []));
  });

  it('match what completing an item sends', async () => {
    const { agentId, id, token } = await claimedItem();
    sent.length = 0;

    await completeWork(deps, asAgent(agentId), { id, claimToken: token });

    expect(countedCalls()).toEqual(modelled('complete'));
    expect(transactionWrites()).toEqual(modelTableWrites(cycle.complete));
  });

  it('match what applying a heartbeat of an agent holding an item sends', async () => {
    const { agentId } = await claimedItem();
    store.clock.advance(5);
    sent.length = 0;

    const [applied] = await applyHeartbeats(deps, [
      { agentId, at: store.clock.now().toISOString(), requestId: 'req-capacity' },
    ]);

    expect(applied).toEqual({ agentId, recorded: true });
    expect(countedCalls()).toEqual(modelled('heartbeatBatch', 'heartbeatAgent'));
    expect(transactionWrites()).toEqual(modelTableWrites(cycle.heartbeat));
  });

  it('write the agent alone when a heartbeat comes from an agent holding 20 items', async () => {
    const team = aTeam();
    const [agentId] = (await registerAgents(deps, 1, { team, capacity: 20 })) as [string];
    for (let i = 0; i < 20; i += 1) {
      await createWork(deps, asAdmin(), { type: 'task', title: `Held item ${i}`, team });
      await claimNext(deps, asAgent(agentId), { agentId });
    }
    store.clock.advance(5);
    sent.length = 0;

    const [applied] = await applyHeartbeats(deps, [
      { agentId, at: store.clock.now().toISOString(), requestId: 'req-capacity-20' },
    ]);

    expect(applied).toEqual({ agentId, recorded: true });
    expect(countedCalls()).toEqual(modelled('heartbeatBatch', 'heartbeatAgent'));
    expect(transactionWrites()).toEqual([agentsTable.id]);
    expect(sent.filter((each) => each.input.TableName === physical(workTable))).toEqual([]);
  });
});
