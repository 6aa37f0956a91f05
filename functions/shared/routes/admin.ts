/** Administration: runtime settings, issued tokens and bulk import. */
import { defineRoute, routesById } from '#app/route';
import { ConfigBody, IssueTokenBody, TokensQuery } from '#app/schemas/admin';
import { IdParams } from '#app/schemas/common';
import { IMPORT_MAX_BODY_BYTES, ImportBody, ImportResult } from '#app/schemas/import';
import { SettingsView, TokenIssued, TokenPage } from '#app/schemas/views';
import { Role } from '#core/roles';

const { Admin, Viewer } = Role;
const viewerPlus = [Admin, Viewer] as const;

/** Settings, tokens and import. */
export const ADMIN_ROUTES = [
  defineRoute({
    id: 'getConfig',
    method: 'GET',
    path: '/v1/config',
    access: viewerPlus,
    summary: 'Runtime settings',
    grants: 'read',
    responses: { 200: SettingsView },
  }),
  defineRoute({
    id: 'updateConfig',
    method: 'PUT',
    path: '/v1/config',
    access: [Admin],
    summary: 'Change runtime settings (deep merge)',
    body: ConfigBody,
    grants: 'readWrite',
    responses: { 200: SettingsView },
  }),
  defineRoute({
    id: 'issueToken',
    method: 'POST',
    path: '/v1/tokens',
    access: [Admin],
    summary: 'Issue a viewer, admin or registration token (shown once)',
    body: IssueTokenBody,
    grants: 'readWrite',
    responses: { 201: TokenIssued },
  }),
  defineRoute({
    id: 'listTokens',
    method: 'GET',
    path: '/v1/tokens',
    access: [Admin],
    summary: 'Issued tokens, oldest first, never their secrets',
    query: TokensQuery,
    grants: 'read',
    responses: { 200: TokenPage },
  }),
  defineRoute({
    id: 'revokeToken',
    method: 'DELETE',
    path: '/v1/tokens/{id}',
    access: [Admin],
    summary: 'Revoke an issued token',
    params: IdParams,
    grants: 'readWrite',
    responses: { 204: null },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'importRecords',
    method: 'POST',
    path: '/v1/import',
    access: [Admin],
    summary: 'Bulk load of records kept from elsewhere, with their ids, states, times and history',
    body: ImportBody,
    maxBodyBytes: IMPORT_MAX_BODY_BYTES,
    // Up to 500 records, each its own transaction: more than the default 10 s on a slow store.
    timeoutSeconds: 29,
    grants: 'readWrite',
    responses: { 200: ImportResult },
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const adminRoutes = routesById(ADMIN_ROUTES);
