/**
 * A chain runtime for unit tests of the HTTP chain: fixed credentials, one agent token, and an
 * idempotency store that fails if used (those tests send no Idempotency-Key; keyed requests
 * are tested against DynamoDB Local).
 */
import { sha256Hasher } from '#adapters/system/hasher';
import type { IdempotencyStore, TokenRecord } from '#core/ports';
import { Role } from '#core/roles';
import { createHttpRoute, type HttpRuntime } from '#functions/shared/http';

/** The admin token the runtime accepts. */
export const ADMIN = 'admin-token-for-tests';
/** A bearer token of agent `agent-1`. */
export const AGENT = 'tok_agent.agent-secret';

const agentToken: TokenRecord = {
  id: 'tok_agent',
  secretHash: sha256Hasher.hash('agent-secret'),
  role: Role.Agent,
  agentId: 'agent-1',
  createdAt: '2026-01-01T00:00:00.000Z',
};

const unused = () => Promise.reject(new Error('the idempotency store is not used by this test'));
const untouchedStore: IdempotencyStore = { reserve: unused, complete: unused, release: unused };

/** The runtime described above. */
export const testRuntime: HttpRuntime = {
  ports: () => ({
    tokens: {
      list: async () => ({ items: [] }),
      get: async (id) => (id === agentToken.id ? agentToken : undefined),
    },
    hasher: sha256Hasher,
    idempotency: untouchedStore,
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
  }),
  authSecrets: async () => ({ adminToken: ADMIN }),
};

/** `httpRoute` on the test runtime. */
export const testHttpRoute = createHttpRoute(testRuntime);
