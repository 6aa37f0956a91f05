/**
 * The one route table, assembled from one module per area (`routes/`). CDK (`lib/`), the local
 * gateway (`local/`) and the OpenAPI generator all read it, so it imports schemas and never
 * handlers. A route's handler file comes from its id and its OpenAPI tag from its path
 * (`#app/route`).
 */
import { type RouteDefinition, routesById } from '#app/route';
import { ADMIN_ROUTES } from './routes/admin';
import { AGENT_ROUTES } from './routes/agents';
import { AI_ROUTES } from './routes/ai';
import { EVENT_ROUTES } from './routes/events';
import { INTEGRATION_ROUTES } from './routes/integrations';
import { MESSAGE_ROUTES } from './routes/messages';
import { METRICS_ROUTES } from './routes/metrics';
import { OVERSIGHT_ROUTES } from './routes/oversight';
import { SYSTEM_ROUTES } from './routes/system';
import { WEBHOOK_ROUTES } from './routes/webhooks';
import { WORK_ROUTES } from './routes/work';

export type { Access, HttpMethod, RouteDefinition } from '#app/route';

/** Every HTTP route, in the order the OpenAPI document lists them. */
export const ROUTES = [
  ...SYSTEM_ROUTES,
  ...AGENT_ROUTES,
  ...WORK_ROUTES,
  ...OVERSIGHT_ROUTES,
  ...METRICS_ROUTES,
  ...ADMIN_ROUTES,
  ...AI_ROUTES,
  ...EVENT_ROUTES,
  ...WEBHOOK_ROUTES,
  ...MESSAGE_ROUTES,
  ...INTEGRATION_ROUTES,
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

/** Every route by id, e.g. `routes.claimNext` (a handler takes its route from its area's module). */
export const routes = routesById(ROUTES);
