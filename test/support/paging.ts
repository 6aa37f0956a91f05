import type { Page, PageRequest } from '#core/ports';

/** Every page of a list, following cursors until a page comes without one (at most `maxPages`). */
export const allPages = async <T, Q extends PageRequest>(
  list: (query: Q) => Promise<Page<T>>,
  query: Omit<Q, 'cursor'>,
  maxPages = 50,
): Promise<Page<T>[]> => {
  const pages: Page<T>[] = [];
  let cursor: string | undefined;
  do {
    const page: Page<T> = await list({ ...query, ...(cursor !== undefined && { cursor }) } as Q);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < maxPages);
  return pages;
};
