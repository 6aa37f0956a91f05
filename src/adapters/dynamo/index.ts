/**
 * The DynamoDB adapter: every persistence port of `src/core/ports.ts`, built from one client.
 * The composition root (`functions/shared/wiring.ts`, `local/`) calls {@link createDynamoPorts}
 * once per process.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, Ports } from '#core/ports';
import { type ClientOptions, clientConfig } from '../client-config';
import { DynamoAgentRepository } from './agent-repository';
import { DynamoGateStore } from './ai-gate-store';
import { DynamoAuditDays } from './audit-days';
import { DynamoConnectionStore } from './connection-store';
import { DynamoEscalationRepository } from './escalation-repository';
import { DynamoAuditLog } from './event-log';
import { PREVIOUS_READY_SHARDS } from './keys';
import { DynamoMessageStore } from './message-store';
import {
  DynamoIdempotencyStore,
  DynamoInvariantStore,
  DynamoSettingsRepository,
  DynamoStoreProbe,
  DynamoTeamRepository,
  DynamoTokenRepository,
  SettingsCache,
  TokenCache,
} from './meta-store';
import { DynamoMetricsStore } from './metrics-store';
import { DEFAULT_AUDIT_RETENTION_DAYS } from './records';
import {
  agentsTable,
  connectionsTable,
  escalationsTable,
  eventsTable,
  metaTable,
  tableName,
  workTable,
} from './tables';
import { DynamoUnitOfWork } from './unit-of-work';
import { RecentWork } from './work-cache';
import { DynamoWorkRepository } from './work-repository';

export { deleteTables, ensureTables } from './create-tables';
export { StoreError } from './errors';
export { eventFromItem, eventFromStreamImage, isEventImage } from './records';

/** The persistence ports the DynamoDB adapter provides. */
export type DynamoPorts = Pick<
  Ports,
  | 'work'
  | 'agents'
  | 'teams'
  | 'audit'
  | 'tokens'
  | 'settings'
  | 'uow'
  | 'probe'
  | 'idempotency'
  | 'escalations'
  | 'messages'
>;

/** Options of {@link createDynamoPorts}. */
export interface DynamoPortsOptions {
  /** A DynamoDB client (see {@link createDynamoClient}); the adapter wraps it in a document client. */
  readonly client: DynamoDBClient;
  /** Deployment prefix; table `X` is `<tablePrefix>-X`. */
  readonly tablePrefix: string;
  /**
   * Partitions per team of the ready index. Items are placed by it when written, so every
   * process of a deployment must use the same value.
   */
  readonly readyShards: number;
  /**
   * The ready-shard count items of this deployment may still sit under from an earlier
   * `readyShards` (`COORD_PREVIOUS_READY_SHARDS`): claims also read those shards.
   * @default PREVIOUS_READY_SHARDS (4)
   */
  readonly previousReadyShards?: number;
  /**
   * Time source for what the store itself decides by time: the newest day an unbounded audit
   * read starts from, and whether an idempotency record has expired.
   * @default the system clock
   */
  readonly clock?: Clock;
  /**
   * Days an audit event is kept, counted from when the service recorded it (not from the event's
   * own time, which an import may set years back).
   * @default 400
   */
  readonly auditRetentionDays?: number;
  /**
   * Seconds a process keeps the runtime settings it read (`COORD_SETTINGS_CACHE_SECONDS`); a
   * `PUT /v1/config` takes effect in other processes within that time. 0 reads them every time.
   * @default 0
   */
  readonly settingsCacheSeconds?: number;
  /** Seconds a process keeps a token record it read. @default 0: every request reads its token */
  readonly tokenCacheSeconds?: number;
  /**
   * Seconds a process keeps the work items it wrote or read, for holder writes to decide from
   * before a version-conditioned write checks them (`WorkRepository.recent`).
   * @default 0: every change reads its item first
   */
  readonly workCacheSeconds?: number;
}

const systemClock: Clock = { now: () => new Date() };

const documentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

/** Every persistence port, on the tables named by `tablePrefix`. */
export const createDynamoPorts = (options: DynamoPortsOptions): DynamoPorts => {
  const { client, tablePrefix, clock = systemClock } = options;
  const readyShards = Math.max(1, Math.trunc(options.readyShards));
  const doc = documentClient(client);
  const tables = {
    work: tableName(tablePrefix, workTable),
    agents: tableName(tablePrefix, agentsTable),
    events: tableName(tablePrefix, eventsTable),
    meta: tableName(tablePrefix, metaTable),
    escalations: tableName(tablePrefix, escalationsTable),
  };
  const auditDays = new DynamoAuditDays(doc, tables.meta, clock);
  const settingsCache = new SettingsCache(options.settingsCacheSeconds ?? 0);
  const tokenCache = new TokenCache(options.tokenCacheSeconds ?? 0);
  const recentWork = new RecentWork(options.workCacheSeconds ?? 0);
  const retentionDays = options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
  return {
    work: new DynamoWorkRepository(
      doc,
      tables.work,
      readyShards,
      Math.max(1, Math.trunc(options.previousReadyShards ?? PREVIOUS_READY_SHARDS)),
      recentWork,
    ),
    agents: new DynamoAgentRepository(doc, tables.agents),
    teams: new DynamoTeamRepository(doc, tables.meta),
    audit: new DynamoAuditLog(doc, tables.events, auditDays),
    tokens: new DynamoTokenRepository(doc, tables.meta, tokenCache),
    settings: new DynamoSettingsRepository(doc, tables.meta, settingsCache),
    uow: new DynamoUnitOfWork(
      doc,
      tables,
      readyShards,
      { days: auditDays, clock, retentionDays },
      settingsCache,
      tokenCache,
      recentWork,
    ),
    probe: new DynamoStoreProbe(doc, tables.meta),
    idempotency: new DynamoIdempotencyStore(doc, tables.meta, clock),
    escalations: new DynamoEscalationRepository(doc, tables.escalations),
    messages: new DynamoMessageStore(doc, tables.events),
  };
};

/** The Connections table's store (WebSocket connections and their subscriptions). */
export const createConnectionStore = (client: DynamoDBClient, tablePrefix: string): DynamoConnectionStore =>
  new DynamoConnectionStore(documentClient(client), tableName(tablePrefix, connectionsTable));

/** The metrics rollups (rows of the Meta table). */
export const createMetricsStore = (client: DynamoDBClient, tablePrefix: string): DynamoMetricsStore =>
  new DynamoMetricsStore(documentClient(client), tableName(tablePrefix, metaTable));

/** The invariant checks' states, a row of the Meta table named by `tablePrefix`. */
export const createInvariantStore = (client: DynamoDBClient, tablePrefix: string): DynamoInvariantStore =>
  new DynamoInvariantStore(documentClient(client), tableName(tablePrefix, metaTable));

/** The AI guard's shared state, in the Meta table named by `tablePrefix`. */
export const createGateStore = (
  options: Pick<DynamoPortsOptions, 'client' | 'tablePrefix'>,
): DynamoGateStore =>
  new DynamoGateStore(documentClient(options.client), tableName(options.tablePrefix, metaTable));

/** Options of {@link createDynamoClient}. */
export type DynamoClientOptions = ClientOptions;

/**
 * A DynamoDB client with keep-alive connections enough for many concurrent calls (a claim reads
 * every ready shard at once) and bounded connect and request times.
 */
export const createDynamoClient = (options: DynamoClientOptions): DynamoDBClient =>
  new DynamoDBClient(clientConfig(options, 256));
