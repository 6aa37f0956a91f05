/** Agents: registration, reads, changes, heartbeats, tokens and retirement. */
import { heartbeatsQueue } from '#adapters/sqs/queues';
import { defineRoute, routesById } from '#app/route';
import {
  HeartbeatBody,
  IssueAgentTokenBody,
  ListAgentsQuery,
  RegisterAgentBody,
  RetireAgentBody,
  UpdateAgentBody,
} from '#app/schemas/agents';
import { IdParams } from '#app/schemas/common';
import { AgentPage, AgentTokenIssued, AgentViewSchema, RegisterAgentResult } from '#app/schemas/views';
import { Role } from '#core/roles';

const { Admin, Viewer, Agent, Registration } = Role;
const viewerPlus = [Admin, Viewer] as const;

/** Every route under `/v1/agents`. */
export const AGENT_ROUTES = [
  defineRoute({
    id: 'registerAgent',
    method: 'POST',
    path: '/v1/agents',
    access: [Registration, Admin],
    summary: 'Register an agent (its token is shown once)',
    body: RegisterAgentBody,
    grants: 'readWrite',
    responses: { 201: RegisterAgentResult },
    errors: ['agent_exists'],
  }),
  defineRoute({
    id: 'listAgents',
    method: 'GET',
    path: '/v1/agents',
    access: viewerPlus,
    summary: 'List agents',
    query: ListAgentsQuery,
    grants: 'read',
    responses: { 200: AgentPage },
  }),
  defineRoute({
    id: 'getAgent',
    method: 'GET',
    path: '/v1/agents/{id}',
    access: [Admin, Viewer, Agent],
    summary: 'An agent with health and active claims',
    params: IdParams,
    grants: 'read',
    responses: { 200: AgentViewSchema },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'updateAgent',
    method: 'PATCH',
    path: '/v1/agents/{id}',
    access: [Admin, Agent],
    summary: 'Change capabilities, capacity, metadata or heartbeat interval',
    params: IdParams,
    body: UpdateAgentBody,
    grants: 'readWrite',
    responses: { 200: AgentViewSchema },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'heartbeat',
    method: 'POST',
    path: '/v1/agents/{id}/heartbeat',
    access: [Agent],
    summary: "Report liveness: queued, applied within about a second (renews the agent's leases)",
    params: IdParams,
    body: HeartbeatBody,
    // Read and write: the token and the Idempotency-Key record live in the Meta table.
    grants: 'readWrite',
    sends: [heartbeatsQueue.id],
    // An agent token names an existing agent, and the route reads nothing else: no 404.
    responses: { 202: null },
  }),
  defineRoute({
    id: 'issueAgentToken',
    method: 'POST',
    path: '/v1/agents/{id}/token',
    access: [Admin],
    summary: 'Issue a new agent token; earlier ones stop working',
    params: IdParams,
    body: IssueAgentTokenBody,
    grants: 'readWrite',
    responses: { 201: AgentTokenIssued },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'retireAgent',
    method: 'POST',
    path: '/v1/agents/{id}/retire',
    access: [Admin, Agent],
    summary: 'Retire an agent (drain or release its claims)',
    params: IdParams,
    body: RetireAgentBody,
    grants: 'readWrite',
    responses: { 200: AgentViewSchema },
    errors: ['not_found'],
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const agentRoutes = routesById(AGENT_ROUTES);
