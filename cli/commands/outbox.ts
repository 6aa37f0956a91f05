/**
 * `coord outbox [--replay]`: lists the state-changing requests this machine sent without an
 * answer yet (see `cli/outbox.ts`); `--replay` sends them first (every other command does that
 * before it runs).
 */
import { atMost, type Command } from '../command';
import { ExitCode, say, sayJson, table } from '../io';
import { replayOutbox } from '../outbox';
import { printable } from '../text';

const outbox: Command = {
  name: 'outbox',
  group: 'checks',
  usage: '[--replay]',
  summary: 'List the requests kept until the service answers them; --replay sends them now',
  options: { replay: { type: 'boolean' } },
  outbox: false,
  async run(context) {
    atMost(context, 0);
    const state = await context.state();
    const replayed =
      context.values.replay === true ? await replayOutbox(state, await context.client()) : undefined;
    const waiting = await state.listOutbox();
    // Never the token: the listing may be pasted into a ticket.
    const shown = waiting.map(({ token: _token, body, ...rest }) => ({
      ...rest,
      ...(body === undefined ? {} : { body: JSON.parse(body) as unknown }),
    }));
    if (context.json) {
      sayJson(context.io, {
        items: shown,
        ...(replayed
          ? {
              sent: replayed.sent.map((request) => request.key),
              refused: replayed.refused.map(({ request, status, code }) => ({
                key: request.key,
                status,
                code,
              })),
            }
          : {}),
      });
      return waiting.length === 0 ? ExitCode.Ok : ExitCode.Error;
    }
    if (replayed) {
      say(context.io, `Sent ${replayed.sent.length}, refused ${replayed.refused.length} (dropped).`);
    }
    if (waiting.length === 0) {
      say(context.io, 'Outbox empty: every request got its answer.');
      return ExitCode.Ok;
    }
    say(context.io, `Waiting (${waiting.length}):`);
    const rows = waiting.map((request) => [
      request.recordedAt,
      request.method,
      printable(request.path),
      request.key,
      printable(request.lastError ?? ''),
    ]);
    for (const line of table([['recorded', 'method', 'path', 'idempotency key', 'last error'], ...rows])) {
      say(context.io, `  ${line}`);
    }
    return ExitCode.Error;
  },
};

/** `coord outbox`. */
export const OUTBOX_COMMANDS: readonly Command[] = [outbox];
