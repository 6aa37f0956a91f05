/**
 * The HTTP client of `coord`: bearer auth, JSON in and out, the API's error shape turned into
 * `ApiError`, and retries that are safe because every POST carries an `Idempotency-Key`.
 */
import { randomUUID } from 'node:crypto';

/** How long to wait at most for one Retry-After, so a misbehaving server cannot stall a script. */
const MAX_RETRY_AFTER_MS = 30_000;
const BASE_BACKOFF_MS = 500;
const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** An error answer of the API: `{error: {code, message, details}}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string,
    /** The parsed answer body, for answers that are not the error shape (e.g. a 503 health document). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** The service could not be reached (connection refused, reset, DNS). */
export class NetworkError extends Error {}

/** A successful answer. */
export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** A state-changing request kept on disk until the service answers it (see `cli/outbox.ts`). */
export interface PendingRequest {
  readonly key: string;
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly body?: string;
  /** The bearer token it was sent with (files are readable only by the user, as saved tokens are). */
  readonly token?: string;
  readonly recordedAt: string;
  /** Why it is still waiting, once a send failed. */
  readonly lastError?: string;
}

/** Where pending requests are kept. */
export interface OutboxPort {
  /** Records a request before it is sent. */
  keep(request: PendingRequest): Promise<void>;
  /** Forgets it once the service answered (2xx, or a 4xx: it will never apply). */
  drop(key: string): Promise<void>;
  /** Notes that it could not be delivered and stays for a later replay. */
  kept(request: PendingRequest): Promise<void>;
}

/**
 * POSTs whose answer must be read at once, so a late replay would be no use or harm: the ones
 * that hand out a secret or a claim (registration, tokens, claims, whose token would be lost),
 * heartbeats (stale later), and bulk imports (they have their own per-run keys).
 */
const NOT_KEPT: readonly RegExp[] = [
  // Claude's answers change nothing and are read at once.
  /^\/v1\/ai\//,
  /^\/v1\/agents$/,
  /^\/v1\/agents\/[^/]+\/(token|heartbeat)$/,
  /^\/v1\/tokens$/,
  /^\/v1\/work\/claim-next$/,
  /^\/v1\/work\/[^/]+\/claim$/,
  /^\/v1\/import$/,
];

/**
 * Like `Promise.all`, but waits for every request to settle before it reports the first failure,
 * so no request is still on the wire when the command ends.
 */
export const allAnswered = async <T extends readonly unknown[]>(
  requests: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> => {
  const outcomes = await Promise.allSettled(requests);
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
};

/** Whether a request goes through the outbox. */
export const isKeptInOutbox = (method: string, path: string): boolean =>
  method === 'POST' && !NOT_KEPT.some((pattern) => pattern.test(path.split('?')[0] ?? path));

/** Options of one request. */
export interface RequestOptions {
  readonly body?: unknown;
  /** A body already serialized (the importer measures its bytes before sending). */
  readonly rawBody?: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Bearer token for this request; `null` sends none. @default the client's token */
  readonly token?: string | null;
  /** @default a new random key for every POST, reused by its retries */
  readonly idempotencyKey?: string;
  /** @default the client's retries */
  readonly retries?: number;
  /** `false`: not through the outbox (a replay from it). @default kept when {@link isKeptInOutbox} */
  readonly outbox?: boolean;
}

/** Construction options. */
export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly token?: string;
  /** @default 3 */
  readonly retries?: number;
  readonly sleep: (milliseconds: number) => Promise<void>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Keeps state-changing requests until answered. @default none */
  readonly outbox?: OutboxPort;
  /**
   * Runs once before the first request that goes through the outbox path (the outbox's replay:
   * what an outage kept is sent before anything that follows it, and only by a command that
   * talks to the service). @default nothing
   */
  readonly beforeFirstRequest?: () => Promise<void>;
}

const parseBody = (text: string): unknown => {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const toApiError = (status: number, body: unknown, requestId: string | undefined): ApiError => {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
    ?.error;
  if (error && typeof error.code === 'string') {
    const details = typeof error.details === 'object' && error.details !== null ? error.details : {};
    return new ApiError(
      status,
      error.code,
      typeof error.message === 'string' ? error.message : error.code,
      details as Record<string, unknown>,
      requestId,
      body,
    );
  }
  const text = typeof body === 'string' ? body.slice(0, 200) : `HTTP ${status}`;
  return new ApiError(status, `http_${status}`, text, {}, requestId, body);
};

const retryDelay = (headers: Headers | undefined, attempt: number): number => {
  const header = headers?.get('retry-after');
  const seconds = header === null || header === undefined ? Number.NaN : Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  return BASE_BACKOFF_MS * 2 ** attempt;
};

/** A client for one base URL. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  get token(): string | undefined {
    return this.options.token;
  }

  /**
   * Sends a request and returns a 2xx answer.
   * @throws ApiError for any other status, after retrying 429/502/503/504 as told by Retry-After.
   * @throws NetworkError when the service cannot be reached after the retries.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.token === undefined ? this.options.token : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const key = method === 'POST' ? (options.idempotencyKey ?? randomUUID()) : undefined;
    if (key !== undefined) headers['idempotency-key'] = key;
    const retries = options.retries ?? this.options.retries ?? 3;
    if (options.outbox !== false) await this.options.beforeFirstRequest?.();
    const outbox = options.outbox === false ? undefined : this.options.outbox;
    if (!outbox || key === undefined || !isKeptInOutbox(method, path)) {
      return this.exchange<T>(url, method, headers, body, retries);
    }
    const pending: PendingRequest = {
      key,
      method,
      path: `${url.pathname}${url.search}`,
      ...(body === undefined ? {} : { body }),
      ...(token ? { token } : {}),
      recordedAt: new Date().toISOString(),
    };
    await outbox.keep(pending);
    try {
      const answer = await this.exchange<T>(url, method, headers, body, retries);
      await outbox.drop(key);
      return answer;
    } catch (error) {
      if (error instanceof ApiError && error.status < 500 && !RETRIED_STATUSES.has(error.status)) {
        await outbox.drop(key);
      } else await outbox.kept({ ...pending, lastError: (error as Error).message });
      throw error;
    }
  }

  /** One request with its retries. */
  private async exchange<T>(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    retries: number,
  ): Promise<ApiResponse<T>> {
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method, headers, ...(body === undefined ? {} : { body }) });
      } catch (error) {
        if (attempt < retries) {
          await this.options.sleep(retryDelay(undefined, attempt));
          continue;
        }
        throw new NetworkError(`cannot reach ${this.baseUrl}: ${(error as Error).message}`, { cause: error });
      }
      const parsed = parseBody(await response.text());
      if (response.ok) return { status: response.status, body: parsed as T, headers: response.headers };
      if (RETRIED_STATUSES.has(response.status) && attempt < retries) {
        await this.options.sleep(retryDelay(response.headers, attempt));
        continue;
      }
      throw toApiError(response.status, parsed, response.headers.get('x-request-id') ?? undefined);
    }
  }
}
