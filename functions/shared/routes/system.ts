/** Routes anyone may call: the service's health and this API's OpenAPI document. */

import { defineRoute, routesById } from '#app/route';
import { Type } from '#app/schemas/type';
import { HealthView } from '#app/schemas/views';

/** The OpenAPI document itself (`GET /openapi.json`). */
const OpenApiDocument = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  description: 'An OpenAPI 3.1 document.',
});

/** Health and documentation. */
export const SYSTEM_ROUTES = [
  defineRoute({
    id: 'health',
    method: 'GET',
    path: '/v1/health',
    access: 'public',
    summary: 'Service and store health',
    grants: 'read',
    responses: { 200: HealthView, 503: HealthView },
  }),
  defineRoute({
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    summary: 'This API as an OpenAPI 3.1 document',
    grants: 'read',
    responses: { 200: OpenApiDocument },
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const systemRoutes = routesById(SYSTEM_ROUTES);
