/** Helpers shared by the benchmarks. */

/** The status `call` reports when no answer came (the connection failed or was reset). */
export const NO_ANSWER = 0;

/**
 * One JSON call to the HTTP API of a running stack. A call that gets no answer (connection refused
 * or reset) reports status {@link NO_ANSWER} with the error, so a benchmark counts it instead of
 * dying mid-run.
 */
export const call = async (
  target: { readonly url: string },
  token: string,
  method: string,
  path: string,
  body?: unknown,
) => {
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return { status: NO_ANSWER, json: { error: String(cause) } };
  }
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
};

/** The `p`th percentile of ascending `sorted` values (nearest rank); NaN when there are none. */
export const percentile = (sorted: number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
};
