import { askQuestion } from '#app/use-cases/ai/ask-question';
import { eventStream, httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

const STREAMED = new Set(['1', 'true']);

/**
 * `POST /v1/ai/query`: an answer from the live state. With `?stream=1` the answer comes as
 * server-sent events, `ai.delta` `{text}` per piece then `ai.done` with the whole reply.
 */
export const handler = httpRoute(routes.aiQuery, async ({ ctx, body, query }) => {
  if (!STREAMED.has(query.stream ?? '')) return ok(await askQuestion(deps(), ctx, body.question));
  const events: { event: string; data: unknown }[] = [];
  const reply = await askQuestion(deps(), ctx, body.question, (text) =>
    events.push({ event: 'ai.delta', data: { text } }),
  );
  return eventStream([...events, { event: 'ai.done', data: reply }]);
});
