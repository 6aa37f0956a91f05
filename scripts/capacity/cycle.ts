/**
 * One claim cycle run through the real code: the core decisions (create, claim, progress,
 * complete, heartbeat) give the change each operation commits, and the adapter's
 * record builders (`workToItem`, `agentToItem`, `eventToItem`) give the stored items, their
 * index entries and their sizes. What a change writes where is therefore never counted by hand:
 * a new index attribute, event or write in the code changes the model's figures.
 */
import {
  agentKey,
  eventPartition,
  holderPartition,
  idempotencyKey,
  PK,
  readyPartitions,
  settingsKey,
  teamKey,
  tokenKey,
  workKey,
} from '#adapters/dynamo/keys';
import { headSize } from '#adapters/dynamo/partition-heads';
import type { StoredItem } from '#adapters/dynamo/query';
import { agentToItem, eventToItem, workToItem } from '#adapters/dynamo/records';
import {
  agentsTable,
  eventsTable,
  metaTable,
  type TableDefinition,
  workTable,
} from '#adapters/dynamo/tables';
import { CANDIDATES_PER_READ } from '#app/use-cases/claim-next';
import { newAgent, recordHeartbeat } from '#core/agents/lifecycle';
import type { ChangeContext } from '#core/audit';
import type { Agent, AuditEvent, WorkItem } from '#core/model';
import type { Change, Write } from '#core/ports';
import { ActorType } from '#core/roles';
import { DEFAULT_SETTINGS } from '#core/settings';
import { claimWork } from '#core/work/claim';
import { createWorkItem } from '#core/work/create';
import { completeWork, reportProgress } from '#core/work/holder-actions';
import type { WorkContext } from '#core/work/write';
import { itemSize, readUnits, writeUnits } from './item-size';
import { type Operation, STORE_CALLS, type StoreCalls } from './store-calls';

/** One touch of one partition by one occurrence of an operation. */
export interface Access {
  /** Table id (`Work`, `Events`, ...). */
  readonly table: string;
  /** Index name, absent for the table itself. */
  readonly index?: string;
  /** The partition key value. */
  readonly partition: string;
  /** Write units (capacity the partition must absorb). */
  readonly writeUnits: number;
  /** Read units. */
  readonly readUnits: number;
  /** Write request units billed (a transaction bills its table writes twice). */
  readonly billedWrites: number;
  /** Read request units billed. */
  readonly billedReads: number;
}

/** The world one cycle runs in. */
export interface CycleShape {
  readonly team: string;
  readonly agentId: string;
  readonly itemId: string;
  readonly producerId: string;
  readonly readyShards: number;
  /** Items of this team in each of its ready shards (a Query returns at most `CANDIDATES_PER_READ`). */
  readonly readyItemsPerShard: number;
  readonly progressReports: number;
  readonly itemTextBytes: number;
  /** Team names in the team registry (its size grows with them). */
  readonly teams: number;
  readonly idempotencyKeys: boolean;
}

/** The accesses of each operation of one cycle, and of one heartbeat of its agent. */
export interface CycleAccesses {
  readonly create: readonly Access[];
  readonly claim: readonly Access[];
  /** One progress report (the first: claimed -> in_progress; later ones only renew). */
  readonly progress: readonly (readonly Access[])[];
  readonly complete: readonly Access[];
  /** A heartbeat request, then its share of the queue consumer, for an agent holding one item. */
  readonly heartbeat: readonly Access[];
  /** Audit events the cycle writes (the broadcaster and the metrics rollup read them). */
  readonly events: readonly AuditEvent[];
  /** Bytes of the stored work item while held (the size of a claim or progress answer). */
  readonly heldItemBytes: number;
}

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const STEP_MS = 5000;
const TOKEN_ID_LENGTH = 26;
const RESPONSE_OVERHEAD_BYTES = 200;

const withTable = (table: TableDefinition, index?: string) => ({
  table: table.id,
  ...(index === undefined ? {} : { index }),
});

