/**
 * Use case dependencies on a test file's own DynamoDB Local tables: the real adapter, the real
 * id generator, hasher and randomness, a fixed clock, and the default settings.
 */
import { sha256Hasher } from '#adapters/system/hasher';
import { createIdGenerator } from '#adapters/system/ids';
import { systemRandom } from '#adapters/system/random';
import type { RequestContext } from '#app/context';
import { registerAgent } from '#app/use-cases/register-agent';
import type { Ports } from '#core/ports';
import { Role } from '#core/roles';
import { DEFAULT_SETTINGS, type Settings } from '#core/settings';
import { unique } from '#test/support/builders';
import type { TestStore } from '#test/support/dynamo';
import { collectingPublisher } from '#test/support/escalations';

/** Every port plus the deployment defaults, as the composition root provides them. */
export type UseCaseDeps = Ports & { readonly defaults: Settings };

/**
 * The stored record of a bearer token (`<id>.<secret>`) as the HTTP chain accepts it, or
 * `undefined` when the token is unknown, revoked or its secret does not match.
 */
export const tokenRecordOf = async (deps: UseCaseDeps, bearer: string) => {
  const [id = '', secret = ''] = bearer.split('.');
  const record = await deps.tokens.get(id);
  return record && deps.hasher.matches(secret, record.secretHash) ? record : undefined;
};

/** The use case dependencies on `store`. */
export const useCaseDeps = (store: TestStore): UseCaseDeps => ({
  ...store.ports,
  clock: store.clock,
  ids: createIdGenerator({ clock: store.clock }),
  random: systemRandom,
  hasher: sha256Hasher,
  escalationPublisher: collectingPublisher(),
  defaults: DEFAULT_SETTINGS,
});

let requests = 0;
const requestId = () => {
  requests += 1;
  return `req-${requests}`;
};

/** The admin token's context. */
export const asAdmin = (): RequestContext => ({
  principal: { role: Role.Admin, id: 'admin' },
  requestId: requestId(),
});

/** The registration key's context. */
export const asRegistration = (): RequestContext => ({
  principal: { role: Role.Registration, id: 'registration' },
  requestId: requestId(),
});

/** An agent token's context. */
export const asAgent = (agentId: string): RequestContext => ({
  principal: { role: Role.Agent, id: agentId, agentId },
  requestId: requestId(),
});

/** Registers `count` agents of `team` through the use case; returns their ids. */
export const registerAgents = async (
  deps: UseCaseDeps,
  count: number,
  options: { team?: string; capacity?: number; capabilities?: string[] } = {},
): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `agent-${unique()}`;
    await registerAgent(deps, asRegistration(), { id, team: options.team ?? 'core', ...options });
    ids.push(id);
  }
  return ids;
};

/** A fresh team name, so tests sharing tables never see each other's ready items. */
export const aTeam = (): string => `team-${unique()}`;
