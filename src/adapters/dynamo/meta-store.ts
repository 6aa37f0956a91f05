/**
 * The Meta table's small rows: issued tokens, runtime settings, team items and
 * idempotency records; and the store probe, which reads one of them.
 */

import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { decodeCursor, encodeCursor, isKeyOf, isObject } from '#core/cursor';
import { UnavailableError } from '#core/errors';
import type { InvariantStates, InvariantStore } from '#core/invariants';
import {
  type Clock,
  type IdempotencyRecord,
  type IdempotencyStore,
  LAST_USE_INTERVAL_SECONDS,
  type Page,
  type PageRequest,
  type SettingsRepository,
  type StoredSettings,
  type StoreProbe,
  type TeamRepository,
  type TokenRecord,
  type TokenRepository,
} from '#core/ports';
import { isConditionFailure, storeCall, translateStoreError } from './errors';
import { allOf, anyOf, Expression } from './expression';
import {
  idempotencyKey,
  invariantsKey,
  PK,
  settingsKey,
  TEAMS_PARTITION,
  TeamIndex,
  TOKEN_LAST_USED_AT,
  TOKENS_PARTITION,
  TokenIndex,
  teamKey,
  teamSortKey,
  teamsKey,
  tokenKey,
} from './keys';
import { collect, indexEntryKey, type QuerySpec } from './query';
import {
  EXPIRES_AT,
  idempotencyFromItem,
  reservationToItem,
  settingsFromItem,
  tokenFromItem,
} from './records';

const getItem = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> => {
  const answer = await storeCall('GetItem', () =>
    doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
  );
  return answer.Item;
};

/** Token records a process keeps at most; past it, it starts over (a bound, not an eviction policy). */
export const MAX_KEPT_TOKENS = 10_000;

/**
 * The token records a process read last, each kept for `ttlSeconds` (0 keeps nothing): every
 * request reads its token, so without it each request costs a read before any work. Only tokens
 * found are kept (a guessed id is read every time). A token deleted or stored through this
 * process is forgotten at once; other processes stop accepting a revoked token when their kept
 * record expires, so `ttlSeconds` is the longest a revocation takes to reach every container.
 */
export class TokenCache {
  private readonly kept = new Map<string, { readonly value: Promise<TokenRecord>; readonly until: number }>();

