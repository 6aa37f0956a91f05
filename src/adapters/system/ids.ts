import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator } from '#core/ports';

/** Crockford's base32: sortable as ASCII, no ambiguous letters. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_BYTES = 10;

const encodeTime = (epochMs: number): string => {
  let rest = epochMs;
  let out = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
};

const encodeRandom = (bytes: Buffer): string => {
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < (bytes.length * 8) / 5; i++) {
    out = ALPHABET.charAt(Number(bits & 31n)) + out;
    bits >>= 5n;
  }
  return out;
};

/** Options of {@link createIdGenerator}. */
export interface IdGeneratorOptions {
  /** Time source of the sortable ids. */
  readonly clock: Clock;
  /** Random source. @default the operating system's (`crypto.randomBytes`) */
  readonly randomBytes?: (size: number) => Buffer;
}

/**
 * Ids and secrets. Work and event ids are ULIDs (48-bit millisecond time + 80 random bits,
 * Crockford base32) behind a prefix, so they sort by creation time; token ids and secrets are
 * plain random base64url (token ids never contain `.`, the separator of `<tokenId>.<secret>`).
 */
export const createIdGenerator = (options: IdGeneratorOptions): IdGenerator => {
  const random = options.randomBytes ?? randomBytes;
  const sortable = (prefix: string) =>
    `${prefix}${encodeTime(options.clock.now().getTime())}${encodeRandom(random(RANDOM_BYTES))}`;
  return {
    workId: () => sortable('wi_'),
    eventId: () => sortable('ev_'),
    messageId: () => sortable('msg_'),
    tokenId: () => `tok_${random(16).toString('base64url')}`,
    secret: () => random(32).toString('base64url'),
  };
};
