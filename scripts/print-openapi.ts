/** Prints the OpenAPI 3.1 document (`npm run openapi > openapi.json`). */
import { loadConfig } from '#app/config';
import { apiDocument } from '#functions/shared/openapi';

process.stdout.write(`${JSON.stringify(apiDocument(loadConfig(process.env).serviceVersion), null, 2)}\n`);
