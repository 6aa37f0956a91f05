import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROUTE_PATHS } from '#functions/shared/route-paths';
import { ROUTES } from '#functions/shared/routes';
import { ADMIN_ROUTES, adminRoutes } from '#functions/shared/routes/admin';
import { WORK_ROUTES, workRoutes } from '#functions/shared/routes/work';
import { routePathsModule } from '../../../../lib/bundle';
import { PROJECT_ROOT } from '../../../../lib/constructs/coord-function';

describe('the route paths every handler matches requests against', () => {
  it('are the route table’s methods and paths, in its order', () => {
    expect(ROUTE_PATHS).toEqual(ROUTES.map(({ method, path }) => ({ method, path })));
    expect(ROUTE_PATHS.some(({ method, path }) => method === 'POST' && path === '/v1/work/claim-next')).toBe(
      true,
    );
  });

  it('are what a bundle holds in their place, written out at build time', async () => {
    const written = (await import(pathToFileURL(routePathsModule(PROJECT_ROOT)).href)) as {
      ROUTE_PATHS: unknown;
    };
    expect(written.ROUTE_PATHS).toEqual(ROUTE_PATHS);
  });
});

describe('an area’s routes by id', () => {
  it('hold each of its routes under its id, and no other area’s', () => {
    expect(Object.keys(workRoutes)).toEqual(WORK_ROUTES.map((route) => route.id));
    expect(workRoutes.claimNext).toBe(WORK_ROUTES.find((route) => route.id === 'claimNext'));
    expect(Object.values(adminRoutes)).toEqual([...ADMIN_ROUTES]);
    expect(Object.keys(workRoutes).some((id) => id in adminRoutes)).toBe(false);
  });
});
