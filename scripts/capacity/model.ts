/**
 * The capacity model: a load profile in, the load on every partition of every table and index
 * out, and the hottest partition of each against DynamoDB's per-partition limits.
 */
import {
  ALL_AGENTS_PARTITION,
  LEASE_READ_BUCKETS,
  leasePartition,
  PK,
  REVIEW_READ_BUCKETS,
  reviewPartition,
  settingsKey,
  statusPartitions,
  WorkIndex,
} from '#adapters/dynamo/keys';
import { rollupKey } from '#adapters/dynamo/metrics-store';
import { agentsTable, connectionsTable, metaTable, TABLES, workTable } from '#adapters/dynamo/tables';
import { heartbeatsQueue } from '#adapters/sqs/queues';
import { DEFAULT_READY_SHARDS, DEFAULT_SETTINGS_CACHE_SECONDS } from '#app/config';
import { observerDelivery } from '#app/live-messages';
import { DEFAULT_SWEEP_LIMITS } from '#app/use-cases/sweep';
import { channelNames } from '#core/realtime/messages';
import { WorkStatus } from '#core/work/status';
import { CONCURRENCY_HEADROOM, functionRates, type ModelFunction } from './cost';
import { type Access, type CycleAccesses, runCycle } from './cycle';
import { readUnits } from './item-size';
import type { LoadProfile } from './profiles';
import { BROADCAST_CALLS } from './store-calls';

/** DynamoDB serves at most this many write units per second per partition (tables and indexes alike). */
export const PARTITION_WRITE_LIMIT = 1000;
/** DynamoDB serves at most this many read units per second per partition. */
export const PARTITION_READ_LIMIT = 3000;
/**
 * An on-demand table, and each of its global secondary indexes, serves at most this many request
 * units per second each way by default (the "table-level throughput" service quota, raised on request).
 */
export const ON_DEMAND_TABLE_QUOTA = 40_000;
/** A partition above this share of a limit is flagged. */
export const WARN_SHARE = 0.5;
/** A partition above this share of a limit would throttle under bursts: the capacity test fails on it. */
export const FAIL_SHARE = 0.8;

/**
 * Claim cycles the model runs through the code per profile, spread over teams by their share:
 * enough for hashed buckets to fill evenly, few enough to run in about a second.
 */
export const SAMPLE_CYCLES = 400;

/**
 * Events a broadcaster invocation gets on average. Its stream source takes up to 100 records
 * (`functions/shared/streams.ts`) with no batching window, so at load a batch holds what one stream
 * shard gathered while the previous invocation ran: about 10, taken low on purpose (fewer events
 * per batch means more subscriber reads).
 */
export const BROADCAST_EVENTS_PER_BATCH = 10;
/** Events a metrics rollup invocation gets on average: a 1 s window fills its batch of 100 at load. */
export const ROLLUP_EVENTS_PER_BATCH = 100;

/** The load on one partition, per second. */
export interface PartitionLoad {
  readonly table: string;
  readonly index?: string;
  readonly partition: string;
  readonly writeUnitsPerSec: number;
  readonly readUnitsPerSec: number;
  /** The larger of the write and read shares of the per-partition limits. */
  readonly share: number;
}

/** The hottest partition of one table or index. */
export interface HotPartition extends PartitionLoad {
  /** The key with its variable parts named (`READY#<team>#<shard>`). */
  readonly pattern: string;
  /** How many partitions of this table or index the model saw loaded. */
  readonly partitions: number;
}

/** Request rates of the profile, per second, by kind (the cost model prices them). */
export interface RequestRates {
  readonly httpRequests: number;
  readonly heartbeatRequests: number;
  readonly heartbeatBatches: number;
  readonly eventsPerSec: number;
  readonly broadcastBatches: number;
  readonly rollupBatches: number;
  readonly webSocketMessages: number;
  readonly sweepsPerSec: number;
  readonly byRoute: Readonly<Record<'create' | 'claim' | 'progress' | 'complete' | 'heartbeat', number>>;
}

