import type { FlowError } from './types.js';

/**
 * Turns whatever an actor threw into the plain FlowError kept in context. Reads AuthError's
 * fields by shape (machines/ imports nothing of ours) and never copies a foreign message: it may
 * hold a secret.
 */
export function toFlowError(value: unknown): FlowError {
  if (isFlowErrorLike(value)) {
    const error: FlowError = { code: value.code, message: value.message, retryable: value.retryable };
    if (typeof value.status === 'number') error.status = value.status;
    if (typeof value.providerCode === 'string') error.providerCode = value.providerCode;
    if (typeof value.retryAfterMs === 'number') error.retryAfterMs = value.retryAfterMs;
    return error;
  }
  return { code: 'ERR_UNEXPECTED', message: 'An unexpected internal error occurred.', retryable: false };
}

function isFlowErrorLike(value: unknown): value is FlowError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && v.code.startsWith('ERR_') && typeof v.message === 'string' && typeof v.retryable === 'boolean';
}

export function flowError(code: string, message: string, retryable = false): FlowError {
  return { code, message, retryable };
}
