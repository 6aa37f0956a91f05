/**
 * What names a schema's precompiled validator (see `src/app/validators.ts`): a digest of its
 * profile and its JSON text. TypeBox builds the same schema to the same text, so the build and
 * the running function compute the same key.
 */
import { createHash } from 'node:crypto';

export const schemaKey = (profile: string, schema: unknown): string =>
  createHash('sha256')
    .update(`${profile}\n${JSON.stringify(schema)}`)
    .digest('base64url')
    .slice(0, 22);
