import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { UnavailableError } from '#core/errors';
import type { AuditEvent } from '#core/model';
import type { Clock } from '#core/ports';
import {
  type AgentClaimsAdjust,
  type Change,
  type FailedWrite,
  type UnitOfWork,
  type WorkLeaseCatchUp,
  type Write,
  WriteConflict,
} from '#core/ports';
import { HELD_STATUSES } from '#core/work/status';
import type { DynamoAuditDays } from './audit-days';
import { StoreError, THROTTLED_REASONS, translateStoreError } from './errors';
import { escalationFromItem, escalationToItem } from './escalation-records';
import { allOf, Expression } from './expression';
import { agentKey, dayOf, leaseSortKey, PK, SK, tokenKey, WorkIndex, webhookKey, workKey } from './keys';
import { messageToItem } from './message-store';
import type { SettingsCache, TokenCache } from './meta-store';
import type { StoredItem } from './query';
import {
  agentFromItem,
  agentToItem,
  type EventRetention,
  eventExpiry,
  eventToItem,
  FREE_CAPACITY,
  settingsFromItem,
  settingsToItem,
  tokenToItem,
  workFromItem,
  workToItem,
} from './records';
import { webhookFromItem, webhookToItem } from './webhook-store';
import type { RecentWork } from './work-cache';

/** DynamoDB takes at most this many writes in one transaction. */
export const MAX_TRANSACTION_WRITES = 100;

/** Physical names of the tables a change writes to. */
export interface UnitOfWorkTables {
  readonly work: string;
  readonly agents: string;
  readonly events: string;
  readonly meta: string;
  readonly escalations: string;
}

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** A cancellation reason as the SDK reports it; `Item` is in the wire format. */
interface CancellationReason {
  readonly Code?: string;
  readonly Item?: Parameters<typeof unmarshall>[0];
}

/** One planned write and how to report it when its condition fails. */
interface PlannedWrite {
  readonly request: TransactItem;
  /** What a failed condition on this write means; `undefined` for writes no use case re-decides from. */
  readonly failed: (stored: StoredItem | undefined) => FailedWrite | undefined;
}

/** Reasons that mean "this write's condition lost"; a TransactionConflict returns no stored item. */
const CONFLICT_REASONS = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

/** `attribute_not_exists(pk)` when new, else `version = expected`. */
const versionCondition = (expression: Expression, expectedVersion: number | null): string =>
  expectedVersion === null
    ? `attribute_not_exists(${expression.name(PK)})`
    : `${expression.name('version')} = ${expression.value(expectedVersion)}`;

/**
 * Applies a change as one TransactWriteItems: every write and every audit event, all or nothing.
 * Every conditional write asks for `ALL_OLD`, so a refused change reports what is stored now.
 */