/** What the model says about a profile. */
export interface CapacityReport {
  readonly profile: LoadProfile;
  readonly readyShards: number;
  /** The hottest partition of every table and index, in table order. */
  readonly hottest: readonly HotPartition[];
  /** Every partition above {@link WARN_SHARE} of a limit, hottest first. */
  readonly flagged: readonly HotPartition[];
  /** Write and read request units billed per second, all tables. */
  readonly billedWritesPerSec: number;
  readonly billedReadsPerSec: number;
  /** Request units billed per second by table and by index, in {@link SURFACES} order. */
  readonly billedBySurface: readonly {
    readonly surface: string;
    readonly writes: number;
    readonly reads: number;
  }[];
  readonly rates: RequestRates;
  /** Settings reads per second: asked for by calls, and reaching the store past the per-process cache. */
  readonly settingsReads: { readonly callsPerSec: number; readonly storeReadsPerSec: number };
}

/** Every table and index, as `table` or `table.index`. */
export const SURFACES: readonly string[] = TABLES.flatMap((table) => [
  table.id,
  ...table.indexes.map((index) => `${table.id}.${index.indexName}`),
]);

const surfaceOf = (access: Pick<Access, 'table' | 'index'>): string =>
  access.index === undefined ? access.table : `${access.table}.${access.index}`;

