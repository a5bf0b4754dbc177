/**
 * Pieces of a network step that retries transient failures with exponential back-off. The wait
 * is an XState delay (`retryDelay`), so a SimulatedClock drives it in tests and nothing sleeps.
 *
 *   <step>.attempt --error, retryable, tries left--> <step>.backoff --after retryDelay--> attempt
 *   <step>.attempt --error, otherwise--> the step's own error transitions
 */
import type { FlowConfig } from './types.js';

/** First onError candidate of every retrying step. */
export const retryTransition = {
  guard: 'canRetry',
  target: 'backoff',
  actions: ['countAttempt', 'emitRetrying'],
} as const;

/** The waiting half of every retrying step. */
export const backoffState = {
  after: { retryDelay: { target: 'attempt' } },
} as const;

/** Back-off before the next try: the server's Retry-After when it gave one, else exponential. */
export function backoffDelay(config: FlowConfig, attempt: number, retryAfterMs: number | null): number {
  if (retryAfterMs !== null) return retryAfterMs;
  return Math.min(config.backoffBaseMs * 2 ** Math.max(0, attempt - 1), config.backoffMaxMs);
}
