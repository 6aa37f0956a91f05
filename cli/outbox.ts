/**
 * The outbox: every state-changing request `coord` sends (a report such as `complete`, `fail`,
 * `progress`, a create, a cancel, ...) is written to `<state dir>/<service>/outbox/<key>.json`
 * with its Idempotency-Key before it is sent, and removed once the service answers. One the
 * service never answered (unreachable, 5xx, restarting) stays there and is sent again, with the
 * same key, before the next command (and every few seconds by `coord run`): the service applies
 * a key once and answers a repeat with the first answer, so a report is applied exactly once
 * however often it is replayed.
 */
import { type ApiClient, ApiError, NetworkError, type OutboxPort, type PendingRequest } from './client';
import type { Io } from './io';
import { warn } from './io';
import type { LocalState } from './state';
import { printable } from './text';

/** The outbox of one service on this machine; tells the user on stderr when a request stays. */
export const outboxOf = (state: () => Promise<LocalState>, io: Io): OutboxPort => ({
  keep: async (request) => {
    await (await state()).saveOutbox(request);
  },
  drop: async (key) => {
    await (await state()).forgetOutbox(key);
  },
  kept: async (request) => {
    await (await state()).saveOutbox(request);
    warn(
      io,
      `coord: ${request.method} ${printable(request.path)} got no answer; it is kept in the outbox and sent again by the next coord command (coord outbox lists it)`,
    );
  },
});

/** What one replay did. */
export interface ReplayOutcome {
  readonly sent: PendingRequest[];
  /** Answered with a 4xx: they will never apply (e.g. a claim that went stale meanwhile); dropped. */
  readonly refused: { readonly request: PendingRequest; readonly status: number; readonly code: string }[];
  readonly waiting: PendingRequest[];
}

/** A request sent this recently without an error recorded is taken to be still waiting for its answer. */
const IN_FLIGHT_MS = 60_000;

const WORK_END = /^\/v1\/work\/([^/?]+)\/(complete|fail|release)$/;

/**
 * Sends what waits, oldest first, each once with its own key and token. Stops at the first one
 * the service does not answer (it is still away), so the order of reports is kept.
 */
export const replayOutbox = async (state: LocalState, client: ApiClient): Promise<ReplayOutcome> => {
  const sent: PendingRequest[] = [];
  const refused: ReplayOutcome['refused'] = [];
  // One without an error and younger than a minute may still be in flight in another command
  // (or this one's foreground): sending it too would only race its own answer.
  const settledBefore = new Date(Date.now() - IN_FLIGHT_MS).toISOString();
  const waiting = (await state.listOutbox()).filter(
    (request) => request.lastError !== undefined || request.recordedAt < settledBefore,
  );
  while (waiting.length > 0) {
    const request = waiting[0] as PendingRequest;
    try {
      await client.request(request.method, request.path, {
        ...(request.body === undefined ? {} : { rawBody: request.body }),
        token: request.token ?? null,
        idempotencyKey: request.key,
        retries: 0,
        outbox: false,
      });
      sent.push(request);
    } catch (error) {
      const answered = error instanceof ApiError && error.status < 500 && error.status !== 429;
      if (!answered) {
        if (!(error instanceof ApiError || error instanceof NetworkError)) throw error;
        await state.saveOutbox({ ...request, lastError: error.message });
        break;
      }
      refused.push({ request, status: error.status, code: error.code });
    }
    await state.forgetOutbox(request.key);
    // A report that ended a claim also ends the claim token saved for it.
    const ended = WORK_END.exec(request.path.split('?')[0] ?? '');
    if (ended?.[1]) await state.forgetClaim(decodeURIComponent(ended[1]));
    waiting.shift();
  }
  return { sent, refused, waiting };
};

/** Replays what waits and says so on stderr (never fails the command that follows). */
export const replayQuietly = async (state: LocalState, client: ApiClient, io: Io): Promise<void> => {
  try {
    const outcome = await replayOutbox(state, client);
    for (const request of outcome.sent) {
      warn(io, `coord: sent ${request.method} ${printable(request.path)} from the outbox`);
    }
    for (const { request, status, code } of outcome.refused) {
      warn(
        io,
        `coord: ${request.method} ${printable(request.path)} from the outbox was refused (${status} ${code}); dropped`,
      );
    }
  } catch (error) {
    warn(io, `coord: could not replay the outbox: ${(error as Error).message}`);
  }
};
