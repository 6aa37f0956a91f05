import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretHasher } from '#core/ports';

const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

/**
 * SHA-256 of bearer secrets, stored as base64url. Secrets are 256-bit random values, so a fast
 * hash is enough (nothing to brute-force); comparison is constant-time so a caller cannot learn
 * a stored hash byte by byte.
 */
export const sha256Hasher: SecretHasher = {
  hash: (secret) => digest(secret).toString('base64url'),
  matches: (secret, hash) => {
    const stored = Buffer.from(hash, 'base64url');
    const presented = digest(secret);
    return stored.length === presented.length && timingSafeEqual(stored, presented);
  },
};
