import type { Lock, LockAcquireOptions, LockLease } from './contracts.js';
import { AuthError } from './errors.js';

interface Waiter {
  grant(lease: LockLease): void;
}

/**
 * {@link Lock} within one process: for tests and for hosts that run a single process. Waiters are
 * served first come, first served. A lease is lost only when released (a process that dies takes
 * the whole lock with it).
 *
 * @throws AuthError ERR_CANCELLED from `acquire` when `signal` aborts before the lock is granted.
 */
export class MemoryLock implements Lock {
  /** Per held key: the waiters queued behind the holder. */
  readonly #queues = new Map<string, Waiter[]>();

  acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    const { signal } = options;
    if (signal.aborted) return Promise.reject(cancelled());
    const queue = this.#queues.get(key);
    if (!queue) {
      this.#queues.set(key, []);
      return Promise.resolve(this.#lease(key));
    }
    return new Promise<LockLease>((resolve, reject) => {
      const onAbort = () => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        reject(cancelled());
      };
      const waiter: Waiter = {
        grant: (lease) => {
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
      };
      queue.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
      options.onWait?.();
    });
  }

  /** True while some lease on `key` is held. */
  isHeld(key: string): boolean {
    return this.#queues.has(key);
  }

  #lease(key: string): LockLease {
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        const next = this.#queues.get(key)?.shift();
        if (next) next.grant(this.#lease(key));
        else this.#queues.delete(key);
      },
    };
  }
}

function cancelled(): AuthError {
  return new AuthError('ERR_CANCELLED', 'Waiting for the lock was cancelled.');
}
