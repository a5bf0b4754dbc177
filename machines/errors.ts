import { isAuthErrorCode, type AuthErrorCode, type AuthErrorData } from '../vocabulary/index.js';

/**
 * Turns whatever an actor threw into the plain AuthErrorData kept in context. Reads AuthError's
 * fields by shape (machines/ imports only xstate and the vocabulary) and never copies a foreign
 * message: it may hold a secret.
 */
export function toFlowError(value: unknown): AuthErrorData {
  if (isAuthErrorDataLike(value)) {
    const error: AuthErrorData = { code: value.code, message: value.message, retryable: value.retryable };
    if (typeof value.status === 'number') error.status = value.status;
    if (typeof value.providerCode === 'string') error.providerCode = value.providerCode;
    if (typeof value.retryAfterMs === 'number') error.retryAfterMs = value.retryAfterMs;
    return error;
  }
  return { code: 'ERR_UNEXPECTED', message: 'An unexpected internal error occurred.', retryable: false };
}

function isAuthErrorDataLike(value: unknown): value is AuthErrorData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return isAuthErrorCode(v.code) && typeof v.message === 'string' && typeof v.retryable === 'boolean';
}

/** A plain-JSON error the machine itself raises (ERR_CONFIG, ERR_TIMEOUT, ERR_EXPIRED, ...). */
export function flowError(code: AuthErrorCode, message: string, retryable = false): AuthErrorData {
  return { code, message, retryable };
}
