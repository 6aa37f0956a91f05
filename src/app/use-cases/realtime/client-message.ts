import { type FieldError, ValidationError } from '#core/errors';
import type { Ports } from '#core/ports';
import { serialize } from '../../live-messages';
import type { AskMessage, SubscribeMessage, UnsubscribeMessage } from '../../schemas/live';
import { type AskDeps, askQuestion } from '../ai/ask-question';
import { type RealtimePorts, reply } from './deps';
import { replayPage, replayStart } from './replay-events';
import { subscribe, unsubscribe } from './subscribe';

/** A client message that passed its schema. */
export type ClientMessage = SubscribeMessage | UnsubscribeMessage | { readonly action: 'ping' } | AskMessage;

export type ClientMessageDeps = Pick<Ports, 'work' | 'clock'> & AskDeps & RealtimePorts;

/**
 * `ask`: answers the question as `POST /v1/ai/query` does, with the tools of the connection's
 * principal, streaming each piece of text to the asking connection as `ai.delta` `{id, text}` as
 * soon as it exists, then `ai.done` `{id, source, fallbackReason?, answer, facts}`. Pieces are
 * posted one after another, in order, and `ai.done` only after the last of them.
 * @throws UnavailableError when the store or the management API is unavailable.
 */
const answerAsk = async (
  deps: ClientMessageDeps,
  connectionId: string,
  message: AskMessage,
  requestId: string,
): Promise<void> => {
  const connection = await deps.connections.get(connectionId);
  if (!connection) return;
  const ctx = { principal: connection.principal, requestId };
  let posted: Promise<unknown> = Promise.resolve();
  const onDelta = (text: string) => {
    const piece = reply(deps.clock.now(), 'ai.delta', { id: message.id, text });
    posted = posted.then(() => deps.notifier.post(connectionId, piece));
    // Awaited below; this only keeps a failed post from counting as unhandled meanwhile.
    posted.catch(() => undefined);
  };
  let result: Awaited<ReturnType<typeof askQuestion>>;
  try {
    result = await askQuestion(deps, ctx, message.question, onDelta);
  } finally {
    // Every piece already handed over goes out (or fails) before anything else is said.
    await posted;
  }
  await deps.notifier.post(connectionId, reply(deps.clock.now(), 'ai.done', { id: message.id, ...result }));
};

/**
 * `subscribe` with `after`: the messages of the joined channels that followed the cursor (one
 * bounded page, as the broadcaster would have sent them), then `replayed` `{channels, cursor,
 * more, windowStart?}`; with `more` the client subscribes again with that cursor for the rest.
 * Live messages keep flowing meanwhile, so one may arrive twice: clients drop repeats by cursor.
 */
const replayReplies = async (
  deps: ClientMessageDeps,
  channels: readonly string[],
  after: string,
  now: Date,
): Promise<string[]> => {
  let start: Awaited<ReturnType<typeof replayStart>>;
  try {
    start = await replayStart(deps, after);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return [reply(now, 'error', { code: error.code, message: error.message, details: error.details })];
  }
  const page = await replayPage(deps, { channels, position: start.position });
  return [
    ...page.messages.map(serialize),
    reply(now, 'replayed', {
      channels,
      cursor: page.cursor,
      more: page.more,
      ...(start.windowStart === undefined ? {} : { windowStart: start.windowStart }),
    }),
  ];
};

/** The replies to one client message, in order. */
const repliesTo = async (
  deps: ClientMessageDeps,
  connectionId: string,
  message: ClientMessage,
): Promise<string[]> => {
  const now = deps.clock.now();
  switch (message.action) {
    case 'ping':
      return [reply(now, 'pong')];
    case 'subscribe': {
      const outcome = await subscribe(deps, { connectionId, channels: message.channels });
      if (!outcome) return [];
      return [
        ...outcome.refused.map(({ channel, code }) =>
          reply(now, 'error', {
            code,
            channel,
            message:
              code === 'forbidden'
                ? `This token may not join ${channel}.`
                : `${channel} is not a channel (team:<name>, agent:<id>, work:<id>, all, admin).`,
          }),
        ),
        ...(outcome.joined.length > 0 || outcome.refused.length === 0
          ? [reply(now, 'subscribed', { channels: outcome.joined })]
          : []),
        ...(message.after !== undefined && outcome.joined.length > 0
          ? await replayReplies(deps, outcome.joined, message.after, now)
          : []),
      ];
    }
    case 'unsubscribe':
      return [
        reply(now, 'unsubscribed', { channels: await unsubscribe(deps, { connectionId, ...message }) }),
      ];
    case 'ask':
      // Streamed by `answerAsk` as the answer is made, not collected here.
      return [];
  }
};

/**
 * A client message on a live connection: `subscribe`, `unsubscribe`, `ping` or `ask`; the
 * replies go back to that connection (`{type, at, ...}`, without `seq`).
 * @throws UnavailableError when the store or the management API is unavailable.
 */
export const answerClientMessage = async (
  deps: ClientMessageDeps,
  input: {
    readonly connectionId: string;
    readonly message: ClientMessage;
    /** The request id a question is answered under (the frame's); the connection id by default. */
    readonly requestId?: string;
  },
): Promise<void> => {
  if (input.message.action === 'ask') {
    await answerAsk(deps, input.connectionId, input.message, input.requestId ?? input.connectionId);
    return;
  }
  for (const text of await repliesTo(deps, input.connectionId, input.message)) {
    await deps.notifier.post(input.connectionId, text);
  }
};

/**
 * A frame that is not a client message: answered with `validation_error` and its field errors
 * (and the `id` of a refused `ask` that had one).
 */
export const refuseClientMessage = async (
  deps: Pick<Ports, 'clock'> & Pick<RealtimePorts, 'notifier'>,
  input: {
    readonly connectionId: string;
    readonly message: string;
    readonly errors: readonly FieldError[];
    /** The id of a refused `ask`, echoed so the client knows which question it was. */
    readonly id?: string;
  },
): Promise<void> => {
  await deps.notifier.post(
    input.connectionId,
    reply(deps.clock.now(), 'error', {
      code: 'validation_error',
      ...(input.id === undefined ? {} : { id: input.id }),
      message: input.message,
      details: { errors: input.errors },
    }),
  );
};
