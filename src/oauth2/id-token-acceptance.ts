/**
 * What a fresh token set's ID token must pass before the login is accepted (OIDC Core section
 * 3.1.3.7): its claims always, its signature when the issuer publishes a JWKS (fetched once, and
 * again on an unknown `kid`), the same subject across a refresh; and the username it names.
 */
import type { JWK } from 'jose';
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext, TokenSet } from '../protocol.js';
import { publicJwk, type DPoPKey } from './dpop.js';
import { tenantIssuer, TENANT_PLACEHOLDER, type ServerMetadata } from './discovery.js';
import { checkIdTokenClaims, decodeJwt, type IdTokenClaims } from './id-token.js';
import { fetchJwks, verifyJwtSignature } from './id-token-signature.js';
import type { ProviderHabits } from './options.js';

/** What the checks need from the protocol's options and its server. */
export interface IdTokenAcceptanceOptions {
  clientId: string;
  /** Tolerated clock difference for `exp` / `iat`, in milliseconds. */
  clockSkewMs: number;
  /** Per-request deadline for the JWKS, in milliseconds. */
  timeoutMs: number;
  habits: ProviderHabits;
  metadata(ctx: ProtocolContext): Promise<ServerMetadata>;
}

/** The expectations of one acceptance: whom the token must come from and for which request. */
export interface IdTokenExpected {
  /** The issuer of the login; an ID token cannot be checked without one (ERR_CONFIG). */
  issuer: string | undefined;
  /** The nonce of the authorization request; set means an ID token is required. */
  nonce: string | undefined;
  /** The stored set a refresh replaces: the new ID token must name the same subject. */
  previous?: TokenSet;
}

/** Checks a fresh token set's ID token and returns the set with `username` from its claims. */
export type AcceptIdToken = (ctx: ProtocolContext, token: TokenSet, expected: IdTokenExpected) => Promise<TokenSet>;

/** The ID token check of one protocol instance, with its JWKS cache. */
export function createIdTokenAcceptance(options: IdTokenAcceptanceOptions): AcceptIdToken {
  const { habits } = options;
  let cachedKeys: Promise<JWK[]> | undefined;

  function loadKeys(ctx: ProtocolContext, jwksUri: string, refresh: boolean): Promise<JWK[]> {
    if (refresh || !cachedKeys) {
      cachedKeys = fetchJwks(ctx, jwksUri, options.timeoutMs);
      // A failed fetch (network, cancelled) must not poison later logins.
      cachedKeys.catch(() => (cachedKeys = undefined));
    }
    return cachedKeys;
  }

  /** The `iss` an ID token must carry: the issuer, a tenant template filled with its `tid`, or a known alias. */
  function expectedIssuer(issuer: string, payload: Record<string, unknown>): string {
    if (issuer.includes(TENANT_PLACEHOLDER) && habits.tenantAliases) {
      const filled = tenantIssuer(issuer, payload.tid);
      if (filled === undefined)
        throw new AuthError(
          'ERR_BAD_RESPONSE',
          'The ID token is not valid: it names no tenant (tid) for a multi-tenant issuer.',
        );
      return filled;
    }
    if (typeof payload.iss === 'string' && habits.idTokenIssuerAliases?.includes(payload.iss)) return payload.iss;
    return issuer;
  }

  return async (ctx, token, { issuer, nonce, previous }) => {
    if (!token.idToken) {
      if (nonce !== undefined)
        throw new AuthError('ERR_BAD_RESPONSE', 'The token endpoint sent no ID token for an OpenID Connect login.');
      return token;
    }
    if (issuer === undefined)
      throw new AuthError('ERR_CONFIG', 'An ID token cannot be checked without a configured issuer.');
    const jwt = decodeJwt(token.idToken);
    const claims = checkIdTokenClaims(jwt.payload, {
      issuer: expectedIssuer(issuer, jwt.payload),
      clientId: options.clientId,
      ...(nonce === undefined ? {} : { nonce }),
      now: ctx.clock.now(),
      skewMs: options.clockSkewMs,
    });
    const { jwks_uri: jwksUri } = await options.metadata(ctx);
    if (jwksUri !== undefined)
      await verifyJwtSignature(jwt, (refresh) => loadKeys(ctx, jwksUri, refresh), { signal: ctx.signal });
    if (previous?.idToken) {
      const before = decodeJwt(previous.idToken).payload;
      if (before.sub !== claims.sub)
        throw new AuthError('ERR_BAD_RESPONSE', 'The refreshed ID token is for another user.');
    }
    return { ...token, username: displayName(claims) };
  };
}

/**
 * A new login that brought no refresh token keeps the stored one, when both ID tokens name the
 * same issuer and subject: Google sends a refresh token only on the first consent, and a login
 * after it must not lose what it had. Without ID tokens to compare, nothing is carried over, and
 * neither is a refresh token bound to a DPoP key the new login does not hold (each login makes a
 * new key, so the old refresh token could only fail, and its key is deleted with the old entry).
 * @see RFC 6749 section 6; RFC 9449 section 5 (refresh tokens of public clients are key-bound)
 */
export function keepRefreshToken(fresh: TokenSet, stored: TokenSet): TokenSet {
  if (fresh.refreshToken !== undefined || stored.refreshToken === undefined || !fresh.idToken || !stored.idToken)
    return fresh;
  if (stored.dpopKey !== undefined && !sameDpopKey(stored.dpopKey, fresh.dpopKey)) return fresh;
  let same = false;
  try {
    const a = decodeJwt(fresh.idToken).payload;
    const b = decodeJwt(stored.idToken).payload;
    same = typeof a.sub === 'string' && a.sub === b.sub && a.iss === b.iss;
  } catch {
    return fresh;
  }
  if (!same) return fresh;
  const kept: TokenSet = { ...fresh, refreshToken: stored.refreshToken };
  if (stored.refreshExpiresAt !== undefined) kept.refreshExpiresAt = stored.refreshExpiresAt;
  return kept;
}

/** The same key pair: the same public members (and so the same RFC 7638 thumbprint). */
function sameDpopKey(a: DPoPKey, b: DPoPKey | undefined): boolean {
  return b !== undefined && a.alg === b.alg && JSON.stringify(publicJwk(a)) === JSON.stringify(publicJwk(b));
}

function displayName(claims: IdTokenClaims): string {
  for (const key of ['preferred_username', 'email', 'name'] as const) {
    const value = claims[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return claims.sub;
}
