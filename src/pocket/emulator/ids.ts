/**
 * Secrets and identifiers the emulator hands out, shaped like Pocket's real ones so clients that
 * check lengths or patterns behave as they did against the real service.
 */
import type { RandomSource } from '../../../adapters/contracts.js';

function hex(random: RandomSource, length: number): string {
  const bytes = random.bytes(Math.ceil(length / 2));
  return Buffer.from(bytes).toString('hex').slice(0, length);
}

/**
 * A 30-character token shaped like `dcba4321-dcba-4321-dcba-4321dc` (request tokens and access
 * tokens have this shape).
 */
export function newPocketToken(random: RandomSource): string {
  return [hex(random, 8), hex(random, 4), hex(random, 4), hex(random, 4), hex(random, 6)].join('-');
}

/** A consumer key shaped like real ones: `<5 digits>-<24 hex>`. */
export function newConsumerKey(random: RandomSource): string {
  const digits = Array.from(random.bytes(5), (byte) => String(byte % 10)).join('');
  return `${digits}-${hex(random, 24)}`;
}

/** An opaque random value for one authorize page (anti-forgery). */
export function newPageTicket(random: RandomSource): string {
  return Buffer.from(random.bytes(24)).toString('base64url');
}