/** The key with its variable parts named, for reading. */
export const keyPattern = (partition: string): string =>
  partition
    .replace(/wi_[0-9A-Za-z]+/g, '<id>')
    .replace(/agent-\d+/g, '<agent>')
    .replace(/producer-\d+/g, '<producer>')
    .replace(/team-\d+/g, '<team>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?/g, '<time>')
    .replace(/\d{4}-\d{2}-\d{2}/g, '<day>')
    .replace(/^(TOKEN|IDEMPOTENCY)#.*/, '$1#<id>')
    .replace(/^(READY#<team>#|LEASE#|REVIEW#|DAY#<day>#|STATUS#[a-z_]+#)\d+$/, '$1<n>');

const pad = (value: number, digits: number): string => String(value).padStart(digits, '0');

/** One partition's accumulated units per second: by access (`w`, `r`) and by entity writes/reads. */
interface Tally {
  table: string;
  index?: string;
  partition: string;
  w: number;
  r: number;
  entityW: number;
  entityR: number;
}

/** Accumulates accesses at rates into per-partition loads. */
class LoadSheet {
  private readonly loads = new Map<string, Tally>();
  private readonly sampleEntities = new Map<string, { access: Access; w: number; r: number }>();
  billedWrites = 0;
  billedReads = 0;
  /** Request units per second by table and by index (on-demand quotas apply to each). */
  readonly bySurface = new Map<string, { writes: number; reads: number }>();

  /**
   * Adds accesses of one sampled operation: `perSec` is the rate the sample stands for (all the
   * agents it represents), billed and loaded on shared partitions; a partition of one entity
   * (an agent, an item, a producer) gets that entity's own rate instead, from `entityRate`.
   */
  add(
    accesses: readonly Access[],
    perSec: number,
    entityRate: (partition: string) => number | undefined = () => undefined,
  ): void {
    if (perSec <= 0) return;
    const entityLoads = this.sampleEntities;
    for (const access of accesses) {
      this.billedWrites += access.billedWrites * perSec;
      this.billedReads += access.billedReads * perSec;
      const surface = surfaceOf(access);
      const total = this.bySurface.get(surface) ?? { writes: 0, reads: 0 };
      total.writes += access.billedWrites * perSec;
      total.reads += access.billedReads * perSec;
      this.bySurface.set(surface, total);
      const key = `${surfaceOf(access)} ${access.partition}`;
      const own = entityRate(access.partition);
      if (own !== undefined) {
        const load = entityLoads.get(key) ?? { access, w: 0, r: 0 };
        load.w += access.writeUnits * own;
        load.r += access.readUnits * own;
        entityLoads.set(key, load);
        continue;
      }
      const load = this.loadOf(key, access);
      load.w += access.writeUnits * perSec;
      load.r += access.readUnits * perSec;
    }
  }

  /**
   * Ends one sample. An entity's partition is loaded by that entity alone, so samples touching
   * the same entity (a producer) do not add up: the busiest sample of it counts.
   */
  endSample(): void {
    for (const [key, { access, w, r }] of this.sampleEntities) {
      const load = this.loadOf(key, access);
      load.entityW = Math.max(load.entityW, w);
      load.entityR = Math.max(load.entityR, r);
    }
    this.sampleEntities.clear();
  }

  private loadOf(key: string, access: Access) {
    const existing = this.loads.get(key);
    if (existing) return existing;
    const load = {
      table: access.table,
      ...(access.index === undefined ? {} : { index: access.index }),
      partition: access.partition,
      w: 0,
      r: 0,
      entityW: 0,
      entityR: 0,
    };
    this.loads.set(key, load);
    return load;
  }

  /** Every partition above `share` of a limit, hottest first. */
  above(share: number): HotPartition[] {
    return [...this.loads.values()]
      .map((load) => this.partitionLoad(load))
      .filter((load) => load.share > share)
      .sort((a, b) => b.share - a.share)
      .map((load) => ({ ...load, pattern: keyPattern(load.partition), partitions: 1 }));
  }

  private partitionLoad(load: Tally): PartitionLoad {
    const writes = load.w + load.entityW;
    const reads = load.r + load.entityR;
    return {
      table: load.table,
      ...(load.index === undefined ? {} : { index: load.index }),
      partition: load.partition,
      writeUnitsPerSec: writes,
      readUnitsPerSec: reads,
      share: Math.max(writes / PARTITION_WRITE_LIMIT, reads / PARTITION_READ_LIMIT),
    };
  }

  hottest(): HotPartition[] {
    const bySurface = new Map<string, { hot: PartitionLoad; count: number }>();
    for (const load of this.loads.values()) {
      const partition = this.partitionLoad(load);
      const surface = surfaceOf(partition);
      const seen = bySurface.get(surface);
      if (!seen) bySurface.set(surface, { hot: partition, count: 1 });
      else
        bySurface.set(surface, {
          hot: partition.share > seen.hot.share ? partition : seen.hot,
          count: seen.count + 1,
        });
    }
    return SURFACES.flatMap((surface) => {
      const seen = bySurface.get(surface);
      return seen ? [{ ...seen.hot, pattern: keyPattern(seen.hot.partition), partitions: seen.count }] : [];
    });
  }
}

/** Teams with their share of agents and cycles: the busiest first, the rest alike. */
const teamShares = (profile: LoadProfile): { team: string; share: number; agents: number }[] => {
  const hottest = Math.min(1, profile.teamSkew / profile.teams);
  const rest = profile.teams > 1 ? (1 - hottest) / (profile.teams - 1) : 0;
  let assigned = 0;
  return Array.from({ length: profile.teams }, (_, index) => {
    const share = index === 0 ? hottest : rest;
    const agents =
      index === profile.teams - 1
        ? profile.agents - assigned
        : Math.max(1, Math.round(profile.agents * share));
    assigned += agents;
    return { team: `team-${pad(index, 3)}`, share, agents };
  });
};

/**
 * The sweeper's reads per pass (src/app/use-cases/sweep.ts with DEFAULT_SWEEP_LIMITS): the
 * settings, every lease and review bucket, one page of agents from the `all` index with their
 * items, the blocked and escalated status ranges; a quiet pass writes nothing.
 */
const sweepAccesses = (agentBytes: number): Access[] => {
  const read = (
    table: string,
    partition: string,
    bytes: number,
    consistent: boolean,
    index?: string,
  ): Access => ({
    table,
    ...(index === undefined ? {} : { index }),
    partition,
    writeUnits: 0,
    readUnits: readUnits(bytes, consistent),
    billedWrites: 0,
    billedReads: readUnits(bytes, consistent),
  });
  const agentsPage = DEFAULT_SWEEP_LIMITS.agents;
  return [
    read(metaTable.id, String(settingsKey()[PK]), 300, true),
    ...Array.from({ length: LEASE_READ_BUCKETS }, (_, bucket) =>
      read(workTable.id, leasePartition(bucket), 1, false, WorkIndex.leases.indexName),
    ),
    ...Array.from({ length: REVIEW_READ_BUCKETS }, (_, bucket) =>
      read(workTable.id, reviewPartition(bucket), 1, false, 'review'),
    ),
    read(agentsTable.id, ALL_AGENTS_PARTITION, agentsPage * 60, false, 'all'),
    ...Array.from({ length: agentsPage }, (_, index) =>
      read(agentsTable.id, `AGENT#agent-${pad(index, 5)}`, agentBytes, true),
    ),
    ...[WorkStatus.Blocked, WorkStatus.Escalated].flatMap((status) =>
      statusPartitions(status).map((partition) => read(workTable.id, partition, 1, false, 'byStatus')),
    ),
  ];
};

/**
 * What each event asks of the broadcaster: the channels it goes to (`observerDelivery`), one
 * subscriber Query of each, and its WebSocket messages (dashboards listen on `all`). The Queries
 * are per batch, not per event: see {@link batchQueryShare}.
 */
const broadcastAccesses = (events: CycleAccesses['events'], viewers: number) =>
  events.map((event) => {
    const channels = channelNames(observerDelivery(event)?.channels ?? []);
    const entryBytes = 120;
    const accesses: Access[] = channels.flatMap((channel) => {
      const entries = channel === 'all' ? viewers : 0;
      const units = readUnits(entries * entryBytes, false);
      return Array.from({ length: BROADCAST_CALLS.subscriberQueriesPerChannel }, () => ({
        table: connectionsTable.id,
        index: 'byChannel',
        partition: channel,
        writeUnits: 0,
        readUnits: units,
        billedWrites: 0,
        billedReads: units,
      }));
    });
    return { channels, accesses, messages: channels.includes('all') ? viewers : 0 };
  });

/**
 * The share of one subscriber Query each event of a channel costs. The broadcaster reads each
 * distinct channel of a stream batch once (`subscriberLookup`): a channel that a share `p` of the
 * events go to is in `1 - (1 - p)^B` of the batches of `B` events, so its `p * B` events per batch
 * share that many Queries. `all` (every event) costs one Query per batch; a rare channel one per event.
 */
export const batchQueryShare = (eventShare: number, eventsPerBatch: number): number => {
  const share = Math.min(1, Math.max(0, eventShare));
  if (share === 0 || eventsPerBatch <= 1) return 1;
  return (1 - (1 - share) ** eventsPerBatch) / (share * eventsPerBatch);
};

/** Accesses with their read units scaled by `share` (a Query shared by several events). */
const sharedReads = (accesses: readonly Access[], share: (access: Access) => number): Access[] =>
  accesses.map((access) => ({
    ...access,
    readUnits: access.readUnits * share(access),
    billedReads: access.billedReads * share(access),
  }));

/** One strongly consistent read of the settings item (~300 bytes: 1 RCU). */
const SETTINGS_READ: Access = {
  table: metaTable.id,
  partition: String(settingsKey()[PK]),
  writeUnits: 0,
  readUnits: 1,
  billedWrites: 0,
  billedReads: 1,
};

const isSettingsRead = (access: Access): boolean =>
  access.table === SETTINGS_READ.table &&
  access.partition === SETTINGS_READ.partition &&
  access.readUnits > 0;

/** Functions that read the settings (`currentSettings`) and keep them per process. */
const SETTINGS_READERS: readonly ModelFunction[] = [
  'http/create-work',
  'http/claim-next',
  'http/report-progress',
  'http/complete-work',
  'http/heartbeat',
  'queues/heartbeats',
  'scheduled/sweep',
];

/**
 * The settings reads of a run. Calls ask for the settings at their own rate, but a process keeps
 * what it read for `DEFAULT_SETTINGS_CACHE_SECONDS` (`SettingsCache`), so the store sees at most
 * one read per warm process and period: the warm processes of a function are taken as its
 * suggested reserved concurrency (average concurrency x headroom), at least one while it runs.
 */
class SettingsReads {
  callsPerSec = 0;

  /** The accesses without their settings reads, counted here instead. */
  calls(accesses: readonly Access[], rate: number): Access[] {
    this.callsPerSec += accesses.filter(isSettingsRead).length * rate;
    return accesses.filter((access) => !isSettingsRead(access));
  }

  storeReadsPerSec(rates: RequestRates): number {
    if (DEFAULT_SETTINGS_CACHE_SECONDS <= 0) return this.callsPerSec;
    const warm = functionRates(rates)
      .filter((each) => SETTINGS_READERS.includes(each.fn) && each.invocationsPerSec > 0)
      .reduce((sum, each) => sum + Math.max(1, Math.ceil(each.concurrency * CONCURRENCY_HEADROOM)), 0);
    return Math.min(this.callsPerSec, warm / DEFAULT_SETTINGS_CACHE_SECONDS);
  }
}

/** Runs the model on a profile. */
export const runModel = (profile: LoadProfile, readyShards = DEFAULT_READY_SHARDS): CapacityReport => {
  const sheet = new LoadSheet();
  const rollupAt = '2026-03-02T09:00:00.000Z';
  let eventsPerSec = 0;
  let messagesPerSec = 0;
  let agentNumber = 0;
  let cycleNumber = 0;
  const producerRate = profile.claimCyclesPerSec / profile.producers;
  const settings = new SettingsReads();
  // The broadcaster's reads depend on every channel's share of all events: added after the run.
  const channelEventsPerSec = new Map<string, number>();
  const broadcasts: {
    events: ReturnType<typeof broadcastAccesses>;
    rate: number;
    entityRate: (partition: string) => number | undefined;
  }[] = [];
  for (const { team, share, agents } of teamShares(profile)) {
    const teamCyclesPerSec = profile.claimCyclesPerSec * share;
    // A sample of the team's agents, one cycle each, stands for all of them: shared partitions
    // (team, global, hashed buckets) get the sample's share of the team's rate; partitions of
    // one agent, item or producer get that entity's own rate.
    const samples = Math.max(1, Math.min(agents, Math.round(SAMPLE_CYCLES * share)));
    const sampleRate = teamCyclesPerSec / samples;
    const agentRate = teamCyclesPerSec / agents;
    const heartbeatRate = agents / samples / profile.heartbeatIntervalSec;
    for (let index = 0; index < samples; index += 1) {
      agentNumber += 1;
      cycleNumber += 1;
      const agentId = `agent-${pad(agentNumber, 5)}`;
      const itemId = `wi_01JCAP${pad(cycleNumber, 20)}`;
      const producerId = `producer-${pad(cycleNumber % profile.producers, 4)}`;
      const cycle = runCycle({
        team,
        agentId,
        itemId,
        producerId,
        readyShards,
        readyItemsPerShard: (profile.backlog * share) / readyShards,
        progressReports: profile.progressReportsPerCycle,
        itemTextBytes: profile.itemTextBytes,
        teams: profile.teams,
        idempotencyKeys: profile.idempotencyKeys,
      });
      const ownRate = (perAgent: number) => (partition: string) => {
        if (partition.includes(agentId) || partition.includes(itemId)) return perAgent;
        return partition.includes(producerId) ? producerRate : undefined;
      };
      sheet.add(settings.calls(cycle.create, sampleRate), sampleRate, ownRate(agentRate));
      sheet.add(settings.calls(cycle.claim, sampleRate), sampleRate, ownRate(agentRate));
      for (const report of cycle.progress) {
        sheet.add(settings.calls(report, sampleRate), sampleRate, ownRate(agentRate));
      }
      sheet.add(settings.calls(cycle.complete, sampleRate), sampleRate, ownRate(agentRate));
      sheet.add(
        settings.calls(cycle.heartbeat, heartbeatRate),
        heartbeatRate,
        ownRate(1 / profile.heartbeatIntervalSec),
      );
      const events = broadcastAccesses(cycle.events, profile.dashboardViewers);
      for (const { channels, messages } of events) {
        for (const channel of channels) {
          channelEventsPerSec.set(channel, (channelEventsPerSec.get(channel) ?? 0) + sampleRate);
        }
        messagesPerSec += messages * sampleRate;
      }
      broadcasts.push({ events, rate: sampleRate, entityRate: ownRate(agentRate) });
      sheet.endSample();
      eventsPerSec += cycle.events.length * sampleRate;
    }
  }
  for (const { events, rate, entityRate } of broadcasts) {
    for (const { accesses } of events) {
      const share = (access: Access) =>
        batchQueryShare(
          (channelEventsPerSec.get(access.partition) ?? 0) / eventsPerSec,
          BROADCAST_EVENTS_PER_BATCH,
        );
      sheet.add(sharedReads(accesses, share), rate, entityRate);
    }
    sheet.endSample();
  }
  const heartbeatsPerSec = profile.agents / profile.heartbeatIntervalSec;
  const heartbeatBatches = Math.max(
    heartbeatsPerSec / heartbeatsQueue.batchSize,
    Math.min(1, heartbeatsPerSec),
  );
  // The consumer reads the settings once per batch (STORE_CALLS.heartbeatBatch).
  settings.calls([SETTINGS_READ], heartbeatBatches);
  const sweepsPerSec = 1 / profile.sweepIntervalSec;
  sheet.add(settings.calls(sweepAccesses(1024), sweepsPerSec), sweepsPerSec);
  // The metrics rollup adds each batch to its minute and hour rows (src/adapters/dynamo/metrics-store.ts).
  const rollupBatches =
    eventsPerSec > 0 ? Math.max(eventsPerSec / ROLLUP_EVENTS_PER_BATCH, Math.min(1, eventsPerSec)) : 0;
  const rollupWrite = (granularity: 'minute' | 'hour'): Access => ({
    table: metaTable.id,
    partition: String(rollupKey(granularity, rollupAt)[PK]),
    writeUnits: 2,
    readUnits: 0,
    billedWrites: 2,
    billedReads: 0,
  });
  sheet.add([rollupWrite('minute'), rollupWrite('hour')], rollupBatches);
  const cycles = profile.claimCyclesPerSec;
  const byRoute = {
    create: cycles,
    claim: cycles,
    progress: cycles * profile.progressReportsPerCycle,
    complete: cycles,
    heartbeat: heartbeatsPerSec,
  };
  const rates: RequestRates = {
    httpRequests: Object.values(byRoute).reduce((sum, rate) => sum + rate, 0),
    heartbeatRequests: heartbeatsPerSec,
    heartbeatBatches,
    eventsPerSec,
    broadcastBatches: eventsPerSec / BROADCAST_EVENTS_PER_BATCH,
    rollupBatches,
    webSocketMessages: messagesPerSec,
    sweepsPerSec,
    byRoute,
  };
  const settingsReads = {
    callsPerSec: settings.callsPerSec,
    storeReadsPerSec: settings.storeReadsPerSec(rates),
  };
  sheet.add([SETTINGS_READ], settingsReads.storeReadsPerSec);
  return {
    profile,
    readyShards,
    hottest: sheet.hottest(),
    flagged: sheet.above(WARN_SHARE),
    billedWritesPerSec: sheet.billedWrites,
    billedReadsPerSec: sheet.billedReads,
    billedBySurface: SURFACES.flatMap((surface) => {
      const total = sheet.bySurface.get(surface);
      return total ? [{ surface, ...total }] : [];
    }),
    rates,
    settingsReads,
  };
};