const readAccess = (
  table: TableDefinition,
  partition: string,
  bytes: number,
  consistent: boolean,
  index?: string,
): Access => ({
  ...withTable(table, index),
  partition,
  writeUnits: 0,
  readUnits: readUnits(bytes, consistent),
  billedWrites: 0,
  billedReads: readUnits(bytes, consistent),
});

const writeAccess = (
  table: TableDefinition,
  partition: string,
  bytes: number,
  factor: number,
  index?: string,
): Access => ({
  ...withTable(table, index),
  partition,
  writeUnits: writeUnits(bytes),
  readUnits: 0,
  billedWrites: writeUnits(bytes) * factor,
  billedReads: 0,
});

/** The entry an item has in an index, if any: its key and its size as stored there. */
const indexEntry = (table: TableDefinition, indexName: string, item: StoredItem | undefined) => {
  const index = table.indexes.find((candidate) => candidate.indexName === indexName);
  if (!index || !item) return undefined;
  const partition = item[index.partitionKey.name];
  if (partition === undefined) return undefined;
  const sort = index.sortKey ? item[index.sortKey.name] : undefined;
  const keyNames = [
    table.partitionKey.name,
    table.sortKey?.name,
    index.partitionKey.name,
    index.sortKey?.name,
  ];
  const projected =
    index.projection === 'KEYS_ONLY'
      ? Object.fromEntries(keyNames.flatMap((name) => (name === undefined ? [] : [[name, item[name]]])))
      : item;
  return {
    partition: String(partition),
    sort: String(sort),
    bytes: itemSize(projected),
    projection: index.projection ?? 'ALL',
  };
};

/**
 * The index writes of replacing `before` with `after` (either may be absent): an entry that
 * appears is a put, one that goes a delete, one whose key changes both; one that stays with its
 * key is rewritten only when its projection carries every attribute (and they changed).
 */
export const indexWrites = (
  table: TableDefinition,
  before: StoredItem | undefined,
  after: StoredItem | undefined,
): Access[] =>
  table.indexes.flatMap((index) => {
    const old = indexEntry(table, index.indexName, before);
    const next = indexEntry(table, index.indexName, after);
    const put = next && writeAccess(table, next.partition, next.bytes, 1, index.indexName);
    const remove = old && writeAccess(table, old.partition, old.bytes, 1, index.indexName);
    if (!old) return put ? [put] : [];
    if (!next) return remove ? [remove] : [];
    if (old.partition !== next.partition || old.sort !== next.sort)
      return [remove, put].filter((a) => a !== undefined);
    const changed = JSON.stringify(before) !== JSON.stringify(after);
    return next.projection === 'ALL' && changed && put ? [put] : [];
  });

/** Records as stored, by table and key, so each write knows what it replaces. */
class StoredRecords {
  private readonly records = new Map<string, StoredItem>();

  get(table: TableDefinition, key: string): StoredItem | undefined {
    return this.records.get(`${table.id} ${key}`);
  }

  set(table: TableDefinition, key: string, item: StoredItem): void {
    this.records.set(`${table.id} ${key}`, item);
  }
}

/** Applies the claim-count update `DynamoUnitOfWork.adjustClaims` makes to a stored agent. */
const adjustedAgent = (agent: Agent, write: Extract<Write, { kind: 'agentClaims' }>): Agent => ({
  ...agent,
  activeClaims: agent.activeClaims + write.delta,
  version: agent.version + 1,
  ...(write.heartbeatAt === undefined ? {} : { lastHeartbeatAt: write.heartbeatAt }),
  stats: Object.fromEntries(
    Object.entries(agent.stats).map(([name, value]) => [
      name,
      value + ((write.stats as Record<string, number> | undefined)?.[name] ?? 0),
    ]),
  ) as unknown as Agent['stats'],
});

