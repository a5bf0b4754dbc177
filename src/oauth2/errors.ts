/**
 * Maps what an OAuth server says went wrong onto AuthError codes. Only the provider's `error`
 * code is kept (as `providerCode`); `error_description` is server text that may echo what we
 * sent, so it never goes into a message.
 */
import type { HttpResponse } from '../../adapters/contracts.js';
import { AuthError, type AuthErrorCode } from '../../adapters/errors.js';

/** Which call failed: the same `error` means different things at different endpoints. */
export type OAuthErrorContext =
  /** The error response at the redirect URI (RFC 6749 section 4.1.2.1). */
  | 'authorization-response'
  /** The access token request with an authorization code (RFC 6749 section 4.1.3). */
  | 'access-token'
  /** The refresh request (RFC 6749 section 6). */
  | 'refresh'
  /** The device access token request (RFC 8628 section 3.4). */
  | 'device-access-token'
  /** The device authorization request (RFC 8628 section 3.1). */
  | 'device-authorization'
  /** The pushed authorization request (RFC 9126 section 2.1). */
  | 'par'
  /** The revocation request (RFC 7009 section 2.1). */
  | 'revocation';

/**
 * What an OAuth error code looks like: every registered one (RFC 6749, 7009, 8628, 9126, OIDC)
 * is lower-case words joined by "_". RFC 6749 allows more characters, but a value with digits,
 * capitals or dashes is more likely an echoed token than a code, so it is not repeated.
 */
const ERROR_CODE_RE = /^[a-z][a-z_]{0,63}$/;

/** The provider's code if it is a well-formed one, else undefined (we never echo junk). */
export function cleanProviderCode(value: unknown): string | undefined {
  return typeof value === 'string' && ERROR_CODE_RE.test(value) ? value : undefined;
}

function codeFor(error: string, context: OAuthErrorContext): AuthErrorCode {
  switch (error) {
    case 'access_denied':
      return 'ERR_DECLINED';
    // OIDC Core 3.1.2.6: the person did not (or could not) consent or sign in: a decline too.
    case 'consent_required':
    case 'interaction_required':
    case 'login_required':
    case 'account_selection_required':
      return context === 'authorization-response' ? 'ERR_DECLINED' : 'ERR_PROTOCOL';
    case 'invalid_client':
    case 'unauthorized_client':
      return 'ERR_INVALID_CLIENT';
    case 'temporarily_unavailable':
    case 'server_error':
      return 'ERR_SERVER';
    case 'invalid_request':
      return context === 'authorization-response' ? 'ERR_PROTOCOL' : 'ERR_INVALID_REQUEST';
    case 'invalid_grant':
      if (context === 'access-token') return 'ERR_CODE_INVALID';
      if (context === 'refresh') return 'ERR_TOKEN_INVALID';
      if (context === 'device-access-token') return 'ERR_EXPIRED';
      return 'ERR_PROTOCOL';
    case 'expired_token':
      return 'ERR_EXPIRED';
    // GitHub's own names for RFC 6749/8628 errors (its "Authorizing OAuth apps" error list).
    case 'bad_verification_code':
    case 'incorrect_device_code':
      return 'ERR_CODE_INVALID';
    case 'incorrect_client_credentials':
    case 'device_flow_disabled':
      return 'ERR_INVALID_CLIENT';
    default:
      return 'ERR_PROTOCOL';
  }
}

const MESSAGES: Partial<Record<AuthErrorCode, string>> = {
  ERR_DECLINED: 'The authorization was declined.',
  ERR_INVALID_CLIENT:
    'The authorization server does not accept this client (check the client id and its registration).',
  ERR_SERVER: 'The authorization server reported a server error.',
  ERR_INVALID_REQUEST: 'The authorization server says the request was malformed.',
  ERR_CODE_INVALID: 'The authorization code is invalid, expired or was already used: log in again.',
  ERR_TOKEN_INVALID: 'The refresh token is no longer valid: a new login is needed.',
  ERR_EXPIRED: 'The device code expired before it was approved: start again.',
};

/**
 * An AuthError for an OAuth error response (RFC 6749 sections 4.1.2.1 and 5.2).
 * `temporarily_unavailable` is always retryable; `server_error` is retryable only from an endpoint
 * we can call again (a failed authorization needs a new login, not a retry).
 */
export function oauthError(
  error: string,
  context: OAuthErrorContext,
  extra: { status?: number; retryAfterMs?: number } = {},
): AuthError {
  const providerCode = cleanProviderCode(error) ?? 'invalid';
  const code = codeFor(error, context);
  const retryable =
    error === 'temporarily_unavailable' ||
    (code === 'ERR_SERVER' && context !== 'authorization-response') ||
    (extra.status !== undefined && extra.status >= 500);
  const base = MESSAGES[code] ?? `The authorization server refused the request (${providerCode}).`;
  const message =
    code === 'ERR_DECLINED' && providerCode !== 'access_denied' ? base.replace(/\.$/, ` (${providerCode}).`) : base;
  return new AuthError(code, message, { retryable, providerCode, ...extra });
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `now`; undefined if absent/invalid. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** 429 and 5xx without a usable OAuth error body. */
export function httpStatusError(response: HttpResponse, now: number, what: string): AuthError | undefined {
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return new AuthError('ERR_RATE_LIMITED', `The ${what} is rate limiting us; try again later.`, {
      status: 429,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (response.status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return new AuthError('ERR_SERVER', `The ${what} failed with HTTP ${response.status}.`, {
      status: response.status,
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return undefined;
}

/** An issuer for a message: quoted, and cut short (a forged redirect chooses its `iss`). */
export function shownIssuer(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
}
