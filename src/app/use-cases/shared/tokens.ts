import type { Ports, TokenRecord } from '#core/ports';

/** A freshly drawn bearer token: its public id, the `<tokenId>.<secret>` string shown once, and the record to store. */
export interface DrawnToken {
  readonly id: string;
  readonly bearer: string;
  readonly record: TokenRecord;
}

/** Draw a new bearer token; only the hash of its secret is ever stored. */
export const drawToken = (
  deps: Pick<Ports, 'ids' | 'hasher'>,
  fields: Omit<TokenRecord, 'id' | 'secretHash'>,
): DrawnToken => {
  const id = deps.ids.tokenId();
  const secret = deps.ids.secret();
  return { id, bearer: `${id}.${secret}`, record: { ...fields, id, secretHash: deps.hasher.hash(secret) } };
};
