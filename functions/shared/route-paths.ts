/**
 * Every HTTP route's method and path, in the route table's order: what every handler matches a
 * request's path against (`http.ts`: 405 for a path another route takes). A function's bundle
 * holds this list written out at build time instead (`routePathsModule` in `lib/bundle.ts`), as
 * the table builds every route's schemas when it loads, which no handler needs but its own.
 */
import type { HttpMethod } from '#app/route';
import { ROUTES } from './routes';

/** One route's method and path. */
export interface RoutePath {
  readonly method: HttpMethod;
  readonly path: string;
}

export const ROUTE_PATHS: readonly RoutePath[] = ROUTES.map(({ method, path }) => ({ method, path }));
