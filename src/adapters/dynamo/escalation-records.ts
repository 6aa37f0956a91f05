/** Escalations <-> stored attributes: writing adds the keys and index attributes, reading strips them. */
import type { Escalation } from '#core/escalations/escalation';
import {
  EscalationIndex,
  escalationKey,
  escalationSortKey,
  escalationStatusPartition,
  escalationTeamPartition,
} from './escalation-keys';
import { PK, SK } from './keys';
import type { StoredItem } from './query';

const STORAGE_ATTRIBUTES: ReadonlySet<string> = new Set([
  PK,
  SK,
  ...Object.values(EscalationIndex).flatMap((index) => [index.partitionKey, index.sortKey]),
]);

/** The stored form of an escalation, with its index attributes. */
export const escalationToItem = (escalation: Escalation): StoredItem => ({
  ...escalation,
  ...escalationKey(escalation.workId, escalation.kind, escalation.number),
  [EscalationIndex.byStatus.partitionKey]: escalationStatusPartition(escalation.status),
  [EscalationIndex.byStatus.sortKey]: escalationSortKey(escalation),
  [EscalationIndex.byTeam.partitionKey]: escalationTeamPartition(escalation.team, escalation.status),
  [EscalationIndex.byTeam.sortKey]: escalationSortKey(escalation),
});

/** The escalation a stored item holds. */
export const escalationFromItem = (item: StoredItem): Escalation =>
  Object.fromEntries(
    Object.entries(item).filter(([name]) => !STORAGE_ATTRIBUTES.has(name)),
  ) as unknown as Escalation;
