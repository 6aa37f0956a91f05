/**
 * The store calls of each operation that the model cannot take from a core decision: reads,
 * and writes made outside the decision's transaction. Counted by reading the code paths named
 * below; `test/integration/capacity/store-calls.test.ts` runs the use cases (and
 * `http-store-calls.test.ts` the claim-next and complete handlers, for the HTTP chain's calls)
 * against DynamoDB Local through a counting client and fails when these counts no longer match.
 *
 * What each operation's transaction writes (items, events, index entries, sizes) is not counted
 * here: the model runs the real core decision and the real record builders (`scripts/capacity/cycle.ts`).
 */

/** Store calls of one operation, each a count per occurrence of the operation. */
export interface StoreCalls {
  /**
   * Meta `TOKEN#<id>` consistent GetItem: `authenticate` (src/app/auth.ts) for an issued token. HTTP
   * chain. A process keeps a record it read `COORD_TOKEN_CACHE_SECONDS` (default 10), so a busy
   * agent's requests mostly skip it; the model counts one per request, the upper bound.
   */
  readonly tokenReads: number;
  /** Meta `IDEMPOTENCY#<scope>` conditional put, then update with the answer: functions/shared/idempotency.ts. HTTP chain, only when a key is sent. */
  readonly idempotencyWrites: number;
  /** Meta `SETTINGS` consistent GetItem: `currentSettings` (src/app/settings.ts). */
  readonly settingsReads: number;
  /**
   * Meta `TEAM#<name>` conditional PutItem: `teams.ensure` in createWork, only for a team the
   * process has not seen yet (it remembers the teams it wrote), so none in a steady cycle.
   */
  readonly teamRegistryWrites: number;
  /** Agents `AGENT#<id>` consistent GetItem: `requireAgent`. */
  readonly agentReads: number;
  /**
   * Work `WORK#<id>` consistent GetItem: `requireWork`. A holder write in a process that kept the
   * item (`COORD_WORK_CACHE_SECONDS`, src/app/use-cases/shared/work-change.ts) decides from that
   * copy and skips it. On AWS every route is its own function, so a progress report or completion
   * has the copy only when the same function's container wrote or read the item last (repeated
   * progress reports); locally every route shares one process. The model counts one: the upper bound.
   */
  readonly workReads: number;
  /** Work `ready` index Query, once per shard of the agent's team, `CANDIDATES_PER_READ` items. */
  readonly readyQueriesPerShard: number;
  /** Work `byHolder` index Query of the agent's held items (`heldItems`). */
  readonly holderQueries: number;
  /** TransactWriteItems of the decision's change (`DynamoUnitOfWork.commit`, always a transaction). */
  readonly transactions: number;
}

const NONE: StoreCalls = {
  tokenReads: 0,
  idempotencyWrites: 0,
  settingsReads: 0,
  teamRegistryWrites: 0,
  agentReads: 0,
  workReads: 0,
  readyQueriesPerShard: 0,
  holderQueries: 0,
  transactions: 0,
};

/** An uncontended call of each operation (a lost claim race repeats the ready reads and the transaction). */
export const STORE_CALLS = {
  /** POST /v1/work: functions/http/create-work.ts -> createWork (src/app/use-cases/create-work.ts). */
  create: {
    ...NONE,
    tokenReads: 1,
    idempotencyWrites: 2,
    settingsReads: 1,
    teamRegistryWrites: 0,
    transactions: 1,
  },
  /** POST /v1/work/claim-next: claimNext (src/app/use-cases/claim-next.ts), first candidate wins. */
  claim: {
    ...NONE,
    tokenReads: 1,
    idempotencyWrites: 2,
    settingsReads: 1,
    agentReads: 1,
    readyQueriesPerShard: 1,
    transactions: 1,
  },
  /** POST /v1/work/{id}/progress: reportProgress -> changeWorkItem (src/app/use-cases/shared/work-change.ts). */
  progress: { ...NONE, tokenReads: 1, idempotencyWrites: 2, settingsReads: 1, workReads: 1, transactions: 1 },
  /**
   * POST /v1/work/{id}/complete: completeWork -> changeWorkItem; an item without dependents unblocks
   * nothing. The holder is not read: its claim is freed on the condition that it is not retiring
   * (only a retiring holder refuses it, and then costs a second transaction and one agent read,
   * `revokeTokensOfDrained`: a finished drain revokes its token).
   */
  complete: {
    ...NONE,
    tokenReads: 1,
    idempotencyWrites: 2,
    settingsReads: 1,
    workReads: 1,
    transactions: 1,
  },
  /** POST /v1/agents/{id}/heartbeat: recordHeartbeat (src/app/use-cases/record-heartbeat.ts) only queues it. */
  heartbeatRequest: { ...NONE, tokenReads: 1, idempotencyWrites: 2 },
  /** One batch of the heartbeats queue: applyHeartbeats (src/app/use-cases/apply-heartbeats.ts), settings once. */
  heartbeatBatch: { ...NONE, settingsReads: 1 },
  /**
   * Per agent of a batch: changeAgent reads and puts the agent, whatever it holds (its leases
   * follow `lastHeartbeatAt`; no held item is read or written).
   */
  heartbeatAgent: { ...NONE, agentReads: 1, transactions: 1 },
} as const satisfies Record<string, StoreCalls>;

/** The operations of {@link STORE_CALLS}. */
export type Operation = keyof typeof STORE_CALLS;

/**
 * The broadcaster's store calls per stream batch (`broadcastEvents`,
 * src/app/use-cases/realtime/broadcast-batch.ts): every event's messages share one
 * `subscriberLookup`, so each distinct channel of the batch is read once, whatever the number of
 * its events. One page (up to 500 subscribers) per channel; assignments also read their item.
 * `test/integration/realtime/broadcast-batch.test.ts` runs a batch against DynamoDB Local and fails
 * when a channel is read more than once.
 */
export const BROADCAST_CALLS = {
  /** Connections `byChannel` Query pages per distinct channel of a batch. */
  subscriberQueriesPerChannel: 1,
} as const;
