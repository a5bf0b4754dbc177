/**
 * Where the CLI keeps Pocket's consumer key: in the token store next to the token, under a key
 * named by the consumer key's fingerprint. Kept apart from pocket-flow.ts so `status` can read it
 * without loading the machine.
 */
import { pocketStorageKey } from '../pocket/protocol.js';

export const consumerKeyEntry = (fingerprint: string) => `pocket-consumer-key:${fingerprint}`;

export function fingerprintOf(consumerKey: string): string {
  return pocketStorageKey(consumerKey).slice('pocket:'.length);
}
