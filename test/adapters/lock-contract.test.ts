/**
 * The Lock contract, run against every implementation in adapters/: one holder per key, keys
 * independent, waiting abortable (ERR_CANCELLED), release idempotent and never someone else's.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lock, LockLease } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import { FileLock } from '../../adapters/file-lock.js';
import { MemoryLock } from '../../adapters/memory-lock.js';
import { createRedisClient } from '../../adapters/redis-client.js';
import { RedisLock } from '../../adapters/redis-lock.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

interface Subject {
  name: string;
  make(t: { teardown(fn: () => Promise<void>): void }): Promise<Lock>;
}

// One real redis-server for the file; each RedisLock test gets its own key prefix and connection.
let redis: Promise<RedisServer> | undefined;
let prefixes = 0;
test.after.always(async () => {
  await (await redis)?.stop();
});

const subjects: Subject[] = [
  { name: 'MemoryLock', make: async () => new MemoryLock() },
  {
    name: 'RedisLock',
    make: async (t) => {
      redis ??= startRedisServer();
      const client = await createRedisClient({ url: (await redis).url });
      t.teardown(async () => void client.disconnect());
      return new RedisLock(client, { prefix: `contract-${prefixes++}:` });
    },
  },
  {
    name: 'FileLock',
    make: async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'authmachine-lock-'));
      t.teardown(() => rm(dir, { recursive: true, force: true }));
      return new FileLock({ directory: join(dir, 'locks') });
    },
  },
];

const never = () => new AbortController().signal;

/** Settles `promise` into a flag we can look at without awaiting it. */
function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  return { settled: () => done, promise: tracked };
}

/** Gives a waiter several poll rounds to (wrongly) get in. */
const pause = (ms = 120) => new Promise((resolve) => setTimeout(resolve, ms));

for (const subject of subjects) {
  test(`${subject.name}: a second acquire of a held key waits until the first is released`, async (t) => {
    const lock = await subject.make(t);
    const first = await lock.acquire('k', { signal: never() });
    const second = track(lock.acquire('k', { signal: never() }));
    await pause();
    t.false(second.settled(), 'two holders of one key at once');
    await first.release();
    const lease = await second.promise;
    await lease.release();
  });

  test(`${subject.name}: different keys do not block each other`, async (t) => {
    const lock = await subject.make(t);
    const a = await lock.acquire('a', { signal: never() });
    const b = await lock.acquire('b', { signal: never() });
    await a.release();
    await b.release();
    t.pass();
  });

  test(`${subject.name}: releasing twice is harmless and never frees a later holder's lease`, async (t) => {
    const lock = await subject.make(t);
    const first = await lock.acquire('k', { signal: never() });
    await first.release();
    const second = await lock.acquire('k', { signal: never() });
    await first.release();
    const third = track(lock.acquire('k', { signal: never() }));
    await pause();
    t.false(third.settled(), 'a stale release freed the current holder');
    await second.release();
    await (await third.promise).release();
  });

  test(`${subject.name}: aborting the wait rejects with ERR_CANCELLED and leaves the lock usable`, async (t) => {
    const lock = await subject.make(t);
    const held = await lock.acquire('k', { signal: never() });
    const controller = new AbortController();
    const waiting = lock.acquire('k', { signal: controller.signal });
    controller.abort();
    const error = await t.throwsAsync(waiting, { instanceOf: AuthError });
    t.is(error!.code, 'ERR_CANCELLED');
    await held.release();
    // The cancelled waiter must not have taken the lock behind our back.
    const next = await lock.acquire('k', { signal: AbortSignal.timeout(10_000) });
    await next.release();
  });

  test(`${subject.name}: an already aborted signal is ERR_CANCELLED without taking the lock`, async (t) => {
    const lock = await subject.make(t);
    const controller = new AbortController();
    controller.abort();
    const error = await t.throwsAsync(lock.acquire('k', { signal: controller.signal }), { instanceOf: AuthError });
    t.is(error!.code, 'ERR_CANCELLED');
    await (await lock.acquire('k', { signal: AbortSignal.timeout(10_000) })).release();
  });

  test(`${subject.name}: 20 concurrent holders in one process never overlap and all get in`, async (t) => {
    const lock = await subject.make(t);
    let inside = 0;
    let overlaps = 0;
    let entered = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const lease: LockLease = await lock.acquire('k', { signal: AbortSignal.timeout(30_000) });
        inside++;
        entered++;
        if (inside > 1) overlaps++;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        inside--;
        await lease.release();
      }),
    );
    t.is(overlaps, 0);
    t.is(entered, 20);
  });
}

test('FileLock: a leftover lock file (empty, or naming a dead pid) is simply acquired', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.lock');
  const lock = new FileLock({ pathFor: () => path });
  await writeFile(path, '');
  await (await lock.acquire('k', { signal: AbortSignal.timeout(10_000) })).release();
  await writeFile(path, '999999999\n');
  await (await lock.acquire('k', { signal: AbortSignal.timeout(10_000) })).release();
  t.pass();
});

test('FileLock: holder() names this process while it holds the lock, and nobody after the lock file is left by a dead pid', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lock = new FileLock({ directory: dir });
  const lease = await lock.acquire('k', { signal: never() });
  t.is(await lock.holder('k'), process.pid);
  await lease.release();
  await writeFile(lock.pathFor('k'), '999999999\n');
  t.is(await lock.holder('k'), null);
});

test('FileLock: a folder that cannot be created is ERR_STORAGE naming it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'file'), '');
  const lock = new FileLock({ directory: join(dir, 'file', 'locks') });
  const error = await t.throwsAsync(lock.acquire('k', { signal: never() }), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_STORAGE');
  t.true(error!.message.includes(join(dir, 'file')));
});

test('FileLock: the lock file name is derived from the key without revealing it', (t) => {
  const lock = new FileLock({ directory: '/x' });
  t.regex(lock.pathFor('https://issuer.example|client|secret-profile'), /^\/x\/[0-9a-f]{32}\.lock$/);
  t.not(lock.pathFor('a'), lock.pathFor('b'));
});
