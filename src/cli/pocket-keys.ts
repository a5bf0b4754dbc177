/**
 * Where the CLI keeps Pocket's consumer key: in the token store next to the token, under a key
 * named by the consumer key's fingerprint (the library's, see storage-key.ts). Kept apart from
 * pocket-flow.ts so `status` can read it without loading the machine.
 */
export const consumerKeyEntry = (fingerprint: string) => `pocket-consumer-key:${fingerprint}`;
