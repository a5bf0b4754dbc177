/**
 * ID token claim checks (OIDC Core 3.1.3.7). The token comes straight from the token endpoint
 * over TLS, which the spec accepts in place of a signature check for the code flow; the claims
 * still have to be ours: issuer, audience, nonce, expiry.
 */
import { AuthError } from '../../adapters/errors.js';
import { fromBase64url } from './encoding.js';

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  azp?: string;
  [claim: string]: unknown;
}

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** Required on the code exchange; refreshed ID tokens carry none (or the first one). */
  nonce?: string;
  now: number;
  /** Tolerated clock difference with the server. */
  skewMs?: number;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

function invalid(reason: string): AuthError {
  return new AuthError('ERR_BAD_RESPONSE', `The ID token is not valid: ${reason}.`);
}

function decodeJson(part: string): Record<string, unknown> {
  const bytes = fromBase64url(part);
  if (bytes === null) throw invalid('it is not base64url');
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw invalid('it is not a JSON object');
}

/** Splits a compact JWS. Encrypted (5-part) tokens and alg "none" are refused. */
export function decodeJwt(jwt: string): DecodedJwt {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw invalid('it is not a signed JWT');
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h);
  if (typeof header.alg !== 'string' || header.alg === 'none') throw invalid('it is unsigned');
  const signature = fromBase64url(s);
  if (signature === null || signature.length === 0) throw invalid('its signature is malformed');
  return { header, payload: decodeJson(p), signingInput: `${h}.${p}`, signature };
}

/** Checks iss, aud (and azp), exp, iat and nonce. Returns the claims. */
export function checkIdTokenClaims(payload: Record<string, unknown>, expected: IdTokenExpectations): IdTokenClaims {
  const skew = expected.skewMs ?? 60_000;
  if (payload.iss !== expected.issuer) throw invalid('it was issued by another issuer');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw invalid('it has no subject');
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(expected.clientId)) throw invalid('it is meant for another client');
  if (audiences.length > 1 && payload.azp !== undefined && payload.azp !== expected.clientId) {
    throw invalid('it was issued to another authorized party');
  }
  if (typeof payload.exp !== 'number' || payload.exp * 1000 + skew <= expected.now) throw invalid('it has expired');
  if (typeof payload.iat !== 'number') throw invalid('it has no issue time');
  if (expected.nonce !== undefined && payload.nonce !== expected.nonce) throw invalid('its nonce does not match');
  return payload as IdTokenClaims;
}
