/**
 * Settings every AWS SDK client of the service shares: region, an optional emulator or
 * LocalStack endpoint, credentials, keep-alive connections and bounded connect and request times.
 * In a Lambda function the request time and retries are sized from the function's timeout, so a
 * call to a store that stalls fails (and the handler answers 503 with Retry-After) before Lambda
 * stops the invocation.
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
   * @default 10000, or sized from `functionTimeoutMs` when that is given
   */
  readonly requestTimeoutMs?: number;
  /**
   * The Lambda function's timeout (`COORD_FUNCTION_TIMEOUT_MS`): attempts and request time are
   * sized so that one call, retries included, ends within {@link callBudgetMs} of it.
   * @default no function timeout: the SDK's three attempts of `requestTimeoutMs` each
   */
  readonly functionTimeoutMs?: number;
  /**
   * Static credentials.
   * @default the SDK's provider chain; with an `endpoint`, placeholder credentials (emulators accept any)
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Placeholder credentials for emulators, which check none. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The longest a connection may take to open. */
const CONNECT_TIMEOUT_MS = 3000;

/** What the SDK's standard retry waits before its first retry, at most (a throttled request: 1 s). */
const RETRY_DELAY_ALLOWANCE_MS = 1000;

/**
 * The time one SDK call may take, retries included, in a function with this timeout: what is
 * left after keeping a fifth of it (at least 1 s) for the handler to answer, log and flush metrics.
 */
export const callBudgetMs = (functionTimeoutMs: number): number =>
  Math.max(200, functionTimeoutMs - Math.max(1000, Math.round(functionTimeoutMs / 5)));

/** Attempts and per-attempt time of one SDK call. */
export interface CallTiming {
  readonly maxAttempts: number;
  readonly requestTimeoutMs: number;
  readonly connectionTimeoutMs: number;
}

/**
 * Attempts and per-attempt time within a function's timeout: two attempts (one retry of a
 * throttled or failed request) sharing {@link callBudgetMs}, one when that leaves an attempt
 * under a second.
 */
export const callTiming = (functionTimeoutMs: number): CallTiming => {
  const budget = callBudgetMs(functionTimeoutMs);
  const maxAttempts = (budget - RETRY_DELAY_ALLOWANCE_MS) / 2 >= 1000 ? 2 : 1;
  const requestTimeoutMs = Math.floor((budget - (maxAttempts - 1) * RETRY_DELAY_ALLOWANCE_MS) / maxAttempts);
  return {
    maxAttempts,
    requestTimeoutMs,
    connectionTimeoutMs: Math.min(CONNECT_TIMEOUT_MS, requestTimeoutMs),
  };
};

/** The constructor configuration for a client; `maxSockets` bounds concurrent connections. */
export const clientConfig = (options: ClientOptions, maxSockets?: number) => {
  const credentials =
    options.credentials ?? (options.endpoint === undefined ? undefined : EMULATOR_CREDENTIALS);
  const agent = { keepAlive: true, ...(maxSockets !== undefined && { maxSockets }) };
  const timing = options.functionTimeoutMs === undefined ? undefined : callTiming(options.functionTimeoutMs);
  return {
    region: options.region,
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    ...(credentials !== undefined && { credentials: { ...credentials } }),
    ...(timing !== undefined && { maxAttempts: timing.maxAttempts }),
    requestHandler: {
      connectionTimeout: timing?.connectionTimeoutMs ?? CONNECT_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? timing?.requestTimeoutMs ?? 10_000,
      // A request over its time fails (TimeoutError, retried, then unavailable) instead of only
      // logging a warning; runtimes with an older SDK treat `requestTimeout` as the socket's idle
      // time, which a stalled store also exceeds.
      throwOnRequestTimeout: true,
      httpAgent: agent,
      httpsAgent: agent,
    },
  };
};
