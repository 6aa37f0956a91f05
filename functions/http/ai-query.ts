import { askQuestion } from '#app/use-cases/ai/ask-question';
import { httpRoute, liveEventStream, ok } from '../shared/http';
import { aiRoutes } from '../shared/routes/ai';
import { deps } from '../shared/wiring';

const STREAMED = new Set(['1', 'true']);

/**
 * `POST /v1/ai/query`: an answer from the live state. With `?stream=1` the answer comes as
 * server-sent events, `ai.delta` `{text}` per piece as Claude writes it, then `ai.done` with the
 * whole reply (sent as they come locally; together at the end on Lambda's buffered integration).
 */
export const handler = httpRoute(aiRoutes.aiQuery, async ({ ctx, body, query }) => {
  if (!STREAMED.has(query.stream ?? '')) return ok(await askQuestion(deps(), ctx, body.question));
  return liveEventStream(async (send) => {
    const reply = await askQuestion(deps(), ctx, body.question, (text) => send('ai.delta', { text }));
    send('ai.done', reply);
  });
});
