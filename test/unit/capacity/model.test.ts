import { describe, expect, it } from 'vitest';
import { DAY_SHARDS, eventDayPartition, readyPartition } from '#adapters/dynamo/keys';
import { DEFAULT_SETTINGS_CACHE_SECONDS } from '#app/config';
import { costOf, DEFAULT_ACCOUNT_CONCURRENCY } from '../../../scripts/capacity/cost';
import {
  BROADCAST_EVENTS_PER_BATCH,
  batchQueryShare,
  FAIL_SHARE,
  type HotPartition,
  runModel,
  SURFACES,
} from '../../../scripts/capacity/model';
import { PROFILES, profileNamed } from '../../../scripts/capacity/profiles';

/**
 * Partitions the model puts over 80 % of a per-partition limit today, awaiting sharding (issue 15,
 * docs/capacity.md "What to shard"). A partition over 80 % that is not listed fails the test, and
 * so does a listed one that is no longer over 80 % or whose share moved by more than a tenth:
 * remove or update its row in the same change that fixes or moves it.
 * `share` is the largest of the key's partitions (e.g. the busiest `LEASE#<n>` bucket).
 */
const KNOWN_HOT: readonly { profile: string; surface: string; key: string; share: number }[] = [];

/** Each profile's report, computed once for the file (a run takes a second or two). */
const reports = new Map<string, ReturnType<typeof runModel>>();
const reportOf = (name: string) => {
  const report = reports.get(name) ?? runModel(profileNamed(name));
  reports.set(name, report);
  return report;
};

const surfaceOf = (hot: Pick<HotPartition, 'table' | 'index'>): string =>
  hot.index === undefined ? hot.table : `${hot.table}.${hot.index}`;

/** The partitions over 80 % of a profile, by surface and key pattern, with the largest share of each. */
const overLimit = (profile: string): Map<string, number> => {
  const over = new Map<string, number>();
  for (const hot of reportOf(profile).flagged.filter((each) => each.share > FAIL_SHARE)) {
    const key = `${surfaceOf(hot)} ${hot.pattern}`;
    over.set(key, Math.max(over.get(key) ?? 0, hot.share));
  }
  return over;
};

