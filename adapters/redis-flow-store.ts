import type { Redis } from 'ioredis';
import type { FlowStore } from './contracts.js';
import { AuthError } from './errors.js';
import { redisCall, redisLocation } from './redis-client.js';

/** Options of {@link RedisFlowStore} and {@link RedisTokenStore}. */
export interface RedisStoreOptions {
  /** Prepended to every key, so several services can share one Redis. Default "authmachine:". */
  prefix?: string;
}

/**
 * {@link FlowStore} on Redis: `SET key flow PX ttl NX` to save, `GETDEL key` to take (Redis 6.2+),
 * so two instances given the same callback cannot both resume the login, and Redis itself
 * forgets a flow nobody completed. One key per flow: `<prefix>flow:{<state>}`.
 * @throws AuthError ERR_STORAGE when Redis fails or does not answer in time, or when a flow is
 *   already kept under that state.
 */
export class RedisFlowStore implements FlowStore {
  readonly location: string;
  readonly #client: Redis;
  readonly #prefix: string;

  constructor(client: Redis, options: RedisStoreOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'authmachine:';
    this.location = redisLocation(client);
  }

  /** The Redis key of a flow (for tools that measure it; holds no secret). */
  keyOf(state: string): string {
    return `${this.#prefix}flow:{${state}}`;
  }

  async save(state: string, flow: string, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const done = await redisCall(this.#client, 'saving a login in progress', () =>
      this.#client.set(this.keyOf(state), flow, 'PX', ttl, 'NX'),
    );
    if (done !== 'OK') throw new AuthError('ERR_STORAGE', 'A login with this state is already waiting.');
  }

  take(state: string): Promise<string | null> {
    return redisCall(this.#client, 'taking a login in progress', () => this.#client.getdel(this.keyOf(state)));
  }
}
