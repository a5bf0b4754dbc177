/**
 * The one error type of authmachine. Adapters, protocols and the facade all throw it, so a host
 * handles failures by `code` alone. It lives in adapters/ because adapters throw it and nothing
 * in adapters/ may import from src/.
 *
 * A message never contains a secret: constructors take only codes, statuses and fixed text.
 */
import { AUTH_ERROR_CODES, isAuthErrorCode, type AuthErrorCode, type AuthErrorData } from '../vocabulary/index.js';

export { AUTH_ERROR_CODES, isAuthErrorCode, type AuthErrorCode, type AuthErrorData };

export interface AuthErrorOptions {
  retryable?: boolean;
  status?: number;
  /** The provider's own code: Pocket's X-Error-Code, OAuth's `error`. */
  providerCode?: string;
  /** How long the server asked us to wait (Retry-After, X-Limit-*-Reset). */
  retryAfterMs?: number;
  cause?: unknown;
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
