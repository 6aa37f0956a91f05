import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPorts, type DynamoPorts } from '#adapters/dynamo/index';
import type { TokenRecord } from '#core/ports';
import { Role } from '#core/roles';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';

let store: TestStore;
/** Another process of the same deployment, keeping the tokens it reads for one second. */
let other: DynamoPorts;
/** This process, keeping them for thirty seconds. */
let cached: DynamoPorts;

const aToken = (): TokenRecord => ({
  id: `tok_${unique()}`,
  secretHash: 'hash',
  role: Role.Viewer,
  createdAt: '2026-12-05T12:00:00.000Z',
});

const put = (ports: DynamoPorts, token: TokenRecord) =>
  ports.uow.commit({ writes: [{ kind: 'tokenPut', token }], events: [] });
const revoke = (ports: DynamoPorts, token: TokenRecord) =>
  ports.uow.commit({ writes: [{ kind: 'tokenDelete', tokenId: token.id }], events: [] });

beforeAll(async () => {
  store = await createTestStore('token-cache');
  const options = { client: store.client, tablePrefix: store.tablePrefix, readyShards: 4 };
  other = createDynamoPorts({ ...options, tokenCacheSeconds: 1 });
  cached = createDynamoPorts({ ...options, tokenCacheSeconds: 30 });
});

afterAll(async () => {
  await store.cleanup();
});

describe('tokens kept per process', () => {
  it('accepts a token another process revoked while it keeps it, and stops once what it kept expires', async () => {
    const token = aToken();
    await put(store.ports, token);
    expect(await other.tokens.get(token.id)).toEqual(token);

    await revoke(store.ports, token);

    expect(await other.tokens.get(token.id)).toEqual(token);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await other.tokens.get(token.id)).toBeUndefined();
  });

  it('stops accepting a token at once when this process revokes it', async () => {
    const token = aToken();
    await put(store.ports, token);
    expect(await cached.tokens.get(token.id)).toEqual(token);

    await revoke(cached, token);

    expect(await cached.tokens.get(token.id)).toBeUndefined();
  });

  it('keeps no answer for a token that does not exist, so one stored later is found at once', async () => {
    const token = aToken();
    expect(await cached.tokens.get(token.id)).toBeUndefined();

    await put(store.ports, token);

    expect(await cached.tokens.get(token.id)).toEqual(token);
  });
});
