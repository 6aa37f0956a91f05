/**
 * Legacy agents -> imported agents, plus placeholders for agents that hold imported claims
 * but are missing from `agent_status.json` (swarmsh's fast path never registers agents).
 */
import { AgentStatus } from '#core/agents/status';
import {
  agentIdFor,
  capabilityFor,
  earliest,
  FieldReader,
  LEGACY_DEFAULT_TEAM,
  latest,
  readTeam,
  timeFromLegacyId,
} from './fields';
import type { ImportAgent } from './import-records';
import type { Planned, SourceRef } from './plan';

const MAX_CAPACITY = 100;
const LEGACY_FULL_PERCENT = 100;

/** What the claim files say about one agent. */
export interface AgentActivity {
  /** Times of every claim record naming the agent. */
  readonly times: string[];
  /** Items the import gives the agent to hold (claimed or in_progress). */
  openClaims: number;
  /** Team of the first item it holds, for a placeholder. */
  team?: string;
  /** Claim files naming the agent. */
  readonly files: Set<string>;
}

/** An `agent_status.json` record with where it came from. */
export interface AgentInput {
  readonly raw: Readonly<Record<string, unknown>>;
  readonly legacyId: string;
  readonly source: SourceRef;
  readonly fileModifiedAt: string;
}

/**
 * The capacity rule. Legacy capacity is a percentage that nothing enforced; the service's
 * capacity is how many items an agent may hold. An agent gets `ceil(percent / 100 x
 * fullCapacityClaims)` (a missing percentage counts as the script's default, 100), raised to
 * the number of items the import gives it to hold (so no imported claim exceeds capacity),
 * and kept within 1..100.
 */
export const capacityFor = (
  percent: number | undefined,
  openClaims: number,
  fullCapacityClaims: number,
): number => {
  const share = Math.min(LEGACY_FULL_PERCENT, Math.max(0, percent ?? LEGACY_FULL_PERCENT));
  const scaled = Math.ceil((share / LEGACY_FULL_PERCENT) * fullCapacityClaims);
  return Math.min(MAX_CAPACITY, Math.max(1, scaled, openClaims));
};

/** Maps one `agent_status.json` record; never throws. */
export const mapAgent = (
  input: AgentInput,
  activity: AgentActivity | undefined,
  fullCapacityClaims: number,
): Planned<ImportAgent> => {
  const reader = new FieldReader(input.raw);
  const notes = reader.notes;
  const id = agentIdFor(input.legacyId);
  if (id === input.legacyId) reader.consume('agent_id');
  else notes.push(`agent_id '${input.legacyId}' is not a valid agent id: imported as ${id}`);

  const team = readTeam(reader);
  const specialization = reader.text('specialization');
  const capability = capabilityFor(specialization);
  if (capability !== undefined && capability === specialization) reader.consume('specialization');
  const percent = reader.number('capacity');
  const openClaims = activity?.openClaims ?? 0;
  const capacity = capacityFor(percent, openClaims, fullCapacityClaims);
  const rawStatus = reader.text('status');
  const lastHeartbeat = reader.timestamp('last_heartbeat');

  const createdAt =
    earliest([timeFromLegacyId(input.legacyId), lastHeartbeat, ...(activity?.times ?? [])]) ??
    input.fileModifiedAt;
  const lastHeartbeatAt = lastHeartbeat ?? latest([...(activity?.times ?? []), createdAt]) ?? createdAt;
  if (lastHeartbeat !== undefined) reader.consume('last_heartbeat');
  else notes.push(`no last_heartbeat: lastHeartbeatAt set to ${lastHeartbeatAt}`);

  const record: ImportAgent = {
    id,
    team,
    ...(capability === undefined ? {} : { capabilities: [capability] }),
    capacity,
    status: rawStatus === AgentStatus.Retired ? AgentStatus.Retired : AgentStatus.Active,
    createdAt,
    lastHeartbeatAt,
    metadata: { legacy: reader.leftover(), legacySource: input.source.file },
  };
  return { id, record, source: input.source, notes };
};

/** An agent made up for claims whose agent `agent_status.json` does not list. */
export const placeholderAgent = (
  agentId: string,
  activity: AgentActivity,
  fullCapacityClaims: number,
): Planned<ImportAgent> => {
  const createdAt = earliest(activity.times) as string;
  const files = [...activity.files].sort();
  const record: ImportAgent = {
    id: agentId,
    team: activity.team ?? LEGACY_DEFAULT_TEAM,
    capacity: capacityFor(undefined, activity.openClaims, fullCapacityClaims),
    status: AgentStatus.Active,
    createdAt: earliest([timeFromLegacyId(agentId), createdAt]) as string,
    lastHeartbeatAt: latest(activity.times) as string,
    metadata: { legacyPlaceholder: true, legacySource: files.join(', ') },
  };
  return {
    id: agentId,
    record,
    notes: [`placeholder: holds claims in ${files.join(', ')} but is not in agent_status.json`],
  };
};
