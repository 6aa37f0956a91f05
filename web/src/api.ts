/**
 * The HTTP API as the page uses it: bearer token on every call, JSON in and out, and the API's
 * error shape turned into an `ApiError` that keeps the per-field messages of a 400.
 */
import type { Page } from './types';

/** One bad field of a `validation_error`, `path` a JSON pointer (`/leaseSeconds`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** An answer other than 2xx, in the API's error shape when it had one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The per-field messages of a `validation_error`. */
  get fieldErrors(): FieldError[] {
    const errors = this.details.errors;
    if (!Array.isArray(errors)) return [];
    return errors.filter(
      (e): e is FieldError =>
        typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.message === 'string',
    );
  }
}

type Query = Readonly<Record<string, string | number | undefined>>;

const withQuery = (path: string, query: Query = {}): string => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

/** The API, signed in with one token. */
export interface Api {
  get<T>(path: string, query?: Query): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Every page of a list, up to `maxItems`. */
  listAll<T>(path: string, query?: Query, maxItems?: number): Promise<T[]>;
}

const errorOf = async (response: Response): Promise<ApiError> => {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string; details?: object } };
    if (error?.code) {
      return new ApiError(
        response.status,
        error.code,
        error.message ?? error.code,
        (error.details ?? {}) as Record<string, unknown>,
      );
    }
  } catch {
    // Not the API's error shape (a proxy's page, say): fall through to the status line.
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    `${response.status} ${response.statusText}`,
  );
};

/** The API at `baseUrl` (the page's own origin by default), signed in with `token`. */
export const createApi = (token: string, baseUrl = ''): Api => {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await errorOf(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
  const api: Api = {
    get: (path, query) => call('GET', withQuery(path, query)),
    send: (method, path, body) => call(method, path, body),
    listAll: async <T>(path: string, query: Query = {}, maxItems = 1000) => {
      const items: T[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.get<Page<T>>(path, { ...query, limit: 200, cursor });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && items.length < maxItems);
      return items;
    },
  };
  return api;
};
