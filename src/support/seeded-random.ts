/**
 * A small seeded PRNG (mulberry32): the only source of randomness of the simulator, the fake runtime and the
 * benches' generated tools, so that a seed replays a run.
 */

/** Uniform numbers in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** `length` characters of [a-z0-9]. */
  word(length: number): string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function createPrng(seed: number): Prng {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    word: (length) => Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(''),
  };
}
