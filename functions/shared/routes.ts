/**
 * The one route table: method, path, Lambda entry file, roles, and request schemas.
 * CDK (`lib/`), the local gateway (`local/`) and the OpenAPI generator all read it, so it
 * imports schemas and never handlers. Response schemas are attached by `responses`.
 */
import type { TSchema } from '@sinclair/typebox';
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
  readonly tag: 'health' | 'agents' | 'work' | 'teams' | 'audit' | 'admin' | 'docs';
  readonly body?: TSchema;
  readonly query?: TSchema;
  readonly params?: TSchema;
  /** Largest accepted body. @default 64 KiB */
  readonly maxBodyBytes?: number;
  /** What the function needs from the data stack; CDK grants exactly this. */
  readonly grants: 'read' | 'readWrite';
}

const { Admin, Viewer, Agent, Registration } = Role;
const viewerPlus = [Admin, Viewer] as const;

const route = (definition: Omit<RouteDefinition, 'entry'> & { file: string }): RouteDefinition => {
  const { file, ...rest } = definition;
  return { ...rest, entry: `functions/http/${file}.ts` };
};

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
  }),
  route({
    id: 'heartbeat',
    method: 'POST',
    path: '/v1/agents/{id}/heartbeat',
    file: 'heartbeat',
    access: [Agent],
    tag: 'agents',
    summary: "Report liveness (renews the agent's leases)",
    params: IdParams,
    body: HeartbeatBody,
    grants: 'readWrite',
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
  }),
] as const satisfies readonly RouteDefinition[];

/** A route id. */
export type RouteId = (typeof ROUTES)[number]['id'];

/** The route with this id. */
export const routeById = (id: RouteId): RouteDefinition => {
  const found = ROUTES.find((r) => r.id === id);
  if (!found) throw new Error(`No route ${id}`);
  return found;
};
