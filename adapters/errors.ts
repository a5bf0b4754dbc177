/**
 * The one error type of authmachine. Adapters, protocols and the facade all throw it, so a host
 * handles failures by `code` alone. It lives in adapters/ because adapters throw it and nothing
 * in adapters/ may import from src/.
 *
 * A message never contains a secret: constructors take only codes, statuses and fixed text.
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

export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

export interface AuthErrorOptions {
  retryable?: boolean;
  status?: number;
  /** The provider's own code: Pocket's X-Error-Code, OAuth's `error`. */
  providerCode?: string;
  /** How long the server asked us to wait (Retry-After, X-Limit-*-Reset). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Plain-JSON form of an AuthError, as it is kept in machine context. */
export interface AuthErrorData {
  code: AuthErrorCode;
  message: string;
  retryable: boolean;
  status?: number;
  providerCode?: string;
  retryAfterMs?: number;
}

const RETRYABLE_BY_DEFAULT = new Set<AuthErrorCode>(['ERR_NETWORK', 'ERR_TIMEOUT', 'ERR_SERVER', 'ERR_RATE_LIMITED']);

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly providerCode?: string;
  readonly retryAfterMs?: number;

  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    if (options.status !== undefined) this.status = options.status;
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  toJSON(): AuthErrorData {
    const data: AuthErrorData = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.status !== undefined) data.status = this.status;
    if (this.providerCode !== undefined) data.providerCode = this.providerCode;
    if (this.retryAfterMs !== undefined) data.retryAfterMs = this.retryAfterMs;
    return data;
  }

  static fromData(data: AuthErrorData): AuthError {
    return new AuthError(data.code, data.message, data);
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}

/** Wraps anything thrown into an AuthError without copying its message (it may hold a secret). */
export function toAuthError(value: unknown): AuthError {
  if (value instanceof AuthError) return value;
  if (value instanceof Error && value.name === 'AbortError') {
    return new AuthError('ERR_CANCELLED', 'The operation was cancelled.');
  }
  return new AuthError('ERR_UNEXPECTED', 'An unexpected internal error occurred.', { cause: value });
}
