/** Caller roles (API.md "Conventions"); the only place these literals are spelled. */
export const Role = {
  Admin: 'admin',
  Viewer: 'viewer',
  Agent: 'agent',
  Registration: 'registration',
  /** A person on a team: what a viewer may, plus messages in its team (or every team without one). */
  Member: 'member',
} as const;

/** A caller role. */
export type Role = (typeof Role)[keyof typeof Role];

/** All roles. */
export const ROLES: readonly Role[] = Object.values(Role);

/**
 * The roles a route's role list lets in: a member may do whatever a viewer may, so a list that
 * names `viewer` also admits `member` (routes added later stay open to members without naming them).
 */
export const rolesAdmittedBy = (listed: readonly Role[]): Role[] =>
  listed.includes(Role.Viewer) && !listed.includes(Role.Member) ? [...listed, Role.Member] : [...listed];

/** Who an audit event says made a change. */
export const ActorType = { ...Role, System: 'system', Import: 'import' } as const;

/** An audit actor type. */
export type ActorType = (typeof ActorType)[keyof typeof ActorType];

/** The authenticated caller of a request. */
export interface Principal {
  readonly role: Role;
  /** Stable id of the caller: the agent id for agents, the token id for issued tokens, `admin` for the admin token. */
  readonly id: string;
  /** Set for agent principals: the agent the token belongs to. */
  readonly agentId?: string;
  /** Set for team-limited tokens (a registration token may register agents of this team only). */
  readonly team?: string;
}

/**
 * Ids the service itself acts under (the built-in admin token, the registration key, the
 * sweeper and the importer). An agent may not take one: it would share their idempotency scope
 * and their entries in the audit actor index. Compared without case.
 */
export const RESERVED_PRINCIPAL_IDS = ['admin', 'registration', 'system', 'import'] as const;

/** Issued tokens act under their token id, which starts with this; no agent id may. */
export const TOKEN_ID_PREFIX = 'tok_';

/** Integrations act under ids that start with this (`integration:github`); no agent id may. */
export const INTEGRATION_ID_PREFIX = 'integration:';
