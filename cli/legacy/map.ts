/**
 * The whole legacy directory -> an import plan. Claim files rank `work_claims.json` over
 * `archived_claims/` over `work_claims_fast.jsonl` (the first two are where progress and
 * completion are written); within a file the later record wins. Agents: the later record wins.
 * Every record not sent is listed with its reason; nothing is dropped silently.
 */
import { isHeld, type WorkStatus } from '#core/work/status';
import { agentIdFor, workIdFor } from './fields';
import { LegacyFileKind } from './files';
import type { ImportAgent, ImportEvent, ImportKind } from './import-records';
import { type AgentActivity, type AgentInput, mapAgent, placeholderAgent } from './map-agents';
import {
  claimEvents,
  type LogEntry,
  logEvents,
  PHOENIX_EVENT_REASON,
  readLogEntry,
  spanEvent,
} from './map-history';
import { type ClaimInput, type MappedClaim, mapClaim } from './map-work';
import {
  DEFAULT_FULL_CAPACITY_CLAIMS,
  describeType,
  type ImportPlan,
  isObject,
  type MapOptions,
  type NotImported,
  type Planned,
  type SourceRef,
} from './plan';
import type { LegacyContent, RawRecord } from './read';

const CLAIM_RANK: Partial<Record<string, number>> = {
  [LegacyFileKind.Claims]: 0,
  [LegacyFileKind.ArchivedClaims]: 1,
  [LegacyFileKind.FastClaims]: 2,
};

const sourceOf = (record: RawRecord): SourceRef => ({
  file: record.file,
  index: record.index,
  byte: record.byte,
});

const where = (source: SourceRef): string => `${source.file} record ${source.index}`;

interface Candidate<T> {
  readonly id: string;
  readonly input: T;
  readonly record: RawRecord;
  readonly rank: number;
}

/**
 * Keeps one record per id: the lowest rank, and the later record among equal ranks. The
 * others are skipped, as identical copies or as superseded ones.
 */
const pickWinners = <T>(candidates: readonly Candidate<T>[], kind: ImportKind, skipped: NotImported[]) => {
  const winners = new Map<string, Candidate<T>>();
  const losers: Candidate<T>[] = [];
  for (const candidate of candidates) {
    const current = winners.get(candidate.id);
    if (current === undefined) {
      winners.set(candidate.id, candidate);
    } else if (candidate.rank <= current.rank) {
      losers.push(current);
      winners.set(candidate.id, candidate);
    } else {
      losers.push(candidate);
    }
  }
  for (const loser of losers) {
    const winner = winners.get(loser.id) as Candidate<T>;
    const same = JSON.stringify(loser.record.value) === JSON.stringify(winner.record.value);
    skipped.push({
      kind,
      id: loser.id,
      source: sourceOf(loser.record),
      reason: same ? 'duplicate id: identical copy' : 'duplicate id: superseded',
      detail: `kept ${where(sourceOf(winner.record))}`,
    });
  }
  return [...winners.values()];
};

const claimCandidates = (records: readonly RawRecord[], rejected: NotImported[]): Candidate<ClaimInput>[] => {
  const candidates: Candidate<ClaimInput>[] = [];
  for (const record of records) {
    const rank = CLAIM_RANK[record.kind];
    if (rank === undefined) continue;
    const source = sourceOf(record);
    const value = record.value;
    if (!isObject(value)) {
      rejected.push({ kind: 'work', source, reason: 'not a JSON object', detail: describeType(value) });
      continue;
    }
    const legacyId = value.work_item_id;
    if (typeof legacyId !== 'string' || legacyId === '') {
      rejected.push({ kind: 'work', source, reason: 'claim without work_item_id' });
      continue;
    }
    const input = { raw: value, legacyId, source, fileModifiedAt: record.fileModifiedAt };
    candidates.push({ id: workIdFor(legacyId), input, record, rank });
  }
  return candidates;
};

const agentCandidates = (records: readonly RawRecord[], rejected: NotImported[]): Candidate<AgentInput>[] => {
  const candidates: Candidate<AgentInput>[] = [];
  for (const record of records) {
    if (record.kind !== LegacyFileKind.Agents) continue;
    const source = sourceOf(record);
    const value = record.value;
    if (!isObject(value)) {
      rejected.push({ kind: 'agents', source, reason: 'not a JSON object', detail: describeType(value) });
      continue;
    }
    const legacyId = value.agent_id;
    if (typeof legacyId !== 'string') {
      rejected.push({ kind: 'agents', source, reason: 'agent without agent_id' });
      continue;
    }
    const input = { raw: value, legacyId, source, fileModifiedAt: record.fileModifiedAt };
    candidates.push({ id: agentIdFor(legacyId), input, record, rank: 0 });
  }
  return candidates;
};

