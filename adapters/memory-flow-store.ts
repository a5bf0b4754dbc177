import type { Clock, FlowStore } from './contracts.js';
import { AuthError } from './errors.js';
import { systemClock } from './system-clock.js';

/**
 * {@link FlowStore} in this process only: for tests and for a host that runs one instance. An
 * entry past its time to live is gone, exactly as if it had never been saved.
 * @throws AuthError ERR_STORAGE from `save` when a flow is already kept under that state.
 */
export class MemoryFlowStore implements FlowStore {
  readonly location = 'memory (this process only)';
  readonly #entries = new Map<string, { flow: string; expiresAt: number }>();
  readonly #clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async save(state: string, flow: string, ttlMs: number): Promise<void> {
    if (this.#live(state) !== null) throw new AuthError('ERR_STORAGE', 'A login with this state is already waiting.');
    this.#entries.set(state, { flow, expiresAt: this.#clock.now() + ttlMs });
  }

  async take(state: string): Promise<string | null> {
    const flow = this.#live(state);
    this.#entries.delete(state);
    return flow;
  }

  /** How many unexpired flows are kept (expired ones are dropped on the way). */
  get size(): number {
    for (const state of [...this.#entries.keys()]) this.#live(state);
    return this.#entries.size;
  }

  #live(state: string): string | null {
    const entry = this.#entries.get(state);
    if (!entry) return null;
    if (entry.expiresAt > this.#clock.now()) return entry.flow;
    this.#entries.delete(state);
    return null;
  }
}
