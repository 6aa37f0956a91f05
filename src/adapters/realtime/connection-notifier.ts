/**
 * Posts to WebSocket connections through the API Gateway management API (`PostToConnection`).
 * Locally the same client talks to the local WebSocket server's `@connections` endpoint.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { UnavailableError } from '#core/errors';
import type { ConnectionNotifier, PostOutcome } from '#core/realtime/ports';
import { type ClientOptions, clientConfig } from '../client-config';
import type { LazyClient } from '../lazy-client';

/** The management API client package, loaded on first use (see `LazyClient`). */
const managementSdk = () => import('@aws-sdk/client-apigatewaymanagementapi');

/** A management API client for the WebSocket API whose callback URL is `endpoint`. */
export const createManagementClient = async (
  options: ClientOptions & { readonly endpoint: string },
): Promise<ApiGatewayManagementApiClient> =>
  new (await managementSdk()).ApiGatewayManagementApiClient(
    clientConfig({ requestTimeoutMs: 5000, ...options }, 256),
  );

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/** The error left over from a failed post: gone, worth a retry, or a bug of ours. */
const isGone = (error: unknown): boolean =>
  (error as { name?: string })?.name === 'GoneException' || statusOf(error) === 410;

/**
 * The {@link ConnectionNotifier} on a management API client: `gone` for a connection that no
 * longer exists, `UnavailableError` for throttling, 5xx and network failures.
 */
export const createConnectionNotifier = (
  client: LazyClient<ApiGatewayManagementApiClient>,
): ConnectionNotifier => ({
  async post(connectionId: string, payload: string): Promise<PostOutcome> {
    try {
      const [{ PostToConnectionCommand }, management] = await Promise.all([managementSdk(), client()]);
      await management.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(payload) }),
      );
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      const status = statusOf(error);
      // A 4xx other than throttling is a message API Gateway will never take (e.g. too large):
      // retrying it would not help, so it is reported as a bug, not an outage.
      if (status !== undefined && status < 500 && status !== 429) {
        throw new Error(`PostToConnection to ${connectionId} was refused (${status}).`, { cause: error });
      }
      throw new UnavailableError('The WebSocket management API is busy or unreachable.', { cause: error });
    }
  },
});
