import { AuthError } from '../../adapters/errors.js';

/** Longest user id accepted (characters): ids are keys, not payloads. */
export const MAX_USER_ID_LENGTH = 256;

/** In a `u` pattern a pair is one code point: only a surrogate standing alone matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Whether `text` is well-formed Unicode: no lone surrogate, which has no UTF-8 form (a store
 * would keep U+FFFD in its place, so two different keys would become one).
 */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Whether `userId` can name a user: a string of 1 to {@link MAX_USER_ID_LENGTH} UTF-16 code units
 * that is well-formed Unicode. A lone surrogate has no UTF-8 form: Redis (and any UTF-8 store)
 * would get U+FFFD in its place, so "\uD800" and "\uDBFF" would share one key, one login.
 * Ids are compared exactly, code point by code point (no Unicode normalisation: two ids the host
 * keeps apart stay apart).
 */
export function isUserId(userId: unknown): userId is string {
  return typeof userId === 'string' && userId !== '' && userId.length <= MAX_USER_ID_LENGTH && isWellFormedText(userId);
}

/**
 * The token-store key of one user's login with one provider and client: the protocol's own key
 * (issuer or Pocket key fingerprint, client id; no secret) and the host's user id.
 * @throws AuthError ERR_CONFIG for an empty, over-long, ill-formed (lone surrogate) or non-string user id.
 */
export function userStorageKey(storageKey: string, userId: unknown): string {
  if (!isUserId(userId)) {
    throw new AuthError(
      'ERR_CONFIG',
      `A user id must be a string of 1 to ${MAX_USER_ID_LENGTH} characters of well-formed Unicode (no lone surrogate).`,
    );
  }
  return `${storageKey}|user:${userId}`;
}
