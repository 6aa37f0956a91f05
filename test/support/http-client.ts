/**
 * A small HTTP client for black-box tests of the API: JSON in and out, a bearer token, and the
 * answer's status, headers and parsed body. It never throws on an HTTP status, so tests assert
 * on 4xx answers as plainly as on 2xx ones. Every reply to a documented operation is checked
 * against `/openapi.json` (status documented, JSON body matching its schema): a mismatch throws,
 * so the whole suite keeps the document honest.
 */
import { openApiMismatch, throwOnMismatch } from './openapi-replies';

/** The API's error body (API.md "Conventions"). */
export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** One answer. `body` is the parsed JSON (undefined for an empty body). */
export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
  /** The `error` of an error answer, else undefined. */
  readonly error: ApiError | undefined;
}

/** Options of one request. */
export interface RequestOptions {
  /** Sent as JSON unless `rawBody` is given. */
  readonly body?: unknown;
  /** Sent as is (with `contentType`), for malformed or oversized bodies. */
  readonly rawBody?: string | Uint8Array;
  /** @default application/json when there is a body */
  readonly contentType?: string;
  /** Overrides the client's token; `null` sends no Authorization header. */
  readonly token?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly idempotencyKey?: string;
}

const errorOf = (body: unknown): ApiError | undefined => {
  if (body === null || typeof body !== 'object' || !('error' in body)) return undefined;
  const error = (body as { error: unknown }).error;
  return error !== null && typeof error === 'object' ? (error as ApiError) : undefined;
};

/** Options of a client. */
export interface ClientOptions {
  /**
   * Check every reply against `/openapi.json`. Off only where stand-in handlers answer in the
   * service's place (tests of the local gateway's own mechanics), never in front of the service.
   * @default true
   */
  readonly checkReplies?: boolean;
}

/** A client bound to a base URL and (optionally) a token. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
    readonly options: ClientOptions = {},
  ) {}

  /** The same client acting with another token. */
  as(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token, this.options);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const token = options.token === undefined ? this.token : options.token;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    let body: string | Uint8Array | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let parsed: unknown;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (this.options.checkReplies !== false)
      throwOnMismatch(
        openApiMismatch(
          method,
          `${this.baseUrl}${path}`,
          response.status,
          response.headers.get('content-type'),
          parsed,
        ),
        text,
      );
    return {
      status: response.status,
      headers: response.headers,
      body: parsed as T,
      text,
      error: errorOf(parsed),
    };
  }

  get<T = unknown>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }
  post<T = unknown>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T = unknown>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('PUT', path, { ...options, body });
  }
  patch<T = unknown>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T = unknown>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, options);
  }
}

/**
 * Calls `probe` until `done` accepts its result, or fails after `timeoutMs` with the last result.
 * Tests use this instead of sleeping.
 */
export const pollUntil = async <T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what} not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
