import { readFileSync } from 'node:fs';

/** The service's version from package.json; handlers report it as `COORD_SERVICE_VERSION` in `GET /v1/health`. */
export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
