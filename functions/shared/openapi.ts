/** The API's OpenAPI document, built from the route table and the error status map. */
import { buildOpenApiDocument, type JsonObject } from '#app/openapi';
import { STATUS } from './errors';
import { ROUTES } from './routes';

/** The OpenAPI 3.1 document of every route, for this service version. */
export const apiDocument = (version: string): JsonObject =>
  buildOpenApiDocument({ routes: ROUTES, statusOf: STATUS, version });
