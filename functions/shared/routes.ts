/**
 * The one route table: method, path, Lambda entry file, roles, and request schemas.
 * CDK (`lib/`), the local gateway (`local/`) and the OpenAPI generator all read it, so it
 * imports schemas and never handlers. Response schemas are attached by `responses`.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { escalationsQueue, heartbeatsQueue } from '#adapters/sqs/queues';
import { AuditQuery, ConfigBody, IssueTokenBody, TeamsQuery } from '#app/schemas/admin';
import {
  HeartbeatBody,
  ListAgentsQuery,
  RegisterAgentBody,
  RetireAgentBody,
  UpdateAgentBody,
} from '#app/schemas/agents';
import { IdParams } from '#app/schemas/common';
import {
  EscalationIdParams,
  EscalationPage,
  EscalationView,
  ListEscalationsQuery,
  ResolveEscalationBody,
} from '#app/schemas/escalations';
import { IMPORT_MAX_BODY_BYTES, ImportBody, ImportResult } from '#app/schemas/import';
import {
  AgentPage,
  AgentTokenIssued,
  AgentViewSchema,
  AuditPage,
  ClaimView,
  HealthView,
  RegisterAgentResult,
  SettingsView,
  TeamPage,
  TokenIssued,
  WorkPage,
  WorkView,
} from '#app/schemas/views';
import {
  CancelBody,
  ClaimNextBody,
  ClaimWorkBody,
  CompleteBody,
  CreateWorkBody,
  FailBody,
  ListWorkQuery,
  ProgressBody,
  ReassignBody,
  ReleaseBody,
  RetryBody,
} from '#app/schemas/work';
import type { ErrorCode } from '#core/errors';
import { Role } from '#core/roles';

/** HTTP methods the API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route: roles, plus `public` (no token) for health and the OpenAPI document. */
export type Access = readonly Role[] | 'public';

/** One route of the HTTP API. */
export interface RouteDefinition {
  /** Stable id: the Lambda function's logical name and the OpenAPI operationId. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax, e.g. `/v1/work/{id}/claim`. */
  readonly path: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly access: Access;
  readonly summary: string;
  readonly tag: 'health' | 'agents' | 'work' | 'teams' | 'audit' | 'escalations' | 'admin' | 'docs';
  readonly body?: TSchema;
  readonly query?: TSchema;
  readonly params?: TSchema;
  /** Largest accepted body. @default 64 KiB */
  readonly maxBodyBytes?: number;
  /**
   * The function's timeout, for routes that do much per call (API Gateway waits 30 s at most).
   * @default the CoordFunction default (10 s)
   */
  readonly timeoutSeconds?: number;
  /** What the function needs from the data stack; CDK grants exactly this. */
  readonly grants: 'read' | 'readWrite';
  /**
   * Ids of the queues (`queues.ts`) the handler sends to; CDK grants sending and passes each
   * URL (`COORD_<ID>_QUEUE_URL`).
   * @default none
   */
  readonly sends?: readonly string[];
  /** Success answers by status: the body's schema, or `null` for none (204). */
  readonly responses?: Readonly<Record<number, TSchema | null>>;
  /**
   * Error codes this route answers besides the ones every route of its kind may give
   * (validation, authentication, body size and type, idempotency, unavailable, internal).
   */
  readonly errors?: readonly ErrorCode[];
}

const { Admin, Viewer, Agent, Registration } = Role;
const viewerPlus = [Admin, Viewer] as const;

/** A route as written below: its own schema types stay visible to handlers. */
type RouteSpec = Omit<RouteDefinition, 'entry'> & { readonly file: string };

const route = <const S extends RouteSpec>(definition: S): Omit<S, 'file'> & { readonly entry: string } => {
  const { file, ...rest } = definition;
  return { ...rest, entry: `functions/http/${file}.ts` };
};

/** The OpenAPI document itself (`GET /openapi.json`). */
const OpenApiDocument = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  description: 'An OpenAPI 3.1 document.',
});

