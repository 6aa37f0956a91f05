import { importAgent } from '#core/import/agents';
import type { ImportDecision } from '#core/import/outcome';
import { ImportKind } from '#core/import/records';
import type { Agent } from '#core/model';
import type { ImportAgentRecord } from '../../schemas/import';
import { decideAndCommit } from '../shared/optimistic';
import type { CheckedRecord } from './checked';
import type { ImportRun } from './context';

/**
 * Imports one agent: read the id; when it is free, record the team and commit the agent with its
 * `agent.imported` event (must not exist); an agent registered meanwhile is read again and
 * decided on (same content: unchanged, else a conflict).
 */
export const importAgentRecord = async (
  run: ImportRun,
  { index, record, fingerprint }: CheckedRecord<ImportAgentRecord>,
): Promise<void> => {
  const { deps, wctx, tally } = run;
  const existing = await deps.agents.get(record.id);
  if (existing === undefined) await run.ensureTeam(record.team);
  const decision = await decideAndCommit<Agent | undefined, ImportDecision>(
    deps.uow,
    existing,
    (current) => {
      const decided = importAgent(record, current, fingerprint, wctx);
      return decided.outcome === 'created'
        ? { change: decided.change, result: decided }
        : { result: decided };
    },
    () => deps.agents.get(record.id),
  );
  tally.add(ImportKind.Agents, index, record.id, decision);
};
