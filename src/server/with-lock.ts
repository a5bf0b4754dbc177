import type { Lock, LockLease } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';

/**
 * Runs `work` while holding `key` on `lock`, waiting at most `timeoutMs` for it. A release that
 * fails is ignored: the lease runs out by itself, and the work's own outcome is what counts.
 * @throws AuthError ERR_TIMEOUT when the lock stays held by another for `timeoutMs`;
 *   ERR_CANCELLED when `signal` aborts; ERR_STORAGE when the lock's store fails.
 */
export async function withLock<T>(
  lock: Lock,
  key: string,
  timeoutMs: number,
  signal: AbortSignal,
  work: () => Promise<T>,
): Promise<T> {
  // One controller and one timer, both gone once the lock is held: AbortSignal.any() and
  // AbortSignal.timeout() per call would keep listeners and timers alive long after.
  const waiting = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    waiting.abort();
  }, timeoutMs);
  const onAbort = () => waiting.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) waiting.abort();
  let lease: LockLease;
  try {
    lease = await lock.acquire(key, { signal: waiting.signal });
  } catch (error) {
    if (timedOut && !signal.aborted) {
      throw new AuthError(
        'ERR_TIMEOUT',
        `Another instance held this login's lock for more than ${timeoutMs} ms. Try again.`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
  try {
    return await work();
  } finally {
    await lease.release().catch(() => {});
  }
}
