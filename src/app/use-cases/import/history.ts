import { type HistoryEntity, type HistoryFound, importHistory } from '#core/import/history';
import type { ImportDecision } from '#core/import/outcome';
import { ImportKind } from '#core/import/records';
import { type AuditEvent, EntityType } from '#core/model';
import type { Change } from '#core/ports';
import { epochMs } from '#core/time';
import type { ImportEventRecord } from '../../schemas/import';
import { decideAndCommit } from '../shared/optimistic';
import type { CheckedRecord } from './checked';
import type { ImportRun } from './context';

/** Reads an entity's audit events this many at a time. */
const EVENT_PAGE = 200;

type Target = Pick<ImportEventRecord, 'entityType' | 'entityId'>;

const readEntity = async ({ deps }: ImportRun, target: Target): Promise<HistoryEntity | undefined> => {
  if (target.entityType === EntityType.Agent) {
    const agent = await deps.agents.get(target.entityId);
    return agent && { kind: 'agent', record: agent };
  }
  const item = await deps.work.get(target.entityId);
  return item && { kind: 'work', record: item };
};

const readEvents = async ({ deps }: ImportRun, entityId: string): Promise<AuditEvent[]> => {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.audit.list({ entityId, limit: EVENT_PAGE, ...(cursor ? { cursor } : {}) });
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return events;
};

const readFound = async (run: ImportRun, target: Target): Promise<HistoryFound> => {
  const [entity, events] = await Promise.all([readEntity(run, target), readEvents(run, target.entityId)]);
  return { ...(entity === undefined ? {} : { entity }), events };
};

/** What is stored once `change` (a history import) is committed, without reading it again. */
const foundAfter = (found: HistoryFound, change: Change): HistoryFound => {
  const [write] = change.writes;
  const entity: HistoryEntity | undefined =
    write?.kind === 'work'
      ? { kind: 'work', record: write.item }
      : write?.kind === 'agent'
        ? { kind: 'agent', record: write.agent }
        : found.entity;
  return { ...(entity === undefined ? {} : { entity }), events: [...found.events, ...change.events] };
};

/**
 * Imports the history of one entity (its records, in time order): read the entity and its audit
 * events once; for each record, an event already imported is `unchanged`, else the event is
 * committed (with the entity one version on, when it exists); when the entity or its events
 * changed meanwhile, read them again and decide again.
 */
export const importEntityHistory = async (
  run: ImportRun,
  records: readonly CheckedRecord<ImportEventRecord>[],
): Promise<void> => {
  const [first] = records;
  if (first === undefined) return;
  let found = await readFound(run, first.record);
  const inTimeOrder = [...records].sort((a, b) => epochMs(a.record.at) - epochMs(b.record.at));
  for (const { index, record } of inTimeOrder) {
    const { decision, after } = await decideAndCommit<
      HistoryFound,
      { decision: ImportDecision; after: HistoryFound }
    >(
      run.deps.uow,
      found,
      (current) => {
        const decided = importHistory(record, current, run.wctx);
        return decided.outcome === 'created'
          ? {
              change: decided.change,
              result: { decision: decided, after: foundAfter(current, decided.change) },
            }
          : { result: { decision: decided, after: current } };
      },
      () => readFound(run, record),
    );
    found = after;
    run.tally.add(ImportKind.Events, index, record.entityId, decision);
  }
};
