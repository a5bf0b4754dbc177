/**
 * {@link Lock} on one Redis node. Acquire: `SET <prefix>lock:{<key>} <random token> PX <leaseMs> NX`,
 * tried again with a short jittered back-off until it succeeds or the caller's signal aborts.
 * While held, the lease is kept alive: every `leaseMs / 3` a Lua script pushes its expiry out to
 * `leaseMs` again, only while the key still holds this lease's token, for at most `maxHoldMs`.
 * So a holder slower than `leaseMs` (a provider that answers slowly, retries with back-off)
 * keeps the lock, and a holder that dies stops renewing it and frees the key within `leaseMs`.
 * Release: a Lua script deletes the key only while it still holds this lease's token, so a
 * holder whose lease ran out can never release the next holder's lock.
 *
 * What it guarantees: while Redis keeps running (one node, or a primary that is not failed over),
 * at most one lease per key is held at any moment, provided the holder's work ends within
 * `maxHoldMs` and its process is never stalled (stopped, or cut off from Redis) for `leaseMs`;
 * a holder that dies frees the key after at most `leaseMs`. What it does not: safety across a
 * failover to a replica that had not yet received the SET (Redis replication is asynchronous),
 * or across a holder stalled longer than its lease. Both are out of scope here.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Lock, LockLease } from './contracts.js';
import { AuthError } from './errors.js';
import { redisCall } from './redis-client.js';

/** Options of {@link RedisLock}. */
export interface RedisLockOptions {
  /** Prepended to every key. Default "authmachine:". */
  prefix?: string;
  /** How long a lease lasts if its holder never releases it (ms). Default 30,000. */
  leaseMs?: number;
  /** Longest pause between two tries while the key is held by another (ms). Default 50. */
  retryMaxMs?: number;
  /**
   * Longest time a live holder keeps its lease alive (ms); after that it runs out `leaseMs`
   * later even if never released. Default 600,000.
   */
  maxHoldMs?: number;
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RELEASE_SHA = createHash('sha1').update(RELEASE).digest('hex');
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const EXTEND_SHA = createHash('sha1').update(EXTEND).digest('hex');

/**
 * {@link Lock} on one Redis node (see the file comment for what it guarantees and what not).
 * One key per lock: `<prefix>lock:{<key>}`.
 */
export class RedisLock implements Lock {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #retryMaxMs: number;
  readonly #maxHoldMs: number;
  /** The leases this lock holds now, by Redis key: what {@link RedisLock.leaseOf} answers. */
  readonly #held = new Map<string, string>();

  constructor(client: Redis, options: RedisLockOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'authmachine:';
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#retryMaxMs = options.retryMaxMs ?? 50;
    this.#maxHoldMs = options.maxHoldMs ?? 600_000;
  }

  /** The Redis key that holds `key`'s lease: `<prefix>lock:{<key>}`. */
  keyOf(key: string): string {
    return `${this.#prefix}lock:{${key}}`;
  }

  /**
   * The lease this RedisLock holds on `key` now, if any: for a store that fences its writes
   * with it (see {@link RedisTokenStore}'s `fence`). `token` is the lease's random value.
   */
  leaseOf(key: string): { lockKey: string; token: string } | null {
    const lockKey = this.keyOf(key);
    const token = this.#held.get(lockKey);
    return token === undefined ? null : { lockKey, token };
  }

  /**
   * Waits until the key is free and takes it.
   * @throws AuthError ERR_CANCELLED when `signal` aborts first; ERR_STORAGE when Redis fails.
   */
  async acquire(key: string, options: { signal: AbortSignal }): Promise<LockLease> {
    const redisKey = this.keyOf(key);
    const token = randomBytes(16).toString('base64url');
    for (let attempt = 0; ; attempt++) {
      if (options.signal.aborted) throw cancelled();
      let taken: string | null;
      try {
        taken = await redisCall(this.#client, 'taking a lock', () =>
          this.#client.set(redisKey, token, 'PX', this.#leaseMs, 'NX'),
        );
      } catch (error) {
        // No answer is not no lock: a Redis that was only slow (paused, busy) may still take
        // this SET and hold the key for a whole lease with a token no one has. Undo it.
        this.#undo(redisKey, token);
        throw error;
      }
      if (taken === 'OK') return this.#lease(redisKey, token);
      await pause(Math.min(this.#retryMaxMs, 2 ** attempt) * (0.5 + Math.random() / 2), options.signal);
    }
  }

  #lease(redisKey: string, token: string): LockLease {
    let released = false;
    this.#held.set(redisKey, token);
    // Keeps the lease alive while its holder works. A renewal that fails (Redis away for a
    // moment) is tried again at the next tick; one that finds another token there stops.
    const until = Date.now() + this.#maxHoldMs;
    const keepAlive = setInterval(
      () => {
        if (Date.now() >= until) return void clearInterval(keepAlive);
        this.#script(EXTEND, EXTEND_SHA, redisKey, token, String(this.#leaseMs)).then(
          (kept) => {
            if (kept === 0) clearInterval(keepAlive);
          },
          () => {},
        );
      },
      Math.max(1, Math.floor(this.#leaseMs / 3)),
    );
    keepAlive.unref();
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(keepAlive);
        if (this.#held.get(redisKey) === token) this.#held.delete(redisKey);
        try {
          await redisCall(this.#client, 'releasing a lock', () => this.#script(RELEASE, RELEASE_SHA, redisKey, token));
        } catch (error) {
          this.#undo(redisKey, token); // a release Redis was too slow to answer may not have run
          throw error;
        }
      },
    };
  }

  /**
   * Compare-and-delete sent without waiting for it, after a lock command that got no answer.
   * Sent on the same connection, it runs after that command; the script itself, not its hash,
   * since a NOSCRIPT answer would come when no one waits any more to send it again.
   */
  #undo(redisKey: string, token: string): void {
    this.#client.eval(RELEASE, 1, redisKey, token).catch(() => {});
  }

  /** Runs a compare-then-act script on one key; the script cache may be empty (restart, new node). */
  async #script(script: string, sha: string, redisKey: string, ...args: string[]): Promise<unknown> {
    try {
      return await this.#client.evalsha(sha, 1, redisKey, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.#client.eval(script, 1, redisKey, ...args);
    }
  }
}

function cancelled(): AuthError {
  return new AuthError('ERR_CANCELLED', 'Waiting for the lock was cancelled.');
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
