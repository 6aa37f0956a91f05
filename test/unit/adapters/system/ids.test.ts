import { describe, expect, it } from 'vitest';
import { createIdGenerator } from '#adapters/system/ids';
import type { Clock } from '#core/ports';

const clockAt = (iso: string): Clock & { set(at: string): void } => {
  let now = new Date(iso);
  return { now: () => now, set: (at) => (now = new Date(at)) };
};

describe('createIdGenerator', () => {
  it('makes work ids with the wi_ prefix and a 26-character ULID', () => {
    const ids = createIdGenerator({ clock: clockAt('2026-01-01T00:00:00.000Z') });

    expect(ids.workId()).toMatch(/^wi_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ids.eventId()).toMatch(/^ev_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('makes work ids that sort by creation time', () => {
    const clock = clockAt('2026-01-01T00:00:00.000Z');
    const ids = createIdGenerator({ clock });
    const made: string[] = [];
    for (const at of ['2026-01-01T00:00:00.001Z', '2026-01-01T00:00:01.000Z', '2027-06-01T00:00:00.000Z']) {
      clock.set(at);
      made.push(ids.workId(), ids.workId());
    }

    const times = made.map((id) => id.slice(3, 13));
    expect([...times].sort()).toEqual(times);
    expect(times[0]).not.toBe(times[2]);
  });

  it('encodes the time exactly as a ULID does', () => {
    const zeros = createIdGenerator({
      clock: clockAt('1970-01-01T00:00:00.000Z'),
      randomBytes: Buffer.alloc,
    });
    const ones = createIdGenerator({
      clock: { now: () => new Date(2 ** 48 - 1) },
      randomBytes: (size) => Buffer.alloc(size, 0xff),
    });

    expect(zeros.workId()).toBe(`wi_${'0'.repeat(26)}`);
    expect(ones.workId()).toBe(`wi_7${'Z'.repeat(25)}`);
  });

  it('makes distinct token ids without the token separator', () => {
    const ids = createIdGenerator({ clock: clockAt('2026-01-01T00:00:00.000Z') });
    const tokenIds = new Set(Array.from({ length: 100 }, () => ids.tokenId()));

    expect(tokenIds.size).toBe(100);
    for (const id of tokenIds) expect(id).toMatch(/^tok_[A-Za-z0-9_-]{22}$/);
  });

  it('makes secrets of 32 random bytes in base64url', () => {
    const ids = createIdGenerator({ clock: clockAt('2026-01-01T00:00:00.000Z') });
    const secret = ids.secret();

    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(ids.secret()).not.toBe(secret);
  });
});
