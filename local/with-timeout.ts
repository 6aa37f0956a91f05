/**
 * `work`'s result, or `'timed_out'` once `timeoutMs` passed first (the work itself goes on; the
 * caller answers as Lambda does when an invocation outlives its timeout).
 */
export const withTimeout = async <T>(work: Promise<T>, timeoutMs: number): Promise<T | 'timed_out'> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed_out'>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};
