/**
 * Pieces of a network step that retries transient failures with exponential back-off. The wait
 * is an XState delay (`retryDelay`), so a SimulatedClock drives it in tests and nothing sleeps.
 *
 *   <step>.attempt --error, retryable, tries left--> <step>.backoff --after retryDelay--> attempt
 *   <step>.attempt --error, otherwise--> the step's own error transitions
 */
import type { FlowConfig, RetryingStep } from './types.js';

/** Guard and action params taken from an actor's error event. */
export const errorParams = ({ event }: { event: { error: unknown } }) => ({ error: event.error });

/** The first onError candidate of a retrying step: count the try, tell the host, then back off. */
export function retryTransition(step: RetryingStep, target = 'backoff') {
  return {
    guard: { type: 'canRetry', params: errorParams },
    target,
    actions: [
      { type: 'countAttempt', params: errorParams },
      { type: 'emitRetrying', params: ({ event }: { event: { error: unknown } }) => ({ step, error: event.error }) },
    ],
  } as const;
}

/** The waiting half of every retrying step. */
export const backoffState = {
  description: "Waits out the back-off (or the server's Retry-After) before the next try.",
  after: { retryDelay: { target: 'attempt' } },
} as const;

/** Back-off before the next try: the server's Retry-After when it gave one, else exponential. */
export function backoffDelay(config: FlowConfig, attempt: number, retryAfterMs: number | null): number {
  if (retryAfterMs !== null) return retryAfterMs;
  return Math.min(config.backoffBaseMs * 2 ** Math.max(0, attempt - 1), config.backoffMaxMs);
}
