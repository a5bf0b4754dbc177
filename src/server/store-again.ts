import { setTimeout as sleep } from 'node:timers/promises';
import { AuthError } from '../../adapters/errors.js';

/**
 * Runs a write of a fresh secret again while the store fails with ERR_STORAGE, for up to
 * `budgetMs` in all: once a refresh token has been rotated (or a code exchanged), the provider
 * will not hand that token out again, so a store away for a moment must not lose it. Stops when
 * `signal` aborts (the login was cancelled) and then rethrows the last failure.
 */
export async function storeAgain<T>(work: () => Promise<T>, budgetMs: number, signal: AbortSignal): Promise<T> {
  const until = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const pauseMs = Math.min(1_000, 50 * 2 ** attempt);
      if (!(error instanceof AuthError && error.code === 'ERR_STORAGE')) throw error;
      if (signal.aborted || Date.now() + pauseMs >= until) throw error;
      await sleep(pauseMs, undefined, { signal }).catch(() => {}); // an abort wakes it early
      if (signal.aborted) throw error;
    }
  }
}
