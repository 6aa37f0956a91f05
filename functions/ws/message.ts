import { CLIENT_MESSAGES } from '#app/schemas/live';
import {
  answerClientMessage,
  type ClientMessage,
  refuseClientMessage,
} from '#app/use-cases/realtime/client-message';
import { ValidationError } from '#core/errors';
import { wsRateLimiter } from '../shared/rate-limit';
import { bodyCheck } from '../shared/validation';
import { config, realtimeDeps } from '../shared/wiring';
import { admitFrame, callbackUrlOf, wsRoute } from '../shared/ws';

const checks = Object.fromEntries(
  Object.entries(CLIENT_MESSAGES).map(([action, schema]) => [action, bodyCheck(schema)]),
);

/** The `id` a refused `ask` frame carried, so the client can tell which question was refused. */
const askIdOf = (body: string | null | undefined): string | undefined => {
  try {
    const frame = JSON.parse(body ?? '') as { action?: unknown; id?: unknown } | null;
    return frame?.action === 'ask' && typeof frame.id === 'string' && frame.id !== '' ? frame.id : undefined;
  } catch {
    return undefined;
  }
};

/** The frame as a client message, or the field errors that make it none. */
const parse = (body: string | null | undefined): ClientMessage | ValidationError => {
  let frame: unknown;
  try {
    frame = JSON.parse(body ?? '');
  } catch {
    return new ValidationError([{ path: '', message: 'must be a JSON object' }], 'The message is not JSON.');
  }
  const action = (frame as { action?: unknown } | null)?.action;
  const check = typeof action === 'string' ? checks[action] : undefined;
  if (!check) {
    return new ValidationError(
      [{ path: '/action', message: `must be one of ${Object.keys(CLIENT_MESSAGES).join(', ')}` }],
      'The message names no known action.',
    );
  }
  try {
    return check(frame) as ClientMessage;
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
};

/** `subscribe`, `unsubscribe`, `ping`, `ask` and anything else (`$default`): replies go back over the connection. */
export const handler = wsRoute('wsMessage', async (event, { metrics }) => {
  const deps = realtimeDeps(callbackUrlOf(event));
  const connectionId = event.requestContext.connectionId;
  if (!(await admitFrame(deps, wsRateLimiter(config().rateLimit), connectionId, metrics))) return;
  const message = parse(event.body);
  if (message instanceof ValidationError) {
    const errors = (message.details as { errors: [] }).errors;
    const id = askIdOf(event.body);
    await refuseClientMessage(deps, {
      connectionId,
      message: message.message,
      errors,
      ...(id === undefined ? {} : { id }),
    });
    return;
  }
  await answerClientMessage(deps, { connectionId, message, requestId: event.requestContext.requestId });
});