/** The accesses of committing `change` as one TransactWriteItems (table writes billed twice). */
const commitAccesses = (
  records: StoredRecords,
  change: Change,
  agents: Map<string, Agent>,
  readyShards: number,
): Access[] => {
  const TRANSACTION = 2;
  const tableWrite = (table: TableDefinition, key: string, after: StoredItem): Access[] => {
    const before = records.get(table, key);
    records.set(table, key, after);
    // A write is charged on the larger of the item before and after it.
    const bytes = Math.max(itemSize(after), before ? itemSize(before) : 0);
    return [writeAccess(table, key, bytes, TRANSACTION), ...indexWrites(table, before, after)];
  };
  const writes = change.writes.flatMap((write): Access[] => {
    switch (write.kind) {
      case 'work':
        return tableWrite(workTable, String(workKey(write.item.id)[PK]), workToItem(write.item, readyShards));
      case 'agent':
        agents.set(write.agent.id, write.agent);
        return tableWrite(agentsTable, String(agentKey(write.agent.id)[PK]), agentToItem(write.agent));
      case 'agentClaims': {
        const agent = agents.get(write.agentId);
        if (!agent) throw new Error(`The cycle has no agent ${write.agentId}.`);
        const next = adjustedAgent(agent, write);
        agents.set(next.id, next);
        return tableWrite(agentsTable, String(agentKey(next.id)[PK]), agentToItem(next));
      }
      default:
        throw new Error(
          `The capacity model does not know what a "${write.kind}" write stores; teach scripts/capacity/cycle.ts.`,
        );
    }
  });
  const events = change.events.flatMap((event) => {
    const item = eventToItem(event);
    return [
      writeAccess(eventsTable, eventPartition(event.entityId), itemSize(item), TRANSACTION),
      ...indexWrites(eventsTable, undefined, item),
    ];
  });
  return [...writes, ...events];
};

/** The reads and side writes {@link STORE_CALLS} counts, as accesses. */
const callAccesses = (
  calls: StoreCalls,
  shape: CycleShape,
  sizes: { readonly agent: number; readonly work: number; readonly answer: number },
  actorTokenId: string,
): Access[] => {
  const repeat = (count: number, access: () => Access): Access[] => Array.from({ length: count }, access);
  const metaKey = (key: Record<string, unknown>) => String(key[PK]);
  const tokenBytes = 200;
  const teamBytes = 40 + shape.team.length * 2;
  const idempotencyBytes = [120, sizes.answer + 120];
  // Each shard is asked for its head of the top (`topOfPartitions`); a shard holding more of the
  // top than its head is read again, rarely enough at 16 shards to leave out.
  const readyShards = readyPartitions(shape.team, shape.readyShards);
  const readyBytes =
    Math.min(headSize(CANDIDATES_PER_READ, readyShards.length), shape.readyItemsPerShard) * sizes.work;
  return [
    ...repeat(calls.tokenReads, () =>
      readAccess(metaTable, metaKey(tokenKey(actorTokenId)), tokenBytes, true),
    ),
    ...(shape.idempotencyKeys
      ? Array.from({ length: calls.idempotencyWrites }, (_, step) =>
          writeAccess(
            metaTable,
            metaKey(idempotencyKey(`${actorTokenId}-${step}`)),
            idempotencyBytes[step % 2] ?? 120,
            1,
          ),
        )
      : []),
    ...repeat(calls.settingsReads, () => readAccess(metaTable, metaKey(settingsKey()), 300, true)),
    ...repeat(calls.teamRegistryWrites, () =>
      writeAccess(metaTable, metaKey(teamKey(shape.team)), teamBytes, 1),
    ),
    ...repeat(calls.agentReads, () =>
      readAccess(agentsTable, String(agentKey(shape.agentId)[PK]), sizes.agent, true),
    ),
    ...repeat(calls.workReads, () =>
      readAccess(workTable, String(workKey(shape.itemId)[PK]), sizes.work, true),
    ),
    ...Array.from({ length: calls.readyQueriesPerShard * readyShards.length }, (_, shard) =>
      readAccess(workTable, readyShards[shard % readyShards.length] ?? '', readyBytes, false, 'ready'),
    ),
    ...repeat(calls.holderQueries, () =>
      readAccess(workTable, holderPartition(shape.agentId), sizes.work, false, 'byHolder'),
    ),
  ];
};

/** The tokens agents and producers present: ids of the length issued ids have. */
const tokenIdOf = (principal: string): string =>
  principal.padEnd(TOKEN_ID_LENGTH, '0').slice(0, TOKEN_ID_LENGTH);

