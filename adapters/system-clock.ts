import { randomBytes } from 'node:crypto';
import type { Clock, RandomSource } from './contracts.js';

/** The real clock: `Date.now()`, milliseconds since the epoch. */
export const systemClock: Clock = { now: () => Date.now() };

/** Cryptographically strong bytes from node:crypto `randomBytes`. */
export const cryptoRandom: RandomSource = { bytes: (length) => new Uint8Array(randomBytes(length)) };

/** A clock that moves only when told to. For tests. */
export class ManualClock implements Clock {
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Deterministic bytes from a seed (xorshift32). For tests only: never for real secrets. */
export function seededRandom(seed = 1): RandomSource {
  let x = seed >>> 0 || 1;
  return {
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out[i] = x & 0xff;
      }
      return out;
    },
  };
}
