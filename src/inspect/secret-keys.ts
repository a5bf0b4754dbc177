/**
 * Which object keys hold secrets. Keys are compared without case, "_" or "-", so `access_token`,
 * `accessToken` and `Access-Token` are the same key.
 */
import { AUTH_ERROR_CODES } from '../../adapters/errors.js';

/** The placeholder every secret is replaced with. */
export const REDACTED = '[redacted]';

/** Keys whose whole value is secret, wherever they appear. */
export const DENIED_KEYS: readonly string[] = [
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'code',
  'code_verifier',
  'codeVerifier',
  'verifier',
  'requestToken',
  'request_token',
  'deviceCode',
  'device_code',
  'state',
  'nonce',
  'consumer_key',
  'consumerKey',
  'client_secret',
  'clientSecret',
  'client_assertion',
  'assertion',
  'password',
  'secret',
  'apiKey',
  'api_key',
  'authorization',
  'cookie',
  'set-cookie',
  // RFC 9449: the DPoP private key, wherever it sits (token set, session, a JWK on its own).
  'dpopKey',
  'dpop_key',
  'privateJwk',
  'private_jwk',
];

/**
 * Keys whose value is a bag of secrets: every leaf is redacted but the keys stay visible, so the
 * inspector still shows what the bag holds. `session` is the flow's session (request token, PKCE
 * verifier, state); `params` are the query parameters that came back to the redirect URI.
 */
export const SECRET_CONTAINER_KEYS: readonly string[] = ['session', 'params'];

const normalise = (key: string) => key.toLowerCase().replace(/[-_]/g, '');
const denied = new Set(DENIED_KEYS.map(normalise));
const containers = new Set(SECRET_CONTAINER_KEYS.map(normalise));
const errorCodes = new Set<string>(AUTH_ERROR_CODES);

/** Suffixes that mark a key as secret when it holds a string or number (`xyzToken`, `appSecret`). */
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'verifier'];

/**
 * Whether the value under `key` is a secret. A stable AuthError code under `code` (an error's
 * `code: "ERR_DECLINED"`) is not: it is what the inspector most needs to show.
 */
export function isDeniedKey(key: string, value: unknown): boolean {
  const k = normalise(key);
  if (k === 'code' && typeof value === 'string' && errorCodes.has(value)) return false;
  if (denied.has(k) || containers.has(k)) return true;
  // `token` holds a whole TokenSet whose username and expiry are fine to show; only a bare
  // string under it is a secret.
  const primitive = typeof value === 'string' || typeof value === 'number';
  if (k === 'token') return primitive;
  return primitive && SECRET_SUFFIXES.some((suffix) => k.endsWith(suffix));
}

/** Whether a query parameter with this name carries a secret (`?request_token=...`). */
export function isDeniedParam(name: string): boolean {
  const k = normalise(name);
  return denied.has(k) || k === 'token' || SECRET_SUFFIXES.some((suffix) => k.endsWith(suffix));
}