const readLog = (records: readonly RawRecord[], rejected: NotImported[]): Map<string, LogEntry[]> => {
  const byWork = new Map<string, LogEntry[]>();
  for (const record of records) {
    if (record.kind !== LegacyFileKind.Log) continue;
    const entry = readLogEntry(record.value, sourceOf(record));
    if ('reason' in entry) {
      rejected.push(entry);
      continue;
    }
    byWork.set(entry.workId, [...(byWork.get(entry.workId) ?? []), entry]);
  }
  return byWork;
};

const isFastOnly = (candidate: Candidate<ClaimInput>): boolean =>
  candidate.record.kind === LegacyFileKind.FastClaims;

const activityOf = (claims: readonly MappedClaim[]): Map<string, AgentActivity> => {
  const activity = new Map<string, AgentActivity>();
  for (const claim of claims) {
    if (claim.agentId === undefined) continue;
    const entry = activity.get(claim.agentId) ?? { times: [], openClaims: 0, files: new Set<string>() };
    const { record, source } = claim.work;
    entry.times.push(...claim.times, record.createdAt);
    if (source) entry.files.add(source.file);
    if (isHeld(record.status as WorkStatus) && record.claim) {
      entry.openClaims += 1;
      entry.team ??= record.team;
    }
    activity.set(claim.agentId, entry);
  }
  return activity;
};

const identity = (event: ImportEvent): string =>
  JSON.stringify([event.entityId, event.action, event.at, event.actorId ?? null]);

const dedupeEvents = (
  events: readonly Planned<ImportEvent>[],
  skipped: NotImported[],
): Planned<ImportEvent>[] => {
  const seen = new Map<string, Planned<ImportEvent>>();
  for (const planned of events) {
    const key = identity(planned.record);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, planned);
      continue;
    }
    skipped.push({
      kind: 'events',
      id: planned.id,
      ...(planned.source ? { source: planned.source } : {}),
      reason: 'same identity (item, action, time, actor) as another event',
      ...(first.source ? { detail: `kept the one from ${where(first.source)}` } : {}),
    });
  }
  // Oldest first, so the audit trail reads in the order things happened.
  return [...seen.values()].sort((a, b) => Date.parse(a.record.at) - Date.parse(b.record.at));
};

/** Maps what was read from a legacy directory into records for `POST /v1/import`; pure. */
export const mapLegacy = (content: LegacyContent, options: MapOptions = {}): ImportPlan => {
  const fullCapacity = options.fullCapacityClaims ?? DEFAULT_FULL_CAPACITY_CLAIMS;
  const rejected: NotImported[] = [];
  const skipped: NotImported[] = [];

  const log = readLog(content.records, rejected);
  const claimWinners = pickWinners(claimCandidates(content.records, rejected), 'work', skipped);
  const claims = claimWinners.map((winner) => {
    const entries = isFastOnly(winner) ? log.get(winner.id) : undefined;
    const last = entries?.[entries.length - 1];
    const completionFromLog = last && {
      at: last.at,
      agentId: last.agentId,
      result: last.result,
      source: last.source,
    };
    return mapClaim(completionFromLog ? { ...winner.input, completionFromLog } : winner.input);
  });
  const knownWorkIds = new Set(claims.map((claim) => claim.work.id));

  const activity = activityOf(claims);
  const agentWinners = pickWinners(agentCandidates(content.records, rejected), 'agents', skipped);
  const agents: Planned<ImportAgent>[] = agentWinners.map((winner) =>
    mapAgent(winner.input, activity.get(winner.id), fullCapacity),
  );
  const listed = new Set(agents.map((agent) => agent.id));
  for (const [agentId, entry] of activity) {
    if (entry.openClaims > 0 && !listed.has(agentId))
      agents.push(placeholderAgent(agentId, entry, fullCapacity));
  }

  const events: Planned<ImportEvent>[] = claims.flatMap((claim) =>
    claimEvents(claim, log.has(claim.work.id)),
  );
  events.push(...logEvents([...log.values()].flat().sort(bySourceOrder), knownWorkIds));
  for (const record of content.records) {
    if (record.kind === LegacyFileKind.Spans) {
      const result = spanEvent(record.value, sourceOf(record), knownWorkIds);
      if ('reason' in result) skipped.push(result);
      else events.push(result);
    } else if (record.kind === LegacyFileKind.Events) {
      skipped.push({ kind: 'events', source: sourceOf(record), reason: PHOENIX_EVENT_REASON });
    }
  }
  for (const damage of content.historyDamage) {
    skipped.push({
      kind: 'events',
      source: { file: damage.file, index: damage.recordIndex, byte: damage.byte },
      reason: 'does not parse',
      detail: `byte ${damage.byte} (line ${damage.line}): ${damage.message}`,
    });
  }

  return {
    agents,
    work: claims.map((claim) => claim.work),
    events: dedupeEvents(events, skipped),
    rejected,
    skipped,
  };
};

const bySourceOrder = (a: LogEntry, b: LogEntry): number => a.source.index - b.source.index;
