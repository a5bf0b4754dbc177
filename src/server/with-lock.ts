import type { Lock } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';

/**
 * Runs `work` while holding `key` on `lock`, waiting at most `timeoutMs` for it. A release that
 * fails is ignored: the lease runs out by itself, and the work's own outcome is what counts.
 * @throws AuthError ERR_TIMEOUT when the lock stays held by another for `timeoutMs`;
 *   ERR_CANCELLED when `signal` aborts; ERR_STORAGE when the lock's store fails.
 */
export async function withLock<T>(lock: Lock, key: string, timeoutMs: number, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  const deadline = AbortSignal.timeout(timeoutMs);
  let lease;
  try {
    lease = await lock.acquire(key, { signal: AbortSignal.any([signal, deadline]) });
  } catch (error) {
    if (deadline.aborted && !signal.aborted) {
      throw new AuthError('ERR_TIMEOUT', `Another instance held this login's lock for more than ${timeoutMs} ms. Try again.`);
    }
    throw error;
  }
  try {
    return await work();
  } finally {
    await lease.release().catch(() => {});
  }
}
