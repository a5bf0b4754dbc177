/**
 * The words machines/ and adapters/ share: what comes back to a redirect URI, the error codes,
 * and an error as plain JSON. Both sides import this module and nothing else of ours; it imports
 * nothing at all (test/architecture/import-wall.test.ts enforces both).
 *
 * @packageDocumentation
 */

/**
 * Every `code` an {@link AuthErrorData} (and so an `AuthError`) can carry. Stable: hosts branch
 * on these strings.
 */
export const AUTH_ERROR_CODES = [
  'ERR_DECLINED', // the person said no (Pocket 158 after the redirect, OAuth access_denied)
  'ERR_INVALID_CLIENT', // consumer key / client id unknown or not allowed
  'ERR_INVALID_REQUEST', // the server says our request is malformed
  'ERR_CODE_INVALID', // request token / code unknown, expired or already used
  'ERR_RATE_LIMITED', // 429, or Pocket's 403 with no calls remaining
  'ERR_SERVER', // 5xx
  'ERR_NETWORK', // connection refused, reset, DNS
  'ERR_TIMEOUT', // a request or the wait for the person took too long
  'ERR_STATE_MISMATCH', // a callback whose state is not the one we sent
  'ERR_ISSUER_MISMATCH', // RFC 9207 iss differs from the discovered issuer
  'ERR_BAD_RESPONSE', // malformed JSON, an HTML page where JSON was due, missing fields
  'ERR_RESPONSE_TOO_LARGE', // body over the client's size limit
  'ERR_REDIRECT_REFUSED', // the server redirected to another host
  'ERR_INSECURE_URL', // plain http to a host that is not loopback
  'ERR_STORAGE', // the token store failed or hung
  'ERR_STORAGE_UNAVAILABLE', // no keychain here (no Secret Service); says what to install
  'ERR_TOKEN_INVALID', // the access token is dead: a new login is needed
  'ERR_NOT_LOGGED_IN', // an authenticated call with no token
  'ERR_FORBIDDEN', // the token lacks permission for this call
  'ERR_EXPIRED', // device code or login attempt expired
  'ERR_LISTENER', // the loopback redirect listener could not start
  'ERR_BROWSER', // the browser could not be opened (no display, launcher missing or failed)
  'ERR_PROTOCOL', // any other error the provider reported
  'ERR_CONFIG', // the host configured the flow wrongly
  'ERR_CANCELLED', // the flow or call was cancelled
  'ERR_UNEXPECTED', // a bug: an error that is not an AuthError
] as const;

/** One of {@link AUTH_ERROR_CODES}. */
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(AUTH_ERROR_CODES);

/** True when `value` is one of {@link AUTH_ERROR_CODES}. */
export function isAuthErrorCode(value: unknown): value is AuthErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
}

/**
 * An error as plain JSON: what the machine keeps in context while `failed`, what `fetchFailed`
 * carries, and what `AuthError#toJSON()` returns. It never holds a secret.
 */
export interface AuthErrorData {
  code: AuthErrorCode;
  /** Fixed text a person can act on. */
  message: string;
  /** Whether trying the same step again may succeed (network, 5xx, rate limit). */
  retryable: boolean;
  /** The HTTP status that caused it, when one did. */
  status?: number;
  /** The provider's own code: Pocket's X-Error-Code, OAuth's `error` (RFC 6749 section 5.2). */
  providerCode?: string;
  /** How long the server asked us to wait, in milliseconds (Retry-After, X-Limit-*-Reset). */
  retryAfterMs?: number;
}

/**
 * What came back to the redirect URI: its query parameters (RFC 6749 section 4.1.2), or the person
 * saying they are done (manual confirmation, as Pocket's flow allows).
 */
export type CallbackResult = { kind: 'redirect'; params: Record<string, string> } | { kind: 'confirmed' };

/**
 * How a login that came back through the redirect ended, for the page the person's browser is
 * still waiting on: `authorized` once the token is saved, `declined` when the person (or the
 * provider for them) said no, `failed` with the error's code when the exchange or saving failed,
 * `cancelled` when the flow was cancelled or stopped before it knew.
 */
export type RedirectOutcome =
  | { kind: 'authorized' }
  | { kind: 'declined'; providerCode?: string }
  | { kind: 'failed'; code: AuthErrorCode; providerCode?: string }
  | { kind: 'cancelled' };

/**
 * Provider text that may be shown to the person (an `error` or `error_description` from a
 * redirect nobody can vouch for): only the characters RFC 6749 section 4.1.2.1 allows there
 * (printable ASCII but `"` and `\`), at most `maxLength` of them. Anything else becomes `?`, so
 * no terminal escape or markup survives; a page still escapes what it shows.
 */
export function safeProviderText(text: string, maxLength = 120): string {
  const kept = text.slice(0, maxLength).replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');
  return text.length > maxLength ? `${kept}...` : kept;
}
