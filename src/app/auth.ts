/**
 * Who is calling, and may they use this route. `authenticate` turns an `Authorization` header
 * into a `Principal` (or 401); `authorize` checks the route's roles (or 403). Checks that need
 * the body or the stored entity (an agent acting as another, a creator cancelling) belong to
 * the use cases, after validation.
 */
import { ForbiddenError, UnauthorizedError } from '#core/errors';
import { LAST_USE_INTERVAL_SECONDS, type Ports, type TokenRecord } from '#core/ports';
import { type Principal, Role, rolesAdmittedBy } from '#core/roles';
import type { Access } from './route';

/** The deployment's fixed credentials (from config, or Secrets Manager on AWS). */
export interface AuthSecrets {
  /** Bearer token of the built-in admin. @default no built-in admin */
  readonly adminToken?: string;
  /** Bearer key that may only register agents. @default registration needs an issued token */
  readonly registrationKey?: string;
}

/** Principal id of the built-in admin token. */
export const ADMIN_PRINCIPAL_ID = 'admin';
/** Principal id of the deployment's registration key. */
export const REGISTRATION_PRINCIPAL_ID = 'registration';

const BEARER = /^Bearer +([\x21-\x7e]{1,1024}) *$/i;
const ISSUED_TOKEN = /^([A-Za-z0-9_-]{1,128})\.([A-Za-z0-9_-]{1,512})$/;

/** Constant-time equality of a presented credential and a configured one. */
const sameSecret = (hasher: Ports['hasher'], presented: string, expected: string | undefined): boolean =>
  expected !== undefined && hasher.matches(presented, hasher.hash(expected));

/**
 * Keeps `lastUsedAt` of an issued token current to within {@link LAST_USE_INTERVAL_SECONDS}: a
 * write only when the record read is older than that, never a failed request for it.
 */
const recordUse = async (deps: Pick<Ports, 'tokens'>, record: TokenRecord, now: Date): Promise<void> => {
  if (!deps.tokens.recordUse) return;
  const last = record.lastUsedAt === undefined ? Number.NaN : Date.parse(record.lastUsedAt);
  if (now.getTime() - last < LAST_USE_INTERVAL_SECONDS * 1000) return;
  try {
    await deps.tokens.recordUse(record.id, now);
  } catch {
    // The time of last use is a hint for admins; the request it came with goes ahead without it.
  }
};

const fromIssuedToken = async (
  deps: Pick<Ports, 'tokens' | 'hasher' | 'clock'>,
  presented: string,
): Promise<Principal | undefined> => {
  const parts = ISSUED_TOKEN.exec(presented);
  if (!parts) return undefined;
  const [, tokenId = '', secret = ''] = parts;
  const record = await deps.tokens.get(tokenId);
  if (!record || !deps.hasher.matches(secret, record.secretHash)) return undefined;
  const now = deps.clock.now();
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now.getTime()) {
    return undefined;
  }
  await recordUse(deps, record, now);
  if (record.role === Role.Agent) {
    if (!record.agentId) return undefined;
    const agent = { role: Role.Agent, id: record.agentId, agentId: record.agentId };
    return record.limitedToTeam && record.team !== undefined ? { ...agent, team: record.team } : agent;
  }
  return record.team
    ? { role: record.role, id: record.id, team: record.team }
    : { role: record.role, id: record.id };
};

/**
 * The caller named by an `Authorization: Bearer <token>` header: the admin token, the
 * registration key (both compared in constant time), or an issued `<tokenId>.<secret>` token.
 * @throws UnauthorizedError when the header is missing, malformed, matches nothing or has expired
 */
export const authenticate = async (
  deps: Pick<Ports, 'tokens' | 'hasher' | 'clock'>,
  authorization: string | undefined,
  secrets: AuthSecrets,
): Promise<Principal> => {
  const presented = BEARER.exec(authorization ?? '')?.[1];
  if (presented === undefined) throw new UnauthorizedError();
  // Both fixed credentials are always compared, so timing does not tell which one exists.
  const isAdmin = sameSecret(deps.hasher, presented, secrets.adminToken);
  const isRegistration = sameSecret(deps.hasher, presented, secrets.registrationKey);
  if (isAdmin) return { role: Role.Admin, id: ADMIN_PRINCIPAL_ID };
  if (isRegistration) return { role: Role.Registration, id: REGISTRATION_PRINCIPAL_ID };
  const principal = await fromIssuedToken(deps, presented);
  if (!principal) throw new UnauthorizedError('The bearer token is not valid.');
  return principal;
};

/**
 * Whether `principal` may use a route with this access list.
 * @throws ForbiddenError when its role is not listed
 */
export const authorize = (access: Access, principal: Principal): void => {
  if (access === 'public' || rolesAdmittedBy(access).includes(principal.role)) return;
  throw new ForbiddenError(`This route is not open to ${principal.role} tokens.`, { role: principal.role });
};
