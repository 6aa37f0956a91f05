/**
 * Every key string of the Escalations table. An item's escalations share its partition, so its
 * history is one consistent Query; the keys-only indexes list them by status, and by team and
 * status, newest first.
 */
import type { Escalation, EscalationKind, EscalationStatus } from '#core/escalations/escalation';
import { type IndexKeys, PK, SK } from './keys';
import { escalationsTable } from './tables';

const NUMBER_DIGITS = 6;

const indexKeys = (indexName: string): IndexKeys => {
  const index = escalationsTable.indexes.find((candidate) => candidate.indexName === indexName);
  if (!index?.sortKey)
    throw new Error(`Table ${escalationsTable.id} has no index ${indexName} with a sort key.`);
  return { indexName, partitionKey: index.partitionKey.name, sortKey: index.sortKey.name };
};

/** The Escalations table's indexes. */
export const EscalationIndex = {
  /** Every escalation, by status, newest first. */
  byStatus: indexKeys('byStatus'),
  /** Every escalation, by team and status, newest first. */
  byTeam: indexKeys('byTeam'),
} as const;

/** The partition holding every escalation of a work item. */
export const escalationPartition = (workId: string): string => `ESC#${workId}`;

/** Primary key of the `number`-th escalation of `kind` for a work item. */
export const escalationKey = (workId: string, kind: EscalationKind, number: number) => ({
  [PK]: escalationPartition(workId),
  [SK]: `${kind}#${String(number).padStart(NUMBER_DIGITS, '0')}`,
});

/** Status-index partition. */
export const escalationStatusPartition = (status: EscalationStatus): string => `STATUS#${status}`;

/** Team-index partition. */
export const escalationTeamPartition = (team: string, status: EscalationStatus): string =>
  `TEAM#${team}#${status}`;

/** Sort key of both indexes: opening time, then id (unique). */
export const escalationSortKey = (escalation: Pick<Escalation, 'openedAt' | 'id'>): string =>
  `${new Date(escalation.openedAt).toISOString()}#${escalation.id}`;
