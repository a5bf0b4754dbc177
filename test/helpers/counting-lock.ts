/** Wraps a Lock and counts its holders, so a test can see that no two ever held it at once. */
import type { Lock, LockLease } from '../../adapters/contracts.js';

export class CountingLock implements Lock {
  holders = 0;
  maxHolders = 0;
  acquired = 0;

  constructor(readonly inner: Lock) {}

  async acquire(key: string, options: { signal: AbortSignal }): Promise<LockLease> {
    const lease = await this.inner.acquire(key, options);
    this.holders++;
    this.acquired++;
    this.maxHolders = Math.max(this.maxHolders, this.holders);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        this.holders--;
        await lease.release();
      },
    };
  }
}
