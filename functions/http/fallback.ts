/**
 * API Gateway's `$default` route: every request no route of the table takes (API Gateway routes
 * only each route's exact method and path). It answers what the local gateway answers itself
 * (`#app/edge`), through the same matcher: 405 with `allow` for a known path and another method,
 * 204 with `allow` (and the CORS preflight where configured) for `OPTIONS`, and API Gateway's own
 * 404 `{"message":"Not Found"}` for a path no route takes. It reads no store and no secret.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '#app/config';
import { edgeAnswer, NOT_FOUND_BODY } from '#app/edge';
import { routeMatcher } from '#app/route-matcher';
import { ROUTES } from '../shared/routes';

const match = routeMatcher(ROUTES);
let corsOrigins: readonly string[] | undefined;

/** Answers a request no route took. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  corsOrigins ??= loadConfig().corsOrigins;
  const method = event.requestContext.http.method;
  const rawPath = event.rawPath;
  const resolution = match(method, rawPath);
  // A request the table takes never comes here (each route, HEAD included, is its own API route).
  if (resolution.kind === 'matched') {
    return {
      statusCode: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(NOT_FOUND_BODY),
    };
  }
  return edgeAnswer(resolution, {
    method,
    rawPath,
    requestId: event.requestContext.requestId,
    origin: event.headers?.origin,
    corsOrigins,
  });
};
