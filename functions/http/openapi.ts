import { httpRoute, ok } from '../shared/http';
import { apiDocument } from '../shared/openapi';
import { systemRoutes } from '../shared/routes/system';
import { config } from '../shared/wiring';

let document: ReturnType<typeof apiDocument> | undefined;

/** `GET /openapi.json`: the OpenAPI 3.1 document, built once per container. */
export const handler = httpRoute(systemRoutes.openapi, async () => {
  document ??= apiDocument(config().serviceVersion);
  return ok(document);
});
