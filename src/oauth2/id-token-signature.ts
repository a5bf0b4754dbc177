/**
 * ID token signature verification against the issuer's JWKS, on `jose` (panva): RS*, PS*, ES*
 * and EdDSA, never HMAC or "none". The JWKS is fetched through our own HttpClient (proxy, deadline,
 * size limit, abort); jose imports keys and checks the signature.
 *
 * The key set comes from the network, so the work it can cause is bounded before any key is
 * imported: keys are selected by kty, crv, kid, use, key_ops and alg with string comparisons
 * only; RSA moduli and exponents over sane sizes are dropped unimported; at most
 * MAX_KEYS_TRIED keys are imported per token. An unknown kid refetches the key set once, since
 * servers rotate keys.
 */
import type { CryptoKey, JWK } from 'jose';
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext } from '../protocol.js';
import { parseJsonObject } from './http.js';
import type { DecodedJwt } from './id-token.js';
import { assertSafeUrl } from './url-safety.js';

/** The signature algorithms an ID token may use, with the key type (and curve) each needs. */
const ALGORITHMS: Record<string, { kty: 'RSA' | 'EC' | 'OKP'; crv?: string }> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
};

/** Keys imported and tried for one token, at most (a kid normally names exactly one). */
export const MAX_KEYS_TRIED = 3;
/** Largest RSA modulus accepted: 16,384 bits, as base64url characters. */
const MAX_RSA_MODULUS_CHARS = Math.ceil((16_384 / 8) * (4 / 3));
/** Largest RSA public exponent accepted: 64 bits (65537 takes 17), as OpenSSL bounds large moduli. */
const MAX_RSA_EXPONENT_CHARS = Math.ceil(8 * (4 / 3));
/** Largest base64url field of an EC or OKP key (P-521 coordinates are 88 characters). */
const MAX_CURVE_FIELD_CHARS = 100;

function invalid(reason: string): AuthError {
  return new AuthError('ERR_BAD_RESPONSE', `The ID token is not valid: ${reason}.`);
}

/** Fetches a JWKS document (RFC 7517 section 5); returns its keys, unimported. */
export async function fetchJwks(ctx: ProtocolContext, jwksUri: string, timeoutMs: number): Promise<JWK[]> {
  assertSafeUrl(jwksUri, 'JWKS URI');
  const response = await ctx.http.send({
    method: 'GET',
    url: jwksUri,
    headers: { accept: 'application/json' },
    timeoutMs,
    signal: ctx.signal,
  });
  if (response.status !== 200) {
    throw new AuthError('ERR_BAD_RESPONSE', `The JWKS endpoint answered HTTP ${response.status}.`, {
      status: response.status,
      retryable: response.status >= 500,
    });
  }
  const keys = parseJsonObject(response.body, 'JWKS endpoint', 200).keys;
  if (!Array.isArray(keys)) throw new AuthError('ERR_BAD_RESPONSE', 'The JWKS document has no keys.');
  return keys.filter((k): k is JWK => typeof k === 'object' && k !== null && !Array.isArray(k));
}

const isShortString = (value: unknown, max: number) =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

/** Whether a key's own fields are small enough to import at all (no CPU spent on a hostile one). */
function withinBounds(key: JWK): boolean {
  if (key.kty === 'RSA')
    return isShortString(key.n, MAX_RSA_MODULUS_CHARS) && isShortString(key.e, MAX_RSA_EXPONENT_CHARS);
  if (key.kty === 'EC')
    return isShortString(key.x, MAX_CURVE_FIELD_CHARS) && isShortString(key.y, MAX_CURVE_FIELD_CHARS);
  return isShortString(key.x, MAX_CURVE_FIELD_CHARS);
}

/**
 * The keys of `keys` that may have signed a token with this header, in document order, at most
 * MAX_KEYS_TRIED of them. String comparisons only: nothing is imported here.
 */
export function selectKeys(keys: readonly JWK[], header: Record<string, unknown>): JWK[] {
  const alg = header.alg;
  const spec = typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
  if (spec === undefined) return [];
  const kid = header.kid;
  const selected: JWK[] = [];
  for (const key of keys) {
    if (
      key.kty === spec.kty &&
      (spec.crv === undefined || key.crv === spec.crv) &&
      (kid === undefined || key.kid === kid) &&
      (key.use === undefined || key.use === 'sig') &&
      (key.key_ops === undefined || (Array.isArray(key.key_ops) && key.key_ops.includes('verify'))) &&
      (key.alg === undefined || key.alg === alg) &&
      withinBounds(key)
    ) {
      selected.push(key);
      if (selected.length === MAX_KEYS_TRIED) break;
    }
  }
  return selected;
}

/** How a key is imported; a test counts the calls. */
export type ImportKey = (jwk: JWK, alg: string) => Promise<CryptoKey | Uint8Array>;

/**
 * Verifies `jwt`'s signature against the issuer's key set. `loadKeys(refresh)` returns the cached
 * set, or a fresh one when `refresh` is true (once, when no key matches: key rotation). Rejects
 * with ERR_BAD_RESPONSE (unsupported algorithm, no matching key, bad signature) or
 * ERR_CANCELLED (`signal` aborted between keys).
 */
export async function verifyJwtSignature(
  jwt: DecodedJwt,
  loadKeys: (refresh: boolean) => Promise<JWK[]>,
  options: { signal?: AbortSignal; importKey?: ImportKey } = {},
): Promise<void> {
  const alg = jwt.header.alg;
  if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHMS, alg))
    throw invalid(`its algorithm ${String(alg).slice(0, 10)} is not supported`);
  let keys = selectKeys(await loadKeys(false), jwt.header);
  if (keys.length === 0) keys = selectKeys(await loadKeys(true), jwt.header);
  if (keys.length === 0) throw invalid('no key of the issuer matches it');
  // Loaded here, not at start-up: commands that check no ID token never pay for it.
  const { compactVerify, importJWK } = await import('jose');
  const importKey = options.importKey ?? ((jwk: JWK, a: string) => importJWK(jwk, a));
  const compact = `${jwt.signingInput}.${jwt.signature.toString('base64url')}`;
  for (const jwk of keys) {
    if (options.signal?.aborted) throw new AuthError('ERR_CANCELLED', 'The operation was cancelled.');
    try {
      await compactVerify(compact, await importKey(jwk, alg), { algorithms: [alg] });
      return;
    } catch {
      // An unusable key or a signature it does not verify: try the next candidate.
    }
  }
  throw invalid('its signature does not verify');
}
