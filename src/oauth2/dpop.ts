/**
 * DPoP proofs (RFC 9449): a key pair per login, and one signed `dpop+jwt` per request that names
 * the method (`htm`), the URL without query and fragment (`htu`), the time (`iat`), a fresh `jti`,
 * the server's nonce when it gave one, and on resource requests the hash of the access token
 * (`ath`). Signed with jose, loaded only when a proof is made (it costs start-up time).
 */
import { createHash } from 'node:crypto';
import type { Clock, RandomSource } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import type { DPoPKey } from '../../machines/types.js';
import { randomValue } from './state.js';

export type { DPoPKey };

/**
 * The algorithms authmachine signs proofs with, in order of preference (ES256 first). `Ed25519`
 * is the fully-specified name of EdDSA over Ed25519 (RFC 9864), which newer servers list instead
 * of, or beside, the polymorphic `EdDSA`; both sign with an Ed25519 key.
 * @see RFC 9449 section 5.1 (`dpop_signing_alg_values_supported`), RFC 9864 section 2.2
 */
export const DPOP_ALGS: readonly string[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Public JWK members per key type: the proof's `jwk` header carries these and never `d`. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = { EC: ['kty', 'crv', 'x', 'y'], OKP: ['kty', 'crv', 'x'] };

/**
 * The algorithm for a new key: ES256 unless the server lists algorithms
 * (`dpop_signing_alg_values_supported`) without it, then the first of ours it lists. Undefined when
 * it lists none of ours.
 * @see RFC 9449 section 5.1
 */
export function chooseDpopAlg(serverAlgs: readonly string[] | undefined): string | undefined {
  if (serverAlgs === undefined || serverAlgs.includes('ES256')) return 'ES256';
  return serverAlgs.find((alg) => DPOP_ALGS.includes(alg));
}

/**
 * A new key for a new login when DPoP is to be used with this server (RFC 9449 section 5.1):
 * `setting` 'auto' uses it when the metadata lists `dpop_signing_alg_values_supported` with one of
 * ours; true always; false never. Undefined when no key is to be made.
 * @throws AuthError ERR_CONFIG when `setting` is true and the server lists none of our algorithms.
 * @see RFC 9449 section 5.1
 */
export async function dpopKeyForLogin(
  setting: boolean | 'auto',
  offered: readonly string[] | undefined,
): Promise<DPoPKey | undefined> {
  if (setting === false) return undefined;
  if (setting === 'auto' && offered === undefined) return undefined;
  const alg = chooseDpopAlg(offered);
  if (alg === undefined) {
    if (setting === 'auto') return undefined;
    throw new AuthError(
      'ERR_CONFIG',
      'DPoP was asked for, but the server accepts none of the algorithms authmachine signs proofs with.',
    );
  }
  return generateDpopKey(alg);
}

/**
 * A new key pair for one login, its private half as a JWK (secret: it lives with the tokens).
 * @throws AuthError ERR_CONFIG for an algorithm not in {@link DPOP_ALGS}.
 * @see RFC 9449 section 2
 */
export async function generateDpopKey(alg = 'ES256'): Promise<DPoPKey> {
  if (!DPOP_ALGS.includes(alg))
    throw new AuthError('ERR_CONFIG', `DPoP proofs cannot be signed with ${alg}; supported: ${DPOP_ALGS.join(', ')}.`);
  const jose = await import('jose');
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  const privateJwk: Record<string, string> = {};
  for (const [name, value] of Object.entries(jwk)) if (typeof value === 'string') privateJwk[name] = value;
  return { alg, privateJwk };
}

/**
 * The public half of the key, as it goes into a proof's `jwk` header: never `d`.
 * @see RFC 9449 section 4.2
 */
export function publicJwk(key: DPoPKey): Record<string, string> {
  const members = PUBLIC_MEMBERS[key.privateJwk['kty'] ?? ''] ?? [];
  return Object.fromEntries(
    members.flatMap((m) => {
      const value = key.privateJwk[m];
      return value === undefined ? [] : [[m, value]];
    }),
  );
}

/**
 * The key's SHA-256 JWK thumbprint (base64url): the `dpop_jkt` of an authorization request, the
 * `cnf.jkt` of a bound token.
 * @see RFC 7638 section 3; RFC 9449 sections 6.1 and 10
 */
export async function dpopThumbprint(key: DPoPKey): Promise<string> {
  const jose = await import('jose');
  return jose.calculateJwkThumbprint(publicJwk(key) as Parameters<typeof jose.calculateJwkThumbprint>[0], 'sha256');
}

/**
 * The proof's `htu`: the request's target URI without query and fragment, and without userinfo (a
 * target URI has none, and a password must not go into a proof). Normalised as the WHATWG URL
 * parser does: scheme and host in lower case, the scheme's default port left out, an empty path
 * as `/`, so a server comparing normalised URIs matches it.
 * @throws TypeError for a string that is not an absolute URL (callers have checked it before).
 * @see RFC 9449 sections 4.2 and 4.3; RFC 9110 section 7.1
 */
export function htuOf(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return u.toString();
}

/**
 * base64url(SHA-256(ASCII of the access token)), no padding: the proof's `ath`.
 * @see RFC 9449 section 4.2
 */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** What one proof is about (RFC 9449 section 4.2). */
export interface DPoPProofInput {
  /** The request's method. */
  htm: string;
  /** The request's URL (query and fragment are dropped here). */
  url: string;
  /** On resource requests: the access token, hashed into `ath`. */
  accessToken?: string;
  /** The server's last `DPoP-Nonce`. */
  nonce?: string;
}

/**
 * Checks a key that came back from the store or a persisted session: one of our algorithms, a
 * private JWK of a known key type with string members only.
 */
export function isDpopKey(value: unknown): value is DPoPKey {
  if (typeof value !== 'object' || value === null) return false;
  const { alg, privateJwk } = value as Partial<DPoPKey>;
  return (
    typeof alg === 'string' &&
    DPOP_ALGS.includes(alg) &&
    typeof privateJwk === 'object' &&
    privateJwk !== null &&
    Object.values(privateJwk).every((v) => typeof v === 'string') &&
    typeof privateJwk['d'] === 'string' &&
    PUBLIC_MEMBERS[privateJwk['kty'] ?? ''] !== undefined
  );
}

/**
 * One signed proof: a `dpop+jwt` with the public key in its header, and `htm`, `htu`, `iat`
 * (seconds, from `ctx.clock`), a fresh `jti` (from `ctx.random`), `nonce` and `ath` when given.
 * @throws AuthError ERR_CONFIG when the key cannot be used (a damaged entry); the error never
 * carries the key.
 * @see RFC 9449 section 4.2
 */
export async function createDpopProof(
  key: DPoPKey,
  input: DPoPProofInput,
  ctx: { random: RandomSource; clock: Clock },
): Promise<string> {
  const jose = await import('jose');
  let signingKey: Awaited<ReturnType<typeof jose.importJWK>>;
  try {
    signingKey = await jose.importJWK({ ...key.privateJwk }, key.alg);
  } catch {
    throw new AuthError('ERR_CONFIG', 'The stored DPoP key cannot be used: log out and log in again.');
  }
  const payload: Record<string, string | number> = {
    htm: input.htm,
    htu: htuOf(input.url),
    iat: Math.floor(ctx.clock.now() / 1000),
    jti: randomValue(ctx.random),
  };
  if (input.nonce !== undefined) payload['nonce'] = input.nonce;
  if (input.accessToken !== undefined) payload['ath'] = accessTokenHash(input.accessToken);
  return new jose.SignJWT(payload)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: publicJwk(key) })
    .sign(signingKey);
}