  constructor(
    private readonly ttlSeconds: number,
    /** Milliseconds of a monotonic clock (real time, not the injected clock a test may freeze). */
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** The kept record of `id`, or the one `load` reads (kept from now on when it exists). */
  async get(id: string, load: () => Promise<TokenRecord | undefined>): Promise<TokenRecord | undefined> {
    if (this.ttlSeconds <= 0) return load();
    const now = this.nowMs();
    const entry = this.kept.get(id);
    if (entry !== undefined && now < entry.until) return entry.value;
    const record = await load();
    if (record === undefined) {
      this.kept.delete(id);
      return undefined;
    }
    if (this.kept.size >= MAX_KEPT_TOKENS) this.kept.clear();
    this.kept.set(id, { value: Promise.resolve(record), until: now + this.ttlSeconds * 1000 });
    return record;
  }

  /** Forgets the kept record of `id` (this process deleted or stored it). */
  invalidate(id: string): void {
    this.kept.delete(id);
  }
}

/**
 * Issued tokens, read strongly consistent; with a {@link TokenCache} a record read is kept a few
 * seconds, which bounds how long a revocation takes to reach other processes.
 */
export class DynamoTokenRepository implements TokenRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cache: TokenCache = new TokenCache(0),
  ) {}

  /** When this process last recorded each token's use (ms since the epoch). */
  private readonly recordedUse = new Map<string, number>();

  get(id: string): Promise<TokenRecord | undefined> {
    return this.cache.get(id, async () => {
      const item = await getItem(this.doc, this.tableName, tokenKey(id));
      return item ? tokenFromItem(item) : undefined;
    });
  }

  /**
   * One conditional UpdateItem of `lastUsedAt`, skipped when this process recorded the token's
   * use within the interval; the condition skips it when another process did (a failed condition
   * is not an error), and when the token is gone (a revoked token is not brought back).
   */
  async recordUse(id: string, at: Date): Promise<void> {
    const intervalMs = LAST_USE_INTERVAL_SECONDS * 1000;
    const recorded = this.recordedUse.get(id);
    if (recorded !== undefined && at.getTime() - recorded < intervalMs) return;
    if (this.recordedUse.size >= MAX_KEPT_TOKENS) this.recordedUse.clear();
    this.recordedUse.set(id, at.getTime());
    const expression = new Expression();
    const lastUsedAt = expression.name(TOKEN_LAST_USED_AT);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tokenKey(id),
          UpdateExpression: `SET ${lastUsedAt} = ${expression.value(at.toISOString())}`,
          ConditionExpression: allOf(
            `attribute_exists(${expression.name(PK)})`,
            anyOf(
              `attribute_not_exists(${lastUsedAt})`,
              `${lastUsedAt} < ${expression.value(new Date(at.getTime() - intervalMs).toISOString())}`,
            ),
          ),
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw translateStoreError(error, 'UpdateItem');
    }
  }

  /** One Query of the sparse token index, `limit` + 1 entries (the extra one tells a next page exists). */
  async list(page: PageRequest): Promise<Page<TokenRecord>> {
    const scope = { list: 'tokens' };
    const start = decodeCursor(page.cursor, scope, isTokenPosition);
    const expression = new Expression();
    const spec: QuerySpec = {
      TableName: this.tableName,
      IndexName: TokenIndex.indexName,
      KeyConditionExpression: `${expression.name(TokenIndex.partitionKey)} = ${expression.value(TOKENS_PARTITION)}`,
      ...expression.attributes(),
    };
    const { items: entries } = await collect(this.doc, spec, page.limit + 1, { startKey: start?.k });
    const kept = entries.slice(0, page.limit);
    const last = kept.at(-1);
    const items = kept.map(tokenFromItem);
    return entries.length > page.limit && last !== undefined
      ? { items, nextCursor: encodeCursor(scope, { k: indexEntryKey(last, TokenIndex) }) }
      : { items };
  }
}

/**
 * The settings a process read last, kept for `ttlSeconds` (0 keeps nothing): every use case call
 * reads the settings, so without it one item takes a read per request of the whole fleet.
 * Concurrent reads while none is kept share one store read. A settings write through this process
 * forgets the kept value at once; other processes see it when their kept value expires.
 */
export class SettingsCache {
  private kept: { readonly value: Promise<StoredSettings | undefined>; readonly until: number } | undefined;

  constructor(
    private readonly ttlSeconds: number,
    /** Milliseconds of a monotonic clock (real time, not the injected clock a test may freeze). */
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** The kept settings, or those `load` reads (kept from now on when it succeeds). */
  get(load: () => Promise<StoredSettings | undefined>): Promise<StoredSettings | undefined> {
    if (this.ttlSeconds <= 0) return load();
    const now = this.nowMs();
    if (this.kept !== undefined && now < this.kept.until) return this.kept.value;
    const value = load();
    const entry = { value, until: now + this.ttlSeconds * 1000 };
    this.kept = entry;
    // A failed read is not kept: the next call reads again.
    value.catch(() => {
      if (this.kept === entry) this.kept = undefined;
    });
    return value;
  }

  /** Forgets the kept settings (this process wrote new ones, or tried to). */
  invalidate(): void {
    this.kept = undefined;
  }
}

/** Where a token list stopped: the last index entry returned. */
const isTokenPosition = (value: unknown): value is { k: Record<string, string> } =>
  isObject(value) &&
  isKeyOf(value.k, [PK, TokenIndex.partitionKey, TokenIndex.sortKey]) &&
  value.k[TokenIndex.partitionKey] === TOKENS_PARTITION;

/** The persisted runtime settings, kept for a few seconds per process by `cache` when given. */
export class DynamoSettingsRepository implements SettingsRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cache: SettingsCache = new SettingsCache(0),
  ) {}

  get(): Promise<StoredSettings | undefined> {
    return this.cache.get(async () => {
      const item = await getItem(this.doc, this.tableName, settingsKey());
      return item ? settingsFromItem(item) : undefined;
    });
  }
}

