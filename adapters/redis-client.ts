/**
 * One ioredis connection set up for a login service: every command has a deadline and none is
 * queued while the connection is down, so a Redis that goes away fails a call with ERR_STORAGE
 * at once (or within `commandTimeoutMs`) instead of hanging it. The client keeps reconnecting in
 * the background, so calls work again as soon as Redis is back.
 */
import type { Redis } from 'ioredis';
import { AuthError } from './errors.js';

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
  /** redis:// or rediss:// URL. Default redis://127.0.0.1:6379. */
  url?: string;
  /** Deadline of every command (ms). Default 2,000. */
  commandTimeoutMs?: number;
  /** Deadline of the first connection (ms). Default 5,000. */
  connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts (ms). Default 1,000. */
  reconnectMaxMs?: number;
}

/**
 * Connects and waits until Redis is ready. ioredis is loaded here, not when authmachine/server
 * is imported, so a host on the memory stores does not need it.
 * @throws AuthError ERR_CONFIG when ioredis is not installed (`npm install ioredis`);
 *   ERR_STORAGE when Redis cannot be reached within `connectTimeoutMs`.
 */
export async function createRedisClient(options: RedisClientOptions = {}): Promise<Redis> {
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const reconnectMaxMs = options.reconnectMaxMs ?? 1_000;
  const { Redis: RedisClient } = await loadIoredis();
  const client = new RedisClient(url, {
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    connectTimeout: connectTimeoutMs,
    // No offline queue and no replay: a command sent while the link is down fails now.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(50 * 2 ** times, reconnectMaxMs),
    lazyConnect: true,
    // Commands issued in the same tick (many logins at once) leave in one write: fewer syscalls
    // and round trips under load, no change for a lone command.
    enableAutoPipelining: true,
  });
  // ioredis reports connection trouble as events too; each command reports its own failure.
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), connectTimeoutMs);
  } catch {
    client.disconnect();
    throw new AuthError(
      'ERR_STORAGE',
      `Could not connect to ${redisLocation(client)} within ${connectTimeoutMs} ms: start redis-server there, or give the URL of one that runs.`,
    );
  }
  return client;
}

/** ioredis, an optional peer dependency: ERR_CONFIG saying what to install when it is missing. */
async function loadIoredis(): Promise<{ Redis: typeof Redis }> {
  try {
    return await import('ioredis');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new AuthError(
      'ERR_CONFIG',
      missing
        ? 'The Redis stores need the ioredis package, a peer dependency of authmachine/server. Install it with: npm install ioredis'
        : 'The ioredis package is installed but could not be loaded.',
      { cause: error },
    );
  }
}

/** "Redis at host:port" for messages; never the password of the URL. */
export function redisLocation(client: Redis): string {
  const { host, port, db } = client.options;
  return `Redis at ${host ?? '127.0.0.1'}:${port ?? 6379}${db ? `/${db}` : ''}`;
}

/**
 * Runs one Redis call and turns its failure into ERR_STORAGE. The client's own error is not
 * kept as the cause: ioredis attaches the command and its arguments (a token, a flow) to it.
 */
export async function redisCall<T>(client: Redis, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new AuthError('ERR_STORAGE', `${redisLocation(client)} failed while ${what} (${reason(error)}).`);
  }
}

/** A fixed description of what went wrong, picked from the client's known failures. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (message === 'Command timed out') return 'no answer in time';
  if (message.startsWith("Stream isn't writeable") || message === 'Connection is closed.') return 'not connected';
  if (error instanceof Error && error.name === 'MaxRetriesPerRequestError') return 'connection lost';
  if (error instanceof Error && error.name === 'ReplyError') return 'Redis refused the command';
  return 'unexpected error';
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms))),
  ]).finally(() => clearTimeout(timer));
}
