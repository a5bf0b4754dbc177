/** `state` and `nonce`: fresh random values, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomSource } from '../../adapters/contracts.js';
import { base64url } from './encoding.js';

/** 32 random bytes (256 bits, well above the 128 that RFC 6749 section 10.10 asks for). */
export function randomValue(random: RandomSource, byteLength = 32): string {
  const bytes = random.bytes(byteLength);
  if (bytes.length !== byteLength) throw new TypeError('RandomSource returned the wrong number of bytes');
  return base64url(bytes);
}

/**
 * Compares two strings without leaking where they differ. Both sides are hashed first so the
 * comparison also takes the same time whatever their lengths.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
