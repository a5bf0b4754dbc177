import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TokenStore } from './contracts.js';
import { AuthError } from './errors.js';
import { redisCall, redisLocation } from './redis-client.js';
import type { RedisStoreOptions } from './redis-flow-store.js';
import type { RedisLock } from './redis-lock.js';

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions extends RedisStoreOptions {
  /**
   * The lock every writer of a login holds (the login service's `lock`). A write made while
   * this process holds that login's lease goes through only if the lease is still its own, or
   * no one's, in Redis, checked and written in one script: a holder stalled past its lease
   * (a long pause, a frozen VM) cannot overwrite what the next holder wrote.
   */
  fence?: RedisLock;
}

// KEYS[1]: the lock, KEYS[2]: the entry (one hash slot: both carry the login's key in braces).
const FENCED = `local holder = redis.call('get', KEYS[1])
if holder and holder ~= ARGV[1] then return -1 end
if ARGV[2] == 'set' then redis.call('set', KEYS[2], ARGV[3]) return 1 end
return redis.call('del', KEYS[2])`;
const FENCED_SHA = createHash('sha1').update(FENCED).digest('hex');

/**
 * {@link TokenStore} on Redis: one string key per login, `<prefix>token:{<key>}`, with no time
 * to live (a refresh token outlives its access token). The braces make a login's token and its
 * lock (see RedisLock) hash to the same slot on a Redis Cluster, so a write fenced by the lock
 * (the `fence` option) is one script over both keys, Cluster included. Redis keeps the value as it is:
 * protect it as a secret store (ACL, TLS, no world-readable dumps).
 * @throws AuthError ERR_STORAGE from every method when Redis fails or does not answer within the
 *   client's command deadline (see createRedisClient).
 */
export class RedisTokenStore implements TokenStore {
  readonly location: string;
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #fence: RedisLock | null;

  constructor(client: Redis, options: RedisTokenStoreOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'authmachine:';
    this.#fence = options.fence ?? null;
    this.location = redisLocation(client);
  }

  /** The Redis key that holds `key`'s token: `<prefix>token:{<key>}`. */
  keyOf(key: string): string {
    return `${this.#prefix}token:{${key}}`;
  }

  get(key: string): Promise<string | null> {
    return redisCall(this.#client, 'reading a login', () => this.#client.get(this.keyOf(key)));
  }

  /** @throws AuthError ERR_STORAGE when Redis fails, or the fencing lease was lost (nothing written). */
  async set(key: string, secret: string): Promise<void> {
    const lease = this.#fence?.leaseOf(key) ?? null;
    if (lease === null) {
      await redisCall(this.#client, 'saving a login', () => this.#client.set(this.keyOf(key), secret));
      return;
    }
    await this.#fenced(key, lease, 'saving a login', 'set', secret);
  }

  /** @throws AuthError ERR_STORAGE when Redis fails, or the fencing lease was lost (nothing removed). */
  async delete(key: string): Promise<boolean> {
    const lease = this.#fence?.leaseOf(key) ?? null;
    if (lease === null) {
      return (await redisCall(this.#client, 'removing a login', () => this.#client.del(this.keyOf(key)))) > 0;
    }
    return (await this.#fenced(key, lease, 'removing a login', 'del')) > 0;
  }

  async #fenced(
    key: string,
    lease: { lockKey: string; token: string },
    what: string,
    ...args: ['set', string] | ['del']
  ): Promise<number> {
    const keys = [lease.lockKey, this.keyOf(key)];
    const done = Number(
      await redisCall(this.#client, what, async () => {
        try {
          return await this.#client.evalsha(FENCED_SHA, 2, ...keys, lease.token, ...args);
        } catch (error) {
          if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
          return this.#client.eval(FENCED, 2, ...keys, lease.token, ...args);
        }
      }),
    );
    if (done < 0) {
      throw new AuthError(
        'ERR_STORAGE',
        `${this.location} refused ${what}: this instance's lock on it ran out while it worked (stalled for longer than the lease) and another instance holds it now. Nothing was written.`,
      );
    }
    return done;
  }
}
