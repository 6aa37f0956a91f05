import type { Ports, TokenRecord } from '#core/ports';
import type { RequestContext } from '../context';
import type { TokensQuery } from '../schemas/admin';
import type { TokenPage, TokenView } from '../schemas/views';
import { DEFAULT_PAGE_LIMIT } from './shared/context';

/** What a listing shows of a token: everything but its secret's hash. */
const presentToken = (token: TokenRecord): TokenView => {
  const { secretHash: _hash, limitedToTeam: _limit, ...shown } = token;
  return shown;
};

/**
 * `GET /v1/tokens` (admin): issued tokens, oldest first, a page at a time (one Query of the
 * token index); never a secret.
 */
export const listTokens = async (
  deps: Pick<Ports, 'tokens'>,
  _ctx: RequestContext,
  query: TokensQuery,
): Promise<TokenPage> => {
  const page = await deps.tokens.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_LIMIT });
  return { ...page, items: page.items.map(presentToken) };
};