export class DynamoUnitOfWork implements UnitOfWork {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: UnitOfWorkTables,
    private readonly readyShards: number,
    private readonly audit: {
      readonly days: DynamoAuditDays;
      readonly clock: Clock;
      readonly retentionDays: number;
    },
    /** Forgotten after a change that writes the settings, so this process reads the new ones at once. */
    private readonly settingsCache?: SettingsCache,
    /** Forgets a token this process deletes or stores, so a revocation applies here at once. */
    private readonly tokenCache?: TokenCache,
    /** Keeps the items a committed change wrote; forgets those of a change that failed. */
    private readonly recentWork?: RecentWork,
  ) {}

  /**
   * @throws WriteConflict when a condition fails (nothing is written).
   * @throws UnavailableError when the store throttles or does not answer.
   * @throws RangeError when the change holds more than {@link MAX_TRANSACTION_WRITES} writes, or
   * writes one record twice (a transaction may touch each record once).
   */
  async commit(change: Change): Promise<void> {
    const retention: EventRetention = {
      recordedAt: Math.floor(this.audit.clock.now().getTime() / 1000),
      retentionDays: this.audit.retentionDays,
    };
    const planned = [
      ...change.writes.map((write) => this.plan(write)),
      ...change.events.map((e) => this.planEvent(e, retention)),
    ];
    if (planned.length === 0) return;
    if (planned.length > MAX_TRANSACTION_WRITES) {
      throw new RangeError(
        `A change holds ${planned.length} writes (with its events); one transaction takes at most ${MAX_TRANSACTION_WRITES}.`,
      );
    }
    const twice = firstRepeatedTarget(planned.map((write) => write.request));
    if (twice !== undefined) {
      throw new RangeError(`A change writes ${twice} twice; one transaction may write each record once.`);
    }
    // Days are marked first: a change that then fails leaves only a marker of a day without events.
    const days = new Map(change.events.map((event) => [dayOf(event.at), eventExpiry(retention)]));
    if (days.size > 0) await this.audit.days.mark(days);
    let committed = false;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: planned.map((write) => write.request),
          // Makes the SDK's own retries of this request idempotent.
          ClientRequestToken: randomUUID(),
        }),
      );
      committed = true;
    } catch (error) {
      throw translateCommitError(error, planned);
    } finally {
      // Also after a refused write: what is stored differs from what this process kept.
      if (change.writes.some((write) => write.kind === 'settings')) this.settingsCache?.invalidate();
      for (const write of change.writes) {
        if (write.kind === 'tokenDelete') this.tokenCache?.invalidate(write.tokenId);
        if (write.kind === 'tokenPut') this.tokenCache?.invalidate(write.token.id);
        // A refused change (or one of unknown outcome) did not store the item it wrote.
        if (write.kind === 'work') {
          if (committed) this.recentWork?.keep(write.item);
          else this.recentWork?.forget(write.item.id);
        }
        // The lease changed in place, under the same version: the kept copy no longer matches.
        if (write.kind === 'workLease') this.recentWork?.forget(write.workId);
      }
    }
  }

  private plan(write: Write): PlannedWrite {
    switch (write.kind) {
      case 'work': {
        const expression = new Expression();
        return {
          request: this.put(
            this.tables.work,
            workToItem(write.item, this.readyShards),
            expression,
            versionCondition(expression, write.expectedVersion),
          ),
          failed: (stored) => ({ kind: 'work', id: write.item.id, current: stored && workFromItem(stored) }),
        };
      }
      case 'workLease':
        return {
          request: this.catchUpLease(write),
          failed: () => ({ kind: 'workLease', id: write.workId }),
        };
      case 'agent': {
        const expression = new Expression();
        return {
          request: this.put(
            this.tables.agents,
            agentToItem(write.agent),
            expression,
            versionCondition(expression, write.expectedVersion),
          ),
          failed: (stored) => ({
            kind: 'agent',
            id: write.agent.id,
            current: stored && agentFromItem(stored),
          }),
        };
      }
      case 'agentClaims':
        return {
          request: this.adjustClaims(write),
          failed: (stored) => ({
            kind: 'agentClaims',
            id: write.agentId,
            current: stored && agentFromItem(stored),
          }),
        };
      case 'tokenPut': {
        const expression = new Expression();
        return {
          request: this.put(
            this.tables.meta,
            tokenToItem(write.token),
            expression,
            versionCondition(expression, null),
          ),
          failed: () => ({ kind: 'tokenPut', id: write.token.id }),
        };
      }
      case 'tokenDelete':
        return {
          request: { Delete: { TableName: this.tables.meta, Key: tokenKey(write.tokenId) } },
          failed: () => undefined,
        };
      case 'settings': {
        const expression = new Expression();
        const item = settingsToItem({ settings: write.settings, version: write.version });
        return {
          request: this.put(
            this.tables.meta,
            item,
            expression,
            versionCondition(expression, write.expectedVersion),
          ),
          failed: (stored) => ({ kind: 'settings', current: stored && settingsFromItem(stored) }),
        };
      }
      case 'escalation': {
        const expression = new Expression();
        return {
          request: this.put(
            this.tables.escalations,
            escalationToItem(write.escalation),
            expression,
            versionCondition(expression, write.expectedVersion),
          ),
          failed: (stored) => ({
            kind: 'escalation',
            id: write.escalation.id,
            current: stored && escalationFromItem(stored),
          }),
        };
      }
      case 'webhook': {
        const expression = new Expression();
        return {
          request: this.put(
            this.tables.meta,
            webhookToItem(write.webhook),
            expression,
            versionCondition(expression, write.expectedVersion),
          ),
          failed: (stored) => ({
            kind: 'webhook',
            id: write.webhook.id,
            current: stored && webhookFromItem(stored),
          }),
        };
      }
      case 'webhookDelete': {
        const expression = new Expression();
        return {
          request: {
            Delete: {
              TableName: this.tables.meta,
              Key: webhookKey(write.webhookId),
              ConditionExpression: versionCondition(expression, write.expectedVersion),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              ...expression.attributes(),
            },
          },
          failed: (stored) => ({
            kind: 'webhook',
            id: write.webhookId,
            current: stored && webhookFromItem(stored),
          }),
        };
      }
      case 'message': {
        const expression = new Expression();
        return {
          request: this.put(
            this.tables.events,
            messageToItem(write.message, write.place, write.expiresAt),
            expression,
            versionCondition(expression, null),
          ),
          failed: () => ({ kind: 'message', id: write.message.id }),
        };
      }
    }
  }

  private planEvent(event: AuditEvent, retention: EventRetention): PlannedWrite {
    const expression = new Expression();
    return {
      request: this.put(
        this.tables.events,
        eventToItem(event, retention),
        expression,
        versionCondition(expression, null),
      ),
      failed: () => ({ kind: 'event', id: event.id }),
    };
  }

  private put(tableName: string, item: StoredItem, expression: Expression, condition: string): TransactItem {
    return {
      Put: {
        TableName: tableName,
        Item: item,
        ConditionExpression: condition,
        ...expression.attributes(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  /**
   * The claim's lease and the leases-index key it sorts by, set in place without a version bump:
   * guarded by the claim token, a held status, and a written lease shorter than the new one.
   */
  private catchUpLease(write: WorkLeaseCatchUp): TransactItem {
    const expression = new Expression();
    const lease = expression.path('claim', 'leaseExpiresAt');
    const status = expression.name('status');
    return {
      Update: {
        TableName: this.tables.work,
        Key: workKey(write.workId),
        UpdateExpression: `SET ${[
          `${lease} = ${expression.value(write.leaseExpiresAt)}`,
          `${expression.path('claim', 'holderLastHeartbeatAt')} = ${expression.value(write.holderLastHeartbeatAt)}`,
          `${expression.name(WorkIndex.leases.sortKey)} = ${expression.value(leaseSortKey(write.leaseExpiresAt, write.workId))}`,
        ].join(', ')}`,
        ConditionExpression: allOf(
          `${expression.path('claim', 'token')} = ${expression.value(write.token)}`,
          `${status} IN (${HELD_STATUSES.map((held) => expression.value(held)).join(', ')})`,
          `${lease} < ${expression.value(write.leaseExpiresAt)}`,
        ),
        ...expression.attributes(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  /**
   * A blind claim-count update guarded in the same expression: adding needs free capacity
   * (`freeCapacity` = capacity - activeClaims, kept by every agent write) and no retirement;
   * removing needs enough claims to remove (and no retirement when `unlessRetiring` asks it).
   */
  private adjustClaims(write: AgentClaimsAdjust): TransactItem {
    const expression = new Expression();
    const delta = expression.value(Math.abs(write.delta));
    const active = expression.name('activeClaims');
    const free = expression.name(FREE_CAPACITY);
    const version = expression.name('version');
    const grows = write.delta >= 0;
    const sets = [
      `${active} = ${active} ${grows ? '+' : '-'} ${delta}`,
      `${free} = ${free} ${grows ? '-' : '+'} ${delta}`,
      `${version} = ${version} + ${expression.value(1)}`,
      ...(write.heartbeatAt === undefined
        ? []
        : [`${expression.name('lastHeartbeatAt')} = ${expression.value(write.heartbeatAt)}`]),
      ...Object.entries(write.stats ?? {}).map(([counter, amount]) => {
        const path = expression.path('stats', counter);
        return `${path} = if_not_exists(${path}, ${expression.value(0)}) + ${expression.value(amount ?? 0)}`;
      }),
    ];
    const condition = allOf(
      `attribute_exists(${expression.name(PK)})`,
      write.delta > 0 && `${free} >= ${delta}`,
      (write.delta > 0 || write.unlessRetiring === true) &&
        `attribute_not_exists(${expression.name('retirement')})`,
      write.delta < 0 && `${active} >= ${delta}`,
      write.silentSince !== undefined &&
        `${expression.name('lastHeartbeatAt')} <= ${expression.value(write.silentSince)}`,
    );
    return {
      Update: {
        TableName: this.tables.agents,
        Key: agentKey(write.agentId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ...expression.attributes(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }
}

/** The record a transaction item writes, as `<table> <key>`. */
const targetOf = (request: TransactItem): string => {
  const { Put, Update, Delete, ConditionCheck } = request;
  const tableName = Put?.TableName ?? Update?.TableName ?? Delete?.TableName ?? ConditionCheck?.TableName;
  const key = Put
    ? { [PK]: Put.Item?.[PK], [SK]: Put.Item?.[SK] }
    : (Update?.Key ?? Delete?.Key ?? ConditionCheck?.Key);
  return `${tableName} ${JSON.stringify(key)}`;
};

/** The first record that more than one item of a transaction writes, if any. */
const firstRepeatedTarget = (requests: readonly TransactItem[]): string | undefined => {
  const seen = new Set<string>();
  for (const request of requests) {
    const target = targetOf(request);
    if (seen.has(target)) return target;
    seen.add(target);
  }
  return undefined;
};

const reasonsOf = (error: unknown): readonly CancellationReason[] | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, CancellationReasons } = error as { name?: unknown; CancellationReasons?: unknown };
  if (name !== 'TransactionCanceledException' || !Array.isArray(CancellationReasons)) return undefined;
  return CancellationReasons as CancellationReason[];
};

/**
 * What a failed commit means: lost conditions become a `WriteConflict` naming each failed write
 * (by its index in the transaction) with what is stored now; throttling becomes `UnavailableError`.
 */
const translateCommitError = (error: unknown, planned: readonly PlannedWrite[]): Error => {
  const reasons = reasonsOf(error);
  if (reasons === undefined) return translateStoreError(error, 'TransactWriteItems');
  const failed = reasons.flatMap((reason, index) => {
    if (!CONFLICT_REASONS.has(reason.Code ?? '')) return [];
    const stored = reason.Item ? unmarshall(reason.Item) : undefined;
    const entry = planned[index]?.failed(stored);
    return entry ? [entry] : [];
  });
  if (failed.length > 0) return new WriteConflict(failed);
  if (
    reasons.some(
      (reason) => CONFLICT_REASONS.has(reason.Code ?? '') || THROTTLED_REASONS.has(reason.Code ?? ''),
    )
  ) {
    return new UnavailableError('The store is busy; retry shortly.', { cause: error });
  }
  return new StoreError(
    `DynamoDB TransactWriteItems was cancelled: ${reasons.map((reason) => reason.Code ?? 'None').join(', ')}.`,
    { cause: error },
  );
};
