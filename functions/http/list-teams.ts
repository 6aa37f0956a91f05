import { listTeams } from '#app/use-cases/list-teams';
import { httpRoute, ok } from '../shared/http';
import { oversightRoutes } from '../shared/routes/oversight';
import { deps } from '../shared/wiring';

/** `GET /v1/teams`: per team, agents and work by status and a forecast. */
export const handler = httpRoute(oversightRoutes.listTeams, async ({ ctx, query }) =>
  ok(await listTeams(deps(), ctx, query)),
);
