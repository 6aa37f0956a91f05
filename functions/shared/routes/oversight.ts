/** What people watch: per-team summaries, the audit log and escalations. */

import { defineRoute, routesById } from '#app/route';
import { AuditQuery, TeamsQuery } from '#app/schemas/admin';
import {
  EscalationIdParams,
  EscalationPage,
  EscalationView,
  ListEscalationsQuery,
  ResolveEscalationBody,
} from '#app/schemas/escalations';
import { InvariantList, InvariantNameParams, RepairResultView } from '#app/schemas/invariants';
import { AuditPage, TeamPage } from '#app/schemas/views';
import { Role } from '#core/roles';

const { Admin, Viewer, Agent } = Role;
const viewerPlus = [Admin, Viewer] as const;

/** Teams, audit and escalations. */
export const OVERSIGHT_ROUTES = [
  defineRoute({
    id: 'listTeams',
    method: 'GET',
    path: '/v1/teams',
    access: [Admin, Viewer, Agent],
    summary: 'Per team: agents and work by status, and a forecast',
    query: TeamsQuery,
    grants: 'read',
    responses: { 200: TeamPage },
  }),
  defineRoute({
    id: 'listAudit',
    method: 'GET',
    path: '/v1/audit',
    access: viewerPlus,
    summary: 'The audit log, newest first',
    query: AuditQuery,
    grants: 'read',
    responses: { 200: AuditPage },
  }),
  defineRoute({
    id: 'listEscalations',
    method: 'GET',
    path: '/v1/escalations',
    access: viewerPlus,
    summary: 'Open and past escalations, open ones first',
    query: ListEscalationsQuery,
    grants: 'read',
    responses: { 200: EscalationPage },
  }),
  defineRoute({
    id: 'resolveEscalation',
    method: 'POST',
    path: '/v1/escalations/{id}/resolve',
    access: [Admin],
    summary: 'Resolve an escalation (the work item is not changed)',
    params: EscalationIdParams,
    body: ResolveEscalationBody,
    grants: 'readWrite',
    responses: { 200: EscalationView },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'listInvariants',
    method: 'GET',
    path: '/v1/invariants',
    access: viewerPlus,
    summary: 'Each invariant the sweeper checks, with its last results and examples',
    grants: 'read',
    responses: { 200: InvariantList },
  }),
  defineRoute({
    id: 'repairInvariant',
    method: 'POST',
    path: '/v1/invariants/{name}/repair',
    access: [Admin],
    summary: 'Repair what an invariant check found (each change audited)',
    params: InvariantNameParams,
    grants: 'readWrite',
    responses: { 200: RepairResultView },
    errors: ['not_found'],
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const oversightRoutes = routesById(OVERSIGHT_ROUTES);
