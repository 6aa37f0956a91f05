import { describe, expect, it } from 'vitest';
import { sha256Hasher } from '#adapters/system/hasher';

describe('sha256Hasher', () => {
  it('hashes to the base64url SHA-256 digest', () => {
    expect(sha256Hasher.hash('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('matches a secret against its own hash', () => {
    expect(sha256Hasher.matches('s3cret', sha256Hasher.hash('s3cret'))).toBe(true);
  });

  it('refuses another secret, an empty hash and a truncated hash', () => {
    const stored = sha256Hasher.hash('s3cret');

    expect(sha256Hasher.matches('s3cret!', stored)).toBe(false);
    expect(sha256Hasher.matches('s3cret', '')).toBe(false);
    expect(sha256Hasher.matches('s3cret', stored.slice(0, 20))).toBe(false);
  });
});
