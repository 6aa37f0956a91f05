/**
 * `POST /v1/ai/query` from the function URL `AiQueryStreamUrl` (AWS): the same route handler as
 * the HTTP API's, and with `?stream=1` the answer's server-sent events (`ai.delta` ... `ai.done`)
 * reach the client as Claude writes them, which API Gateway's buffered integration cannot do.
 */
import { handler as queryRoute } from '../http/ai-query';
import { aiRoutes } from '../shared/routes/ai';
import { streamingRoute } from './streaming';

export const handler = streamingRoute(aiRoutes.aiQuery, queryRoute);
