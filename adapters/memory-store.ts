import type { TokenStore } from './contracts.js';

/** Keeps secrets in this process only. For tests and for hosts that persist nothing. */
export class MemoryTokenStore implements TokenStore {
  readonly location = 'memory (this process only)';
  readonly #entries = new Map<string, string>();

  async get(key: string): Promise<string | null> {
    return this.#entries.get(key) ?? null;
  }

  async set(key: string, secret: string): Promise<void> {
    this.#entries.set(key, secret);
  }

  async delete(key: string): Promise<boolean> {
    return this.#entries.delete(key);
  }
}