const holderConflicts = ['not_found', 'stale_claim'] as const satisfies readonly ErrorCode[];
const claimConflicts = [
  'not_found',
  'already_claimed',
  'not_claimable',
  'capacity_exceeded',
  'missing_capabilities',
  'agent_retiring',
] as const satisfies readonly ErrorCode[];

/** Every HTTP route, in the order the OpenAPI document lists them. */
export const ROUTES = [
  route({
    id: 'health',
    method: 'GET',
    path: '/v1/health',
    file: 'health',
    access: 'public',
    tag: 'health',
    summary: 'Service and store health',
    grants: 'read',
    responses: { 200: HealthView, 503: HealthView },
  }),
  route({
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    file: 'openapi',
    access: 'public',
    tag: 'docs',
    summary: 'This API as an OpenAPI 3.1 document',
    grants: 'read',
    responses: { 200: OpenApiDocument },
  }),

  route({
    id: 'registerAgent',
    method: 'POST',
    path: '/v1/agents',
    file: 'register-agent',
    access: [Registration, Admin],
    tag: 'agents',
    summary: 'Register an agent (its token is shown once)',
    body: RegisterAgentBody,
    grants: 'readWrite',
    responses: { 201: RegisterAgentResult },
    errors: ['agent_exists'],
  }),
  route({
    id: 'listAgents',
    method: 'GET',
    path: '/v1/agents',
    file: 'list-agents',
    access: viewerPlus,
    tag: 'agents',
    summary: 'List agents',
    query: ListAgentsQuery,
    grants: 'read',
    responses: { 200: AgentPage },
  }),
  route({
    id: 'getAgent',
    method: 'GET',
    path: '/v1/agents/{id}',
    file: 'get-agent',
    access: [Admin, Viewer, Agent],
    tag: 'agents',
    summary: 'An agent with health and active claims',
    params: IdParams,
    grants: 'read',
    responses: { 200: AgentViewSchema },
    errors: ['not_found'],
  }),
  route({
    id: 'updateAgent',
    method: 'PATCH',
    path: '/v1/agents/{id}',
    file: 'update-agent',
    access: [Admin, Agent],
    tag: 'agents',
    summary: 'Change capabilities, capacity, metadata or heartbeat interval',
    params: IdParams,
    body: UpdateAgentBody,
    grants: 'readWrite',
    responses: { 200: AgentViewSchema },
    errors: ['not_found'],
  }),
  route({
    id: 'heartbeat',
    method: 'POST',
    path: '/v1/agents/{id}/heartbeat',
    file: 'heartbeat',
    access: [Agent],
    tag: 'agents',
    summary: "Report liveness: queued, applied within about a second (renews the agent's leases)",
    params: IdParams,
    body: HeartbeatBody,
    // Read and write: the token and the Idempotency-Key record live in the Meta table.
    grants: 'readWrite',
    sends: [heartbeatsQueue.id],
    // An agent token names an existing agent, and the route reads nothing else: no 404.
    responses: { 202: null },
  }),
  route({
    id: 'issueAgentToken',
    method: 'POST',
    path: '/v1/agents/{id}/token',
    file: 'issue-agent-token',
    access: [Admin],
    tag: 'agents',
    summary: 'Issue a new agent token; earlier ones stop working',
    params: IdParams,
    grants: 'readWrite',
    responses: { 201: AgentTokenIssued },
    errors: ['not_found'],
  }),
  route({
    id: 'retireAgent',
    method: 'POST',
    path: '/v1/agents/{id}/retire',
    file: 'retire-agent',
    access: [Admin, Agent],
    tag: 'agents',
    summary: 'Retire an agent (drain or release its claims)',
    params: IdParams,
    body: RetireAgentBody,
    grants: 'readWrite',
    responses: { 200: AgentViewSchema },
    errors: ['not_found'],
  }),

  route({
    id: 'createWork',
    method: 'POST',
    path: '/v1/work',
    file: 'create-work',
    access: [Admin, Agent],
    tag: 'work',
    summary: 'Create a work item',
    body: CreateWorkBody,
    grants: 'readWrite',
    responses: { 201: WorkView },
    errors: ['unknown_dependency'],
  }),
  route({
    id: 'listWork',
    method: 'GET',
    path: '/v1/work',
    file: 'list-work',
    access: [Admin, Viewer, Agent],
    tag: 'work',
    summary: 'List work items',
    query: ListWorkQuery,
    grants: 'read',
    responses: { 200: WorkPage },
  }),
  route({
    id: 'claimNext',
    method: 'POST',
    path: '/v1/work/claim-next',
    file: 'claim-next',
    access: [Agent],
    tag: 'work',
    summary: 'Claim the most urgent item the agent may take',
    body: ClaimNextBody,
    grants: 'readWrite',
    responses: { 200: ClaimView, 204: null },
    errors: ['not_found', 'agent_retiring'],
  }),
  route({
    id: 'getWork',
    method: 'GET',
    path: '/v1/work/{id}',
    file: 'get-work',
    access: [Admin, Viewer, Agent],
    tag: 'work',
    summary: 'A work item',
    params: IdParams,
    grants: 'read',
    responses: { 200: WorkView },
    errors: ['not_found'],
  }),
  route({
    id: 'claimWork',
    method: 'POST',
    path: '/v1/work/{id}/claim',
    file: 'claim-work',
    access: [Agent],
    tag: 'work',
    summary: 'Claim a specific work item',
    params: IdParams,
    body: ClaimWorkBody,
    grants: 'readWrite',
    responses: { 200: ClaimView },
    errors: claimConflicts,
  }),
  route({
    id: 'reportProgress',
    method: 'POST',
    path: '/v1/work/{id}/progress',
    file: 'report-progress',
    access: [Agent],
    tag: 'work',
    summary: 'Report progress (renews the lease)',
    params: IdParams,
    body: ProgressBody,
    grants: 'readWrite',
    responses: { 200: WorkView },
    errors: holderConflicts,
  }),
  route({
    id: 'completeWork',
    method: 'POST',
    path: '/v1/work/{id}/complete',
    file: 'complete-work',
    access: [Agent],
    tag: 'work',
    summary: 'Complete a claimed item (unblocks dependents)',
    params: IdParams,
    body: CompleteBody,
    grants: 'readWrite',
    responses: { 200: WorkView },
    errors: holderConflicts,
  }),
  route({
    id: 'failWork',
    method: 'POST',
    path: '/v1/work/{id}/fail',
    file: 'fail-work',
    access: [Agent],
    tag: 'work',
    summary: 'Report a failed attempt',
    params: IdParams,
    body: FailBody,
    grants: 'readWrite',
    sends: [escalationsQueue.id],
    responses: { 200: WorkView },
    errors: holderConflicts,
  }),
  route({
    id: 'releaseWork',
    method: 'POST',
    path: '/v1/work/{id}/release',
    file: 'release-work',
    access: [Agent],
    tag: 'work',
    summary: 'Give a claimed item back',
    params: IdParams,
    body: ReleaseBody,
    grants: 'readWrite',
    responses: { 200: WorkView },
    errors: holderConflicts,
  }),
  route({
    id: 'reassignWork',
    method: 'POST',
    path: '/v1/work/{id}/reassign',
    file: 'reassign-work',
    access: [Admin],
    tag: 'work',
    summary: 'Revoke the current claim, optionally giving the item to another agent',
    params: IdParams,
    body: ReassignBody,
    grants: 'readWrite',
    responses: { 200: WorkView },
    errors: [...claimConflicts, 'invalid_state'],
  }),
  route({
    id: 'cancelWork',
    method: 'POST',
    path: '/v1/work/{id}/cancel',
    file: 'cancel-work',
    access: [Admin, Agent],
    tag: 'work',
    summary: 'Cancel an item (admin or its creator)',
    params: IdParams,
    body: CancelBody,
    grants: 'readWrite',
    sends: [escalationsQueue.id],
    responses: { 200: WorkView },
    errors: ['not_found', 'invalid_state'],
  }),
  route({
    id: 'retryWork',
    method: 'POST',
    path: '/v1/work/{id}/retry',
    file: 'retry-work',
    access: [Admin],
    tag: 'work',
    summary: 'Send an escalated or failed item back to ready',
    params: IdParams,
    body: RetryBody,
    grants: 'readWrite',
    responses: { 200: WorkView },
    errors: ['not_found', 'invalid_state'],
  }),

  route({
    id: 'listTeams',
    method: 'GET',
    path: '/v1/teams',
    file: 'list-teams',
    access: [Admin, Viewer, Agent],
    tag: 'teams',
    summary: 'Per team: agents and work by status, and a forecast',
    query: TeamsQuery,
    grants: 'read',
    responses: { 200: TeamPage },
  }),
  route({
    id: 'listAudit',
    method: 'GET',
    path: '/v1/audit',
    file: 'list-audit',
    access: viewerPlus,
    tag: 'audit',
    summary: 'The audit log, newest first',
    query: AuditQuery,
    grants: 'read',
    responses: { 200: AuditPage },
  }),
  route({
    id: 'listEscalations',
    method: 'GET',
    path: '/v1/escalations',
    file: 'list-escalations',
    access: viewerPlus,
    tag: 'escalations',
    summary: 'Open and past escalations, open ones first',
    query: ListEscalationsQuery,
    grants: 'read',
    responses: { 200: EscalationPage },
  }),
  route({
    id: 'resolveEscalation',
    method: 'POST',
    path: '/v1/escalations/{id}/resolve',
    file: 'resolve-escalation',
    access: [Admin],
    tag: 'escalations',
    summary: 'Resolve an escalation (the work item is not changed)',
    params: EscalationIdParams,
    body: ResolveEscalationBody,
    grants: 'readWrite',
    responses: { 200: EscalationView },
    errors: ['not_found'],
  }),
  route({
    id: 'getConfig',
    method: 'GET',
    path: '/v1/config',
    file: 'get-config',
    access: viewerPlus,
    tag: 'admin',
    summary: 'Runtime settings',
    grants: 'read',
    responses: { 200: SettingsView },
  }),
  route({
    id: 'updateConfig',
    method: 'PUT',
    path: '/v1/config',
    file: 'update-config',
    access: [Admin],
    tag: 'admin',
    summary: 'Change runtime settings (deep merge)',
    body: ConfigBody,
    grants: 'readWrite',
    responses: { 200: SettingsView },
  }),
  route({
    id: 'issueToken',
    method: 'POST',
    path: '/v1/tokens',
    file: 'issue-token',
    access: [Admin],
    tag: 'admin',
    summary: 'Issue a viewer, admin or registration token (shown once)',
    body: IssueTokenBody,
    grants: 'readWrite',
    responses: { 201: TokenIssued },
  }),
  route({
    id: 'revokeToken',
    method: 'DELETE',
    path: '/v1/tokens/{id}',
    file: 'revoke-token',
    access: [Admin],
    tag: 'admin',
    summary: 'Revoke an issued token',
    params: IdParams,
    grants: 'readWrite',
    responses: { 204: null },
    errors: ['not_found'],
  }),
  route({
    id: 'importRecords',
    method: 'POST',
    path: '/v1/import',
    file: 'import',
    access: [Admin],
    tag: 'admin',
    summary: 'Bulk load of records kept from elsewhere, with their ids, states, times and history',
    body: ImportBody,
    maxBodyBytes: IMPORT_MAX_BODY_BYTES,
    // Up to 500 records, each its own transaction: more than the default 10 s on a slow store.
    timeoutSeconds: 29,
    grants: 'readWrite',
    responses: { 200: ImportResult },
  }),
] as const satisfies readonly RouteDefinition[];

/** A route id. */
export type RouteId = (typeof ROUTES)[number]['id'];

/** One route of the table, with its own schema types. */
export type Route = (typeof ROUTES)[number];

/** The route with this id. */
export const routeById = <I extends RouteId>(id: I): Extract<Route, { id: I }> => {
  const found = ROUTES.find((r) => r.id === id);
  if (!found) throw new Error(`No route ${id}`);
  return found as Extract<Route, { id: I }>;
};

/** Every route by id, e.g. `routes.claimNext`: handlers pick theirs here. */
export const routes = Object.fromEntries(ROUTES.map((r) => [r.id, r])) as {
  readonly [I in RouteId]: Extract<Route, { id: I }>;
};
