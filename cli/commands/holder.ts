/**
 * Claims and the claim token a holder needs: claiming saves the token locally, holder calls
 * (progress, complete, fail, release) find it again by work id, and a token the service calls
 * stale is forgotten.
 */
import type { ClaimView, WorkView } from '#app/schemas/views';
import { ApiError } from '../client';
import type { AgentSession, CommandContext } from '../command';
import { CommandFailure, ExitCode, warn } from '../io';

const STALE_CLAIM = 'stale_claim';

/** Path of an agent. */
export const agentPath = (id: string, action?: string): string =>
  `/v1/agents/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

/** Path of a work item. */
export const workPath = (id: string, action?: string): string =>
  `/v1/work/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

/** Claims an item for the session's agent and saves the token. */
export const claimById = async (
  context: CommandContext,
  session: AgentSession,
  workId: string,
  idempotencyKey?: string,
): Promise<ClaimView> => {
  const { body } = await session.client.request<ClaimView>('POST', workPath(workId, 'claim'), {
    body: { agentId: session.agentId },
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  await saveClaim(context, session, body);
  return body;
};

/** Saves the token of a claim reply. */
export const saveClaim = async (context: CommandContext, session: AgentSession, reply: ClaimView) => {
  const state = await context.state();
  await state.saveClaim({
    workId: reply.item.id,
    agentId: session.agentId,
    token: reply.claim.token,
    leaseExpiresAt: reply.claim.leaseExpiresAt,
    savedAt: context.io.now().toISOString(),
  });
};

/**
 * The claim token for a work item: the saved one, else (when the service says this agent
 * holds the item, e.g. an imported claim or one taken on another machine) a fresh one from a
 * holder's re-claim, which the API answers with a new token.
 * @throws CommandFailure when this machine has no token and the agent does not hold the item
 */
export const holderToken = async (
  context: CommandContext,
  session: AgentSession,
  workId: string,
): Promise<string> => {
  const saved = await (await context.state()).loadClaim(workId);
  if (saved && saved.agentId === session.agentId) return saved.token;
  const { body: item } = await session.client.request<WorkView>('GET', workPath(workId));
  if (item.claim?.agentId !== session.agentId) {
    // The same conflict the API would answer (409), found before calling it: exit 3.
    const holder = item.claim ? `held by ${item.claim.agentId}` : `status ${item.status}`;
    throw new CommandFailure(
      `no claim token for ${workId} on this machine, and ${session.agentId} does not hold it (${holder})`,
      ExitCode.Conflict,
      item.claim
        ? { code: 'already_claimed', holder: { agentId: item.claim.agentId } }
        : { code: 'not_claimable', status: item.status },
    );
  }
  warn(context.io, `coord: no saved token for ${workId}; taking up ${session.agentId}'s claim again`);
  return (await claimById(context, session, workId)).claim.token;
};

/**
 * Runs a holder call with the item's claim token; forgets the token when the call ends the
 * claim (`ends`) or the service calls it stale.
 */
export const asHolder = async <T>(
  context: CommandContext,
  session: AgentSession,
  workId: string,
  action: string,
  body: Record<string, unknown>,
  ends: boolean,
): Promise<T> => {
  const claimToken = await holderToken(context, session, workId);
  const state = await context.state();
  try {
    const reply = await session.client.request<T>('POST', workPath(workId, action), {
      body: { claimToken, ...body },
    });
    if (ends) await state.forgetClaim(workId);
    return reply.body;
  } catch (error) {
    if (error instanceof ApiError && error.code === STALE_CLAIM) await state.forgetClaim(workId);
    throw error;
  }
};