/** Runs one cycle of `shape` through the core decisions and the record builders. */
export const runCycle = (shape: CycleShape): CycleAccesses => {
  let tick = 0;
  let eventSeq = 0;
  const settings = DEFAULT_SETTINGS;
  const contextOf = (type: ActorType, id: string): WorkContext & ChangeContext => {
    tick += 1;
    return {
      // Seconds apart, as in a busy cycle: the agent stays online, so a heartbeat is no news.
      now: new Date(T0 + tick * STEP_MS),
      actor: { type, id },
      requestId: `req-${'0'.repeat(28)}${tick}`,
      ids: {
        eventId: () => {
          eventSeq += 1;
          return `ev_${String(eventSeq).padStart(26, '0')}`;
        },
      },
      settings,
    };
  };
  const records = new StoredRecords();
  const agents = new Map<string, Agent>();
  const events: AuditEvent[] = [];
  const agent = newAgent(
    {
      id: shape.agentId,
      team: shape.team,
      capabilities: ['typescript', 'review'],
      capacity: 1,
      heartbeatIntervalSec: 30,
    },
    tokenIdOf(shape.agentId),
    new Date(T0),
  );
  agents.set(agent.id, agent);
  records.set(agentsTable, String(agentKey(agent.id)[PK]), agentToItem(agent));
  const agentBytes = () => itemSize(agentToItem(agents.get(agent.id) ?? agent));
  const workBytes = (item: WorkItem) => itemSize(workToItem(item, shape.readyShards));
  const commit = (change: Change) => {
    events.push(...change.events);
    return commitAccesses(records, change, agents, shape.readyShards);
  };
  const calls = (operation: Operation, item: WorkItem, principal: string) =>
    callAccesses(
      STORE_CALLS[operation],
      shape,
      { agent: agentBytes(), work: workBytes(item), answer: workBytes(item) + RESPONSE_OVERHEAD_BYTES },
      tokenIdOf(principal),
    );

  const text = 'x'.repeat(Math.max(1, shape.itemTextBytes));
  const created = createWorkItem(
    {
      id: shape.itemId,
      type: 'task',
      title: text.slice(0, 120),
      description: text.slice(120) || undefined,
      team: shape.team,
    },
    [],
    contextOf(ActorType.Agent, shape.producerId),
  );
  const create = [...calls('create', created.item, shape.producerId), ...commit(created.change)];

  const token = 'k'.repeat(43);
  const claimed = claimWork(
    created.item,
    agents.get(agent.id) ?? agent,
    token,
    contextOf(ActorType.Agent, agent.id),
  );
  const claim = [...calls('claim', created.item, agent.id), ...commit(claimed.change)];

  let item = claimed.item;
  const progress: Access[][] = [];
  for (let report = 1; report <= shape.progressReports; report += 1) {
    const decision = reportProgress(
      item,
      {
        token,
        agentId: agent.id,
        progress: Math.round((100 * report) / (shape.progressReports + 1)),
        note: 'step done',
      },
      contextOf(ActorType.Agent, agent.id),
    );
    progress.push([...calls('progress', item, agent.id), ...commit(decision.change)]);
    item = decision.item;
  }
  const heldItemBytes = workBytes(item);

  // A heartbeat of the agent while it holds the item: the request, then the consumer's share.
  const beat = contextOf(ActorType.Agent, agent.id);
  const heartbeatDecision = recordHeartbeat(
    agents.get(agent.id) ?? agent,
    { at: beat.now },
    settings.heartbeatTimeoutMultiple,
    beat,
  );
  const heartbeat = [
    ...calls('heartbeatRequest', item, agent.id),
    ...calls('heartbeatAgent', item, agent.id),
    ...(heartbeatDecision
      ? commit({ writes: [heartbeatDecision.write], events: heartbeatDecision.events })
      : []),
  ];

  const completed = completeWork(
    item,
    { token, agentId: agent.id, result: 'done' },
    contextOf(ActorType.Agent, agent.id),
  );
  const complete = [...calls('complete', item, agent.id), ...commit(completed.change)];

  return { create, claim, progress, complete, heartbeat, events, heldItemBytes };
};
