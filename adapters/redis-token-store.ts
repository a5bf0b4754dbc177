import type { Redis } from 'ioredis';
import type { TokenStore } from './contracts.js';
import { redisCall, redisLocation } from './redis-client.js';
import type { RedisStoreOptions } from './redis-flow-store.js';

/**
 * {@link TokenStore} on Redis: one string key per login, `<prefix>token:{<key>}`, with no time
 * to live (a refresh token outlives its access token). The braces make a login's token and its
 * lock (see RedisLock) hash to the same slot on a Redis Cluster. Redis keeps the value as it is:
 * protect it as a secret store (ACL, TLS, no world-readable dumps).
 * @throws AuthError ERR_STORAGE from every method when Redis fails or does not answer within the
 *   client's command deadline (see createRedisClient).
 */
export class RedisTokenStore implements TokenStore {
  readonly location: string;
  readonly #client: Redis;
  readonly #prefix: string;

  constructor(client: Redis, options: RedisStoreOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'authmachine:';
    this.location = redisLocation(client);
  }

  /** The Redis key that holds `key`'s token: `<prefix>token:{<key>}`. */
  keyOf(key: string): string {
    return `${this.#prefix}token:{${key}}`;
  }

  get(key: string): Promise<string | null> {
    return redisCall(this.#client, 'reading a login', () => this.#client.get(this.keyOf(key)));
  }

  async set(key: string, secret: string): Promise<void> {
    await redisCall(this.#client, 'saving a login', () => this.#client.set(this.keyOf(key), secret));
  }

  async delete(key: string): Promise<boolean> {
    return (await redisCall(this.#client, 'removing a login', () => this.#client.del(this.keyOf(key)))) > 0;
  }
}
