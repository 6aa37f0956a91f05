import type { FieldError } from '#core/errors';
import type { Ports } from '#core/ports';
import type { AskMessage, SubscribeMessage, UnsubscribeMessage } from '../../schemas/live';
import { type RealtimePorts, reply } from './deps';
import { subscribe, unsubscribe } from './subscribe';

/** A client message that passed its schema. */
export type ClientMessage = SubscribeMessage | UnsubscribeMessage | { readonly action: 'ping' } | AskMessage;

export type ClientMessageDeps = Pick<Ports, 'work' | 'clock'> & RealtimePorts;

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
      ];
    }
    case 'unsubscribe':
      return [
        reply(now, 'unsubscribed', { channels: await unsubscribe(deps, { connectionId, ...message }) }),
      ];
    case 'ask':
      // The AI endpoints do not exist yet; until they do, every question is answered this way.
      return [
        reply(now, 'error', {
          code: 'unavailable',
          id: message.id,
          message: 'Questions over the live connection are not answered yet.',
        }),
      ];
  }
};

/**
 * A client message on a live connection: `subscribe`, `unsubscribe`, `ping` or `ask`; the
 * replies go back to that connection (`{type, at, ...}`, without `seq`).
 * @throws UnavailableError when the store or the management API is unavailable.
 */
export const answerClientMessage = async (
  deps: ClientMessageDeps,
  input: { readonly connectionId: string; readonly message: ClientMessage },
): Promise<void> => {
  for (const text of await repliesTo(deps, input.connectionId, input.message)) {
    await deps.notifier.post(input.connectionId, text);
  }
};

/** A frame that is not a client message: answered with `validation_error` and its field errors. */
export const refuseClientMessage = async (
  deps: Pick<Ports, 'clock'> & Pick<RealtimePorts, 'notifier'>,
  input: { readonly connectionId: string; readonly message: string; readonly errors: readonly FieldError[] },
): Promise<void> => {
  await deps.notifier.post(
    input.connectionId,
    reply(deps.clock.now(), 'error', {
      code: 'validation_error',
      message: input.message,
      details: { errors: input.errors },
    }),
  );
};
