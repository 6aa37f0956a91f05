import { ForbiddenError } from '#core/errors';
import type { Ports } from '#core/ports';
import { channelName, implicitChannels } from '#core/realtime/channels';
import { type Principal, Role } from '#core/roles';
import { type AuthSecrets, authenticate } from '../../auth';
import type { RealtimePorts } from './deps';

/** API Gateway closes a WebSocket connection after two hours; its record outlives it a little. */
export const CONNECTION_TTL_SECONDS = 2 * 3600 + 300;

/** Roles that may open a WebSocket connection (a registration key only registers agents). */
const CONNECTING_ROLES: ReadonlySet<string> = new Set([Role.Admin, Role.Viewer, Role.Agent, Role.Member]);

/**
 * `$connect`: the token from the query string names the caller, who is recorded with the
 * channels it joins without subscribing (an agent's inbox).
 * 1. authenticate the token; 2. refuse roles that cannot watch anything; 3. for an agent, read
 * its team (join decisions need it); 4. record the connection.
 * @throws UnauthorizedError when the token is missing or not valid (401 at the upgrade).
 * @throws ForbiddenError for a registration key, or an agent token of an agent that is gone.
 */
export const connect = async (
  deps: Pick<Ports, 'tokens' | 'hasher' | 'agents' | 'clock'> & Pick<RealtimePorts, 'connections'>,
  input: {
    readonly connectionId: string;
    readonly token?: string;
    readonly secrets: AuthSecrets;
    /** Takes the connection from the caller's rate limit; throws (`RateLimitedError`) to refuse it. */
    readonly admit?: (principal: Principal) => void;
  },
): Promise<void> => {
  const principal = await authenticate(
    deps,
    input.token === undefined ? undefined : `Bearer ${input.token}`,
    input.secrets,
  );
  input.admit?.(principal);
  if (!CONNECTING_ROLES.has(principal.role)) {
    throw new ForbiddenError(`A ${principal.role} token cannot open a live connection.`);
  }
  let agentTeam: string | undefined;
  if (principal.role === Role.Agent && principal.agentId) {
    const agent = await deps.agents.get(principal.agentId);
    if (!agent) throw new ForbiddenError(`Agent ${principal.agentId} does not exist.`);
    agentTeam = agent.team;
  }
  const now = deps.clock.now();
  await deps.connections.add(
    {
      id: input.connectionId,
      principal,
      ...(agentTeam !== undefined && { agentTeam }),
      connectedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CONNECTION_TTL_SECONDS * 1000).toISOString(),
    },
    implicitChannels(principal).map(channelName),
  );
};

/** `$disconnect`: forgets the connection and its subscriptions (a no-op when already gone). */
export const disconnect = async (
  deps: Pick<RealtimePorts, 'connections'>,
  input: { readonly connectionId: string },
): Promise<void> => {
  await deps.connections.remove(input.connectionId);
};
