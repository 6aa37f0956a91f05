/**
 * Checks of names `coord` sends as new identities (agent ids, teams), with the API's own
 * patterns, so a name the service would refuse is a usage error (exit 2) and nothing is sent.
 */
import { AgentId, TeamName } from '#app/schemas/common';
import { UsageError } from './io';
import { printable } from './text';

const AGENT_ID = new RegExp(AgentId.pattern ?? '');
const TEAM = new RegExp(TeamName.pattern ?? '');
const MAX_TEAM = TeamName.maxLength ?? 64;

/** An agent id the API accepts. @throws UsageError */
export const requireAgentId = (raw: string, what = 'agent id'): string => {
  if (!AGENT_ID.test(raw)) {
    throw new UsageError(
      `${what} '${printable(raw)}' is not valid: 3 to 128 letters, digits and _ . : -, starting with a letter or digit`,
    );
  }
  return raw;
};

/** A team name the API accepts. @throws UsageError */
export const requireTeam = (raw: string, what = 'team'): string => {
  if (raw.length > MAX_TEAM || !TEAM.test(raw)) {
    throw new UsageError(
      `${what} '${printable(raw)}' is not valid: 1 to ${MAX_TEAM} letters, digits and _ . -, starting with a letter or digit`,
    );
  }
  return raw;
};