// A model run takes a second or two alone, several on a loaded machine.
describe('the capacity model on every profile', { timeout: 30_000 }, () => {
  it.each(PROFILES.map((profile) => profile.name))(
    'keeps every partition of %s under 80 % of its limit, except the listed hot partitions awaiting sharding',
    (name) => {
      const over = overLimit(name);
      const known = KNOWN_HOT.filter((entry) => entry.profile === name);

      const unlisted = [...over.keys()].filter(
        (key) => !known.some((entry) => `${entry.surface} ${entry.key}` === key),
      );
      const stale = known.filter((entry) => {
        const share = over.get(`${entry.surface} ${entry.key}`);
        return share === undefined || Math.abs(share - entry.share) > entry.share / 10;
      });

      expect(unlisted, 'partitions over 80 % that KNOWN_HOT does not list').toEqual([]);
      expect(stale, 'KNOWN_HOT rows no longer over 80 % or whose share moved').toEqual([]);
    },
  );

  it('reports the hottest partition of every table and index the fleet touches', () => {
    const report = reportOf('fleet');

    const surfaces = report.hottest.map(surfaceOf);

    expect(surfaces).toEqual(SURFACES.filter((surface) => surfaces.includes(surface)));
    expect(surfaces).toEqual(
      expect.arrayContaining([
        'Work',
        'Work.ready',
        'Work.leaseKeys',
        'Work.byStatus',
        'Events.byDay',
        'Meta',
      ]),
    );
  });

  it('names partitions with the adapter key builders', () => {
    // With the 4 ready shards of earlier releases, one big team's claims load every shard.
    const flagged = runModel(profileNamed('one-big-team'), 4).flagged.map((hot) => hot.partition);

    expect(flagged).toEqual(expect.arrayContaining([readyPartition('team-000', 0)]));
  });

  it('spreads a day’s audit events over its shards', () => {
    const day = reportOf('fleet').hottest.find((hot) => hot.index === 'byDay');

    expect(day?.pattern).toBe('DAY#<day>#<n>');
    expect(day?.partition.startsWith(`${eventDayPartition('2026-03-02')}#`)).toBe(true);
    expect(day?.partitions).toBe(DAY_SHARDS);
    expect(day?.share).toBeLessThan(0.5);
  });

  it('spreads each status over its shards', () => {
    const status = reportOf('fleet').hottest.find((hot) => hot.index === 'byStatus');

    expect(status?.pattern).toMatch(/^STATUS#[a-z_]+#<n>$/);
    expect(status?.share).toBeLessThan(0.5);
  });

  it('reads a channel’s subscribers once per broadcaster batch, not once per event', () => {
    const fleet = reportOf('fleet');
    const all = fleet.hottest.find((hot) => hot.index === 'byChannel' && hot.partition === 'all');
    // 50 dashboards on `all`, ~120 bytes each: 6 KB, 1 RCU per eventually consistent Query.
    const queriesPerSec = fleet.rates.eventsPerSec / BROADCAST_EVENTS_PER_BATCH;

    expect(all?.readUnitsPerSec).toBeCloseTo(queriesPerSec * 1, 0);
    expect(fleet.rates.broadcastBatches).toBeCloseTo(queriesPerSec, 6);
  });

  it('charges a rare channel about one Query per event and a channel of every event one per batch', () => {
    expect(batchQueryShare(1, 10)).toBeCloseTo(0.1, 9);
    expect(batchQueryShare(0.001, 10)).toBeGreaterThan(0.99);
    expect(batchQueryShare(0.03, 10)).toBeGreaterThan(batchQueryShare(0.3, 10));
    expect(batchQueryShare(0.5, 1)).toBe(1);
  });

  it('reads the settings once per warm process and cache period, never more often than calls ask', () => {
    const fleet = reportOf('fleet');
    const laptop = reportOf('laptop');
    const meta = fleet.hottest.find((hot) => hot.table === 'Meta');

    expect(fleet.settingsReads.callsPerSec).toBeGreaterThan(7000);
    expect(fleet.settingsReads.storeReadsPerSec).toBeLessThan(fleet.settingsReads.callsPerSec / 10);
    expect(fleet.settingsReads.storeReadsPerSec).toBeGreaterThan(DEFAULT_SETTINGS_CACHE_SECONDS);
    expect(laptop.settingsReads.storeReadsPerSec).toBeLessThanOrEqual(laptop.settingsReads.callsPerSec);
    expect(meta?.pattern).not.toBe('SETTINGS');
  });

  it('spreads the ready index writes and reads over more shards when the deployment has more', () => {
    const four = runModel(profileNamed('one-big-team'), 4).hottest.find((hot) => hot.index === 'ready');
    const sixteen = reportOf('one-big-team').hottest.find((hot) => hot.index === 'ready');

    // A claim reads each shard's head of the top, not the whole top from every shard.
    expect(sixteen?.writeUnitsPerSec).toBeLessThan((four?.writeUnitsPerSec ?? 0) / 3);
    expect(sixteen?.readUnitsPerSec).toBeLessThan((four?.readUnitsPerSec ?? 0) / 1.4);
    expect(sixteen?.partitions).toBe(16);
    expect(sixteen?.share).toBeLessThan(0.5);
  });

  it('prices a million cycles and keeps the laptop far from the account concurrency', () => {
    const laptop = costOf(reportOf('laptop'));
    const fleet = costOf(reportOf('fleet'));

    expect(laptop.perMillionCycles.total).toBeGreaterThan(0);
    expect(fleet.perMillionCycles.dynamoWrites).toBeGreaterThan(fleet.perMillionCycles.dynamoReads);
    expect(laptop.totalConcurrency).toBeLessThan(DEFAULT_ACCOUNT_CONCURRENCY / 100);
    expect(fleet.functions.find((f) => f.fn === 'http/claim-next')?.memoryMiB).toBe(1024);
  });
});
