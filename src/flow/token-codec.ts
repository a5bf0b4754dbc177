import { AuthError } from '../../adapters/errors.js';
import type { TokenSet } from '../../machines/types.js';
import { isDpopKey } from '../oauth2/dpop.js';
import { isTokenSyntax } from '../token-syntax.js';

/** Stored form of a token set: versioned JSON, so a later format can still read old entries. */
export function encodeTokenSet(token: TokenSet): string {
  return JSON.stringify({ v: 1, token });
}

export function decodeTokenSet(secret: string, location: string): TokenSet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    throw new AuthError('ERR_STORAGE', `The stored login in ${location} is unreadable. Log out and log in again.`);
  }
  const token = (parsed as { token?: Partial<TokenSet> } | null)?.token;
  if (
    // Another version's entry (a rolling deploy runs two at once) is not read as this one's.
    (parsed as { v?: unknown } | null)?.v !== 1 ||
    !token ||
    typeof token !== 'object' ||
    typeof token.accessToken !== 'string' ||
    token.accessToken === '' ||
    !wellTyped(token)
  ) {
    throw new AuthError('ERR_STORAGE', `The stored login in ${location} is unreadable. Log out and log in again.`);
  }
  return token as TokenSet;
}

const OPTIONAL_STRINGS = ['refreshToken', 'tokenType', 'scope', 'idToken', 'username'] as const;

/** Tokens are 1*VSCHAR (RFC 6749 Appendix A): what `token` prints and `call` sends is one clean line. */
const TOKENS = ['accessToken', 'refreshToken', 'idToken'] as const;

/**
 * A tampered or half-written entry must not hand the flow a number where a string belongs, a
 * token with a line break, nor a DPoP token without the key it is bound to (RFC 9449: it could
 * never be used).
 */
function wellTyped(token: Partial<TokenSet>): boolean {
  if (OPTIONAL_STRINGS.some((key) => token[key] !== undefined && typeof token[key] !== 'string')) return false;
  if (TOKENS.some((key) => typeof token[key] === 'string' && token[key] !== '' && !isTokenSyntax(token[key])))
    return false;
  if (token.dpopKey !== undefined && !isDpopKey(token.dpopKey)) return false;
  if (token.tokenType?.toLowerCase() === 'dpop' && token.dpopKey === undefined) return false;
  // A time a Date cannot hold (beyond 8.64e15 ms) would break every place that shows or compares it.
  return (['expiresAt', 'refreshExpiresAt'] as const).every(
    (key) =>
      token[key] === undefined ||
      (typeof token[key] === 'number' && Number.isFinite(token[key]) && Math.abs(token[key]) <= 8.64e15),
  );
}

/** A token that has expired and cannot be refreshed is as good as none. */
export function isUsable(token: TokenSet, now: number): boolean {
  if (token.expiresAt === undefined || token.expiresAt > now) return true;
  return (
    typeof token.refreshToken === 'string' && (token.refreshExpiresAt === undefined || token.refreshExpiresAt > now)
  );
}

/** Can be sent as it is: no expiry, or more than `skewMs` left (an expiring token without a refresh token is sent while it lasts). */
export function isFresh(token: TokenSet, now: number, skewMs: number): boolean {
  if (token.expiresAt === undefined) return true;
  if (typeof token.refreshToken !== 'string') return token.expiresAt > now;
  return token.expiresAt - skewMs > now;
}

/** The same grant as last seen: same access and refresh token. */
export function sameToken(a: TokenSet, b: TokenSet): boolean {
  return a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;
}