const TEAM_NAMES = 'names';
const TEAM_LIST = { list: 'teams' };
const isTeamPosition = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Team names a process remembers having written at most; past it, it starts over. */
export const MAX_KNOWN_TEAMS = 10_000;

/**
 * Teams, one Meta item each (`TEAM#<name>`), listed in name order from the sparse `teams` index.
 * `ensure` writes a team's item only when it is new, and remembers the teams it saw, so a busy
 * team costs no write per creation. Earlier versions kept every name in one item (`TEAMS`); it
 * is no longer added to: each listing page reads it once and merges its names, so an existing
 * deployment keeps its teams, and the sweeper moves its names to team items a bounded number a
 * pass until it is gone.
 */
export class DynamoTeamRepository implements TeamRepository {
  private readonly known = new Set<string>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One Query of `limit` + 1 index entries after the cursor's team, and one read of the old item. */
  async list(page: PageRequest): Promise<Page<string>> {
    const after = decodeCursor(page.cursor, TEAM_LIST, isTeamPosition);
    const expression = new Expression();
    const partition = `${expression.name(TeamIndex.partitionKey)} = ${expression.value(TEAMS_PARTITION)}`;
    const range =
      after === undefined
        ? ''
        : ` AND ${expression.name(TeamIndex.sortKey)} > ${expression.value(teamSortKey(after))}`;
    const spec: QuerySpec = {
      TableName: this.tableName,
      IndexName: TeamIndex.indexName,
      KeyConditionExpression: `${partition}${range}`,
      ...expression.attributes(),
    };
    const [{ items: entries }, legacy] = await Promise.all([
      collect(this.doc, spec, page.limit + 1),
      this.legacyNames(),
    ]);
    // Every name the index holds below its last returned entry was returned, so the first
    // `limit` names of both sources together are the page.
    const names = [
      ...new Set([
        ...entries.map((entry) => String(entry[TeamIndex.sortKey])),
        ...legacy.filter((team) => after === undefined || team > after),
      ]),
    ].sort();
    const items = names.slice(0, page.limit);
    const last = items.at(-1);
    return names.length > page.limit && last !== undefined
      ? { items, nextCursor: encodeCursor(TEAM_LIST, last) }
      : { items };
  }

  async ensure(team: string): Promise<void> {
    if (this.known.has(team)) return;
    await this.write(team);
    if (this.known.size >= MAX_KNOWN_TEAMS) this.known.clear();
    this.known.add(team);
  }

  /**
   * One read of the old item, a conditional put per name moved, then one update that takes the
   * moved names out of it (and a delete of the item once it holds none). Running it twice, or in
   * two processes at once, moves nothing twice: the puts find the items there.
   */
  async moveLegacy(limit: number): Promise<number> {
    const moving = (await this.legacyNames()).sort().slice(0, Math.max(0, limit));
    if (moving.length === 0) return 0;
    for (const team of moving) await this.write(team);
    const expression = new Expression();
    const answer = await storeCall('UpdateItem', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: teamsKey(),
          UpdateExpression: `DELETE ${expression.name(TEAM_NAMES)} ${expression.value(new Set(moving))}`,
          ...expression.attributes(),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (answer.Attributes?.[TEAM_NAMES] === undefined) await this.dropLegacyItem();
    return moving.length;
  }

  /** Writes a team's item unless it is there. */
  private async write(team: string): Promise<void> {
    const expression = new Expression();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...teamKey(team),
            [TeamIndex.partitionKey]: TEAMS_PARTITION,
            [TeamIndex.sortKey]: teamSortKey(team),
          },
          ConditionExpression: `attribute_not_exists(${expression.name(PK)})`,
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw translateStoreError(error, 'PutItem');
    }
  }

  /** Deletes the old item once it holds no name (a name an old process added meanwhile keeps it). */
  private async dropLegacyItem(): Promise<void> {
    const expression = new Expression();
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: teamsKey(),
          ConditionExpression: `attribute_not_exists(${expression.name(TEAM_NAMES)})`,
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw translateStoreError(error, 'DeleteItem');
    }
  }

  /** The names of the item earlier versions kept (none once it is gone). */
  private async legacyNames(): Promise<string[]> {
    const item = await getItem(this.doc, this.tableName, teamsKey());
    const names = item?.[TEAM_NAMES];
    return names instanceof Set ? [...names].map(String) : [];
  }
}

