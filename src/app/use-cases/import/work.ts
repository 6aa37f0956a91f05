import type { ImportDecision } from '#core/import/outcome';
import { ImportKind } from '#core/import/records';
import { importWork, type WorkImportFound } from '#core/import/work';
import type { WorkItem } from '#core/model';
import type { ImportWorkRecord } from '../../schemas/import';
import { decideAndCommit } from '../shared/optimistic';
import type { CheckedRecord } from './checked';
import type { ImportRun } from './context';

/**
 * The stored records an item's import depends on: its id (`stored` when already read with the
 * rest of its layer, `null` when read and absent), its dependencies and its holder.
 */
const readFound = async (
  { deps }: ImportRun,
  record: ImportWorkRecord,
  stored?: WorkItem | null,
): Promise<WorkImportFound> => {
  const existing = stored === undefined ? await deps.work.get(record.id) : (stored ?? undefined);
  if (existing) return { existing, dependencies: [] };
  const dependsOn = [...new Set(record.dependsOn ?? [])];
  const [dependencies, holder] = await Promise.all([
    dependsOn.length === 0 ? [] : deps.work.getMany(dependsOn),
    record.claim === undefined ? undefined : deps.agents.get(record.claim.agentId),
  ]);
  return { dependencies, ...(holder === undefined ? {} : { holder }) };
};

/**
 * Imports one work item (`stored`: what its layer's read found under its id, `null` for nothing):
 * read its dependencies and its claim's holder; when the id is
 * free, record the team and commit the item (must not exist), its dependencies' links and its
 * holder's claim count together; when any of them changed meanwhile, read them again and decide
 * again.
 */
export const importWorkRecord = async (
  run: ImportRun,
  { index, record, fingerprint }: CheckedRecord<ImportWorkRecord>,
  stored: WorkItem | null,
): Promise<void> => {
  const { deps, wctx, tally } = run;
  const found = await readFound(run, record, stored);
  if (found.existing === undefined) await run.ensureTeam(record.team);
  const claimToken = deps.ids.secret();
  const decision = await decideAndCommit<WorkImportFound, ImportDecision>(
    deps.uow,
    found,
    (current) => {
      const decided = importWork(record, current, fingerprint, claimToken, wctx);
      return decided.outcome === 'created'
        ? { change: decided.change, result: decided }
        : { result: decided };
    },
    () => readFound(run, record),
  );
  tally.add(ImportKind.Work, index, record.id, decision);
};
