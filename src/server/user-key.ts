import { AuthError } from '../../adapters/errors.js';

/** Longest user id accepted (characters): ids are keys, not payloads. */
export const MAX_USER_ID_LENGTH = 256;

/**
 * The token-store key of one user's login with one provider and client: the protocol's own key
 * (issuer or Pocket key fingerprint, client id; no secret) and the host's user id.
 * @throws AuthError ERR_CONFIG for an empty, over-long or non-string user id.
 */
export function userStorageKey(storageKey: string, userId: unknown): string {
  if (typeof userId !== 'string' || userId === '' || userId.length > MAX_USER_ID_LENGTH) {
    throw new AuthError('ERR_CONFIG', `A user id must be a string of 1 to ${MAX_USER_ID_LENGTH} characters.`);
  }
  return `${storageKey}|user:${userId}`;
}
