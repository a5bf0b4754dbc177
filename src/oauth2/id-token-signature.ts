/**
 * ID token signature verification with the server's JWKS, on node:crypto alone (no JOSE
 * dependency): RS*, PS*, ES* and EdDSA. Keys are picked by `kid`; an unknown kid refetches the
 * key set once, since servers rotate keys.
 */
import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext } from '../protocol.js';
import { parseJsonObject } from './http.js';
import type { DecodedJwt } from './id-token.js';
import { assertSafeUrl } from './url-safety.js';

interface AlgSpec {
  hash: 'sha256' | 'sha384' | 'sha512' | null;
  kty: 'RSA' | 'EC' | 'OKP';
  pss?: boolean;
  ec?: boolean;
}

const ALGORITHMS: Record<string, AlgSpec> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true },
  PS384: { hash: 'sha384', kty: 'RSA', pss: true },
  PS512: { hash: 'sha512', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC', ec: true },
  ES384: { hash: 'sha384', kty: 'EC', ec: true },
  ES512: { hash: 'sha512', kty: 'EC', ec: true },
  EdDSA: { hash: null, kty: 'OKP' },
};

const SALT_LENGTH = { sha256: 32, sha384: 48, sha512: 64 } as const;

function invalid(reason: string): AuthError {
  return new AuthError('ERR_BAD_RESPONSE', `The ID token is not valid: ${reason}.`);
}

/** Fetches a JWKS document; returns its keys. */
export async function fetchJwks(ctx: ProtocolContext, jwksUri: string, timeoutMs: number): Promise<JsonWebKey[]> {
  assertSafeUrl(jwksUri, 'JWKS URI');
  const response = await ctx.http.send({ method: 'GET', url: jwksUri, headers: { accept: 'application/json' }, timeoutMs, signal: ctx.signal });
  if (response.status !== 200) {
    throw new AuthError('ERR_BAD_RESPONSE', `The JWKS endpoint answered HTTP ${response.status}.`, { status: response.status, retryable: response.status >= 500 });
  }
  const keys = parseJsonObject(response.body, 'JWKS endpoint', 200).keys;
  if (!Array.isArray(keys)) throw new AuthError('ERR_BAD_RESPONSE', 'The JWKS document has no keys.');
  return keys.filter((k): k is JsonWebKey => typeof k === 'object' && k !== null);
}

function candidates(keys: JsonWebKey[], kid: unknown, spec: AlgSpec, alg: string): JsonWebKey[] {
  return keys.filter(
    (k) =>
      k.kty === spec.kty &&
      (kid === undefined || k.kid === kid) &&
      (k.use === undefined || k.use === 'sig') &&
      (k.alg === undefined || k.alg === alg),
  );
}

function verifyWith(jwk: JsonWebKey, jwt: DecodedJwt, spec: AlgSpec): boolean {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return false;
  }
  const data = Buffer.from(jwt.signingInput, 'ascii');
  if (spec.pss) {
    return verify(spec.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_LENGTH[spec.hash!] }, jwt.signature);
  }
  if (spec.ec) return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
  return verify(spec.hash, data, key, jwt.signature);
}

/**
 * Verifies `jwt` against the key set. `loadKeys(refresh)` returns the cached set, or a fresh one
 * when `refresh` is true.
 */
export async function verifyJwtSignature(jwt: DecodedJwt, loadKeys: (refresh: boolean) => Promise<JsonWebKey[]>): Promise<void> {
  const alg = jwt.header.alg as string;
  const spec = ALGORITHMS[alg];
  if (!spec) throw invalid(`its algorithm ${alg.slice(0, 10)} is not supported`);
  let keys = candidates(await loadKeys(false), jwt.header.kid, spec, alg);
  if (keys.length === 0) keys = candidates(await loadKeys(true), jwt.header.kid, spec, alg);
  if (keys.length === 0) throw invalid('no key of the issuer matches it');
  if (!keys.some((jwk) => verifyWith(jwk, jwt, spec))) throw invalid('its signature does not verify');
}
