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
    if (method === 'POST') headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    const retries = options.retries ?? this.options.retries ?? 3;

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
