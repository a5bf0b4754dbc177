/**
 * A Lock for one process (tests only, until adapters/ has its own memory lock): one FIFO queue per
 * key, records how many holders there ever were at once.
 */
import type { Lock, LockLease } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';

export class TestMemoryLock implements Lock {
  readonly #tails = new Map<string, Promise<void>>();
  holders = 0;
  maxHolders = 0;
  acquired = 0;

  async acquire(key: string, { signal }: { signal: AbortSignal }): Promise<LockLease> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let free!: () => void;
    const mine = new Promise<void>((resolve) => (free = resolve));
    this.#tails.set(key, previous.then(() => mine));
    const cancelled = new Promise<never>((_, reject) => {
      const fail = () => reject(new AuthError('ERR_CANCELLED', 'Stopped waiting for the lock.'));
      if (signal.aborted) fail();
      signal.addEventListener('abort', fail, { once: true });
    });
    try {
      await Promise.race([previous, cancelled]);
    } catch (error) {
      void previous.then(free); // pass the turn on once it comes
      throw error;
    }
    this.holders++;
    this.acquired++;
    this.maxHolders = Math.max(this.maxHolders, this.holders);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        this.holders--;
        free();
      },
    };
  }
}