/** Answers whether the store is reachable with one cheap strongly consistent read. */
export class DynamoStoreProbe implements StoreProbe {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async ping(): Promise<void> {
    try {
      await this.doc.send(new GetCommand({ TableName: this.tableName, Key: settingsKey() }));
    } catch (error) {
      throw new UnavailableError('The store does not answer.', { cause: error });
    }
  }
}

const IN_PROGRESS: IdempotencyRecord['state'] = 'in_progress';
const DONE: IdempotencyRecord['state'] = 'done';

/** The stored item a failed conditional write returned (`ALL_OLD`), unmarshalled. */
const storedItemOf = (error: unknown): Record<string, unknown> | undefined => {
  const item = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
  return item ? unmarshall(item) : undefined;
};

/**
 * Idempotency records. A reservation is a conditional put that wins only when no live record
 * holds the key; one that expired but still waits for TTL deletion counts as free.
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async reserve(
    key: string,
    fingerprint: string,
    expiresAtEpochSeconds: number,
  ): Promise<IdempotencyRecord | undefined> {
    const expression = new Expression();
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: reservationToItem(key, fingerprint, expiresAtEpochSeconds),
          ConditionExpression: anyOf(
            `attribute_not_exists(${expression.name(PK)})`,
            `${expression.name(EXPIRES_AT)} < ${expression.value(nowSeconds)}`,
          ),
          ...expression.attributes(),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (error) {
      const stored = isConditionFailure(error) ? storedItemOf(error) : undefined;
      if (stored) return idempotencyFromItem(stored);
      throw translateStoreError(error, 'PutItem');
    }
  }

  async complete(
    key: string,
    statusCode: number,
    body: string,
    expiresAtEpochSeconds: number,
  ): Promise<void> {
    const expression = new Expression();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: idempotencyKey(key),
          UpdateExpression: `SET ${expression.name('state')} = ${expression.value(DONE)}, ${expression.name('statusCode')} = ${expression.value(statusCode)}, ${expression.name('body')} = ${expression.value(body)}, ${expression.name(EXPIRES_AT)} = ${expression.value(expiresAtEpochSeconds)}`,
          ConditionExpression: `attribute_exists(${expression.name(PK)})`,
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      // The reservation is gone (released or expired): there is nothing left to complete.
      if (isConditionFailure(error)) return;
      throw translateStoreError(error, 'UpdateItem');
    }
  }

  async release(key: string): Promise<void> {
    const expression = new Expression();
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: idempotencyKey(key),
          ConditionExpression: `${expression.name('state')} = ${expression.value(IN_PROGRESS)}`,
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      // Already gone, or completed meanwhile: a completed answer stays replayable.
      if (isConditionFailure(error)) return;
      throw translateStoreError(error, 'DeleteItem');
    }
  }
}

/**
 * The invariant checks' states, one Meta item kept as a JSON string (a few KB: five checks with
 * at most 20 examples each). The last writer wins: checks overlapping a repair only lose a
 * page of results, which the next pass finds again.
 */
export class DynamoInvariantStore implements InvariantStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<InvariantStates | undefined> {
    const item = await getItem(this.doc, this.tableName, invariantsKey());
    return typeof item?.states === 'string' ? (JSON.parse(item.states) as InvariantStates) : undefined;
  }

  async put(states: InvariantStates): Promise<void> {
    await storeCall('PutItem', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...invariantsKey(), states: JSON.stringify(states) },
        }),
      ),
    );
  }
}
