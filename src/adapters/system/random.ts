import { randomBytes } from 'node:crypto';
import type { Random } from '#core/ports';

const TWO_TO_32 = 2 ** 32;

/** Uniform randomness in [0, 1) from the operating system's random source. */
export const systemRandom: Random = { next: () => randomBytes(4).readUInt32BE(0) / TWO_TO_32 };
