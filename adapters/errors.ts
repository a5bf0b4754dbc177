/**
 * The one error type of authmachine. Adapters, protocols and the facade all throw it, so a host
 * handles failures by `code` alone. It lives in adapters/ because adapters throw it and nothing
 * in adapters/ may import from src/.
 *
 * A message never contains a secret: constructors take only codes, statuses and fixed text.
 */
import { AUTH_ERROR_CODES, isAuthErrorCode, type AuthErrorCode, type AuthErrorData } from '../vocabulary/index.js';

export { AUTH_ERROR_CODES, isAuthErrorCode, type AuthErrorCode, type AuthErrorData };

/** What an AuthError may carry besides its code and message. */
export interface AuthErrorOptions {
  /** Default: true for ERR_NETWORK, ERR_TIMEOUT, ERR_SERVER and ERR_RATE_LIMITED. */
  retryable?: boolean;
  /** The HTTP status that caused it. */
  status?: number;
  /** The provider's own code: Pocket's X-Error-Code, OAuth's `error`. */
  providerCode?: string;
  /** How long the server asked us to wait, in milliseconds (Retry-After, X-Limit-*-Reset). */
  retryAfterMs?: number;
  /** The underlying error, kept for debugging; its message is never copied into this one. */
  cause?: unknown;
}

/**
 * Marks every AuthError, whichever copy of authmachine made it: the ESM and CommonJS builds (or
 * two installed versions) each have their own class, so `instanceof` cannot tell; a registered
 * symbol is the same in all of them.
 */
const BRAND = Symbol.for('authmachine.AuthError');

const RETRYABLE_BY_DEFAULT = new Set<AuthErrorCode>(['ERR_NETWORK', 'ERR_TIMEOUT', 'ERR_SERVER', 'ERR_RATE_LIMITED']);

/**
 * The one error type of authmachine: adapters, protocols and the facade all throw it, so a host
 * handles failures by {@link AuthError.code} alone. Tell it apart with {@link isAuthError}, which
 * works across the ESM and CommonJS copies of the package, rather than `instanceof`.
 *
 * @example
 * ```ts
 * try {
 *   await flow.login();
 * } catch (error) {
 *   if (isAuthError(error, 'ERR_DECLINED')) console.error('You declined access.');
 *   else if (isAuthError(error) && error.retryable) scheduleRetry();
 *   else throw error;
 * }
 * ```
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  /** Stable: one of AUTH_ERROR_CODES. */
  readonly code: AuthErrorCode;
  /** Whether trying the same step again may succeed. */
  readonly retryable: boolean;
  /** The HTTP status that caused it, when one did. */
  readonly status?: number;
  /** The provider's own code: Pocket's X-Error-Code, OAuth's `error` (RFC 6749 section 5.2). */
  readonly providerCode?: string;
  /** How long the server asked us to wait, in milliseconds. */
  readonly retryAfterMs?: number;

  /** `message` must hold no secret: fixed text, codes and statuses only. */
  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    if (options.status !== undefined) this.status = options.status;
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /** The error as plain JSON (what the machine keeps in context). */
  toJSON(): AuthErrorData {
    const data: AuthErrorData = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.status !== undefined) data.status = this.status;
    if (this.providerCode !== undefined) data.providerCode = this.providerCode;
    if (this.retryAfterMs !== undefined) data.retryAfterMs = this.retryAfterMs;
    return data;
  }

  /** The AuthError for plain JSON made by {@link AuthError.toJSON} (or kept in machine context). */
  static fromData(data: AuthErrorData): AuthError {
    return new AuthError(data.code, data.message, data);
  }
}
Object.defineProperty(AuthError.prototype, BRAND, { value: true });

/**
 * True when `value` is an AuthError from any copy of authmachine (ESM or CommonJS build, another
 * installed version), and, when `code` is given, carries that code. Use it instead of
 * `instanceof AuthError`, which fails across copies.
 */
export function isAuthError<C extends AuthErrorCode>(value: unknown, code?: C): value is AuthError & { code: C } {
  if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as AuthError).code === code;
}

/** Wraps anything thrown into an AuthError without copying its message (it may hold a secret). */
export function toAuthError(value: unknown): AuthError {
  if (isAuthError(value)) return value;
  if (value instanceof Error && value.name === 'AbortError') {
    return new AuthError('ERR_CANCELLED', 'The operation was cancelled.');
  }
  return new AuthError('ERR_UNEXPECTED', 'An unexpected internal error occurred.', { cause: value });
}
