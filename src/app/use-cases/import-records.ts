import { ValidationError } from '#core/errors';
import { importOrder } from '#core/import/order';
import { ImportKind } from '#core/import/records';
import type { RequestContext } from '../context';
import {
  IMPORT_MAX_RECORDS,
  type ImportAgentRecord,
  type ImportBody,
  type ImportEventRecord,
  type ImportResult,
  type ImportWorkRecord,
} from '../schemas/import';
import { currentSettings } from '../settings';
import { importAgentRecord } from './import/agents';
import { type CheckedRecord, checkRecords } from './import/checked';
import { type ImportDeps, type ImportRun, startImportRun } from './import/context';
import { importEntityHistory } from './import/history';
import { runInLanes } from './import/lanes';
import { ImportTally } from './import/tally';
import { importWorkRecord } from './import/work';
import { workContextOf } from './shared/context';

export type { RecordChecks } from './import/checked';
export type { ImportDeps } from './import/context';

const CYCLE_REASON = 'depends on items of this call that depend on it in turn (a dependency cycle)';

/** Imports work in dependency order: a layer after the items of this call it depends on. */
const importWorkInOrder = async (run: ImportRun, checked: readonly CheckedRecord<ImportWorkRecord>[]) => {
  const order = importOrder(checked.map((entry) => entry.record));
  for (const index of order.cyclic) {
    const entry = checked[index];
    if (entry) run.tally.reject(ImportKind.Work, entry.index, entry.record.id, CYCLE_REASON);
  }
  for (const layer of order.layers) {
    const entries = layer.flatMap((index) => checked[index] ?? []);
    // One read for the whole layer instead of one per record (a re-import finds them all).
    const stored = new Map(
      (await run.deps.work.getMany(entries.map((entry) => entry.record.id))).map((item) => [item.id, item]),
    );
    // One lane per holder: claims of one agent all write that agent.
    await runInLanes(
      entries,
      (entry) => entry.record.claim?.agentId ?? `work:${entry.record.id}`,
      (entry) => importWorkRecord(run, entry, stored.get(entry.record.id) ?? null),
    );
  }
};

/**
 * `POST /v1/import` (admin): loads records kept from elsewhere with their own ids, states, times
 * and history (API.md "Import").
 * 1. refuse more than 500 records in all (400); 2. check each record against its kind's schema,
 * rejecting a bad one alone with its reasons; 3. import agents, then work (after the items of
 * the call it depends on), then history; each record is its own change (one transaction), so a
 * rejected or conflicting record changes nothing and stops nothing else; 4. reply with counts
 * per kind and every conflict and rejection.
 * @throws ValidationError when the call carries more than 500 records.
 */
export const importRecords = async (
  deps: ImportDeps,
  ctx: RequestContext,
  body: ImportBody,
): Promise<ImportResult> => {
  const total = (body.agents?.length ?? 0) + (body.work?.length ?? 0) + (body.events?.length ?? 0);
  if (total > IMPORT_MAX_RECORDS) {
    throw new ValidationError([
      {
        path: '',
        message: `carries ${total} records; one call takes at most ${IMPORT_MAX_RECORDS} (agents, work and events together)`,
      },
    ]);
  }
  const settings = await currentSettings(deps);
  const run = startImportRun(deps, workContextOf(deps, ctx, settings), new ImportTally());
  const agents = checkRecords<ImportAgentRecord>(deps, ImportKind.Agents, body.agents, run.tally);
  const work = checkRecords<ImportWorkRecord>(deps, ImportKind.Work, body.work, run.tally);
  const events = checkRecords<ImportEventRecord>(deps, ImportKind.Events, body.events, run.tally);

  await runInLanes(
    agents,
    (entry) => entry.record.id,
    (entry) => importAgentRecord(run, entry),
  );
  await importWorkInOrder(run, work);
  const byEntity = new Map<string, CheckedRecord<ImportEventRecord>[]>();
  for (const entry of events) {
    const key = `${entry.record.entityType}:${entry.record.entityId}`;
    byEntity.set(key, [...(byEntity.get(key) ?? []), entry]);
  }
  await runInLanes(
    [...byEntity.values()],
    (entries) => entries[0]?.record.entityId ?? '',
    (entries) => importEntityHistory(run, entries),
  );
  return run.tally.reply();
};
