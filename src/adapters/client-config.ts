/**
 * Settings every AWS SDK client of the service shares: region, an optional emulator or
 * LocalStack endpoint, credentials, keep-alive connections and bounded connect and request times.
 */

/** Options of an AWS SDK client. */
export interface ClientOptions {
  readonly region: string;
  /**
   * An emulator or LocalStack endpoint.
   * @default the regional AWS endpoint
   */
  readonly endpoint?: string;
  /**
   * Give up on a request after this long (it then counts as unavailable).
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Static credentials.
   * @default the SDK's provider chain; with an `endpoint`, placeholder credentials (emulators accept any)
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Placeholder credentials for emulators, which check none. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The constructor configuration for a client; `maxSockets` bounds concurrent connections. */
export const clientConfig = (options: ClientOptions, maxSockets?: number) => {
  const credentials =
    options.credentials ?? (options.endpoint === undefined ? undefined : EMULATOR_CREDENTIALS);
  const agent = { keepAlive: true, ...(maxSockets !== undefined && { maxSockets }) };
  return {
    region: options.region,
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    ...(credentials !== undefined && { credentials: { ...credentials } }),
    requestHandler: {
      connectionTimeout: 3000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      httpAgent: agent,
      httpsAgent: agent,
    },
  };
};
