import test from 'ava';
import type { Redis } from 'ioredis';
import { ManualClock } from '../../adapters/system-clock.js';
import { MemoryFlowStore } from '../../adapters/memory-flow-store.js';
import { createRedisClient } from '../../adapters/redis-client.js';
import { RedisFlowStore } from '../../adapters/redis-flow-store.js';
import { RedisLock } from '../../adapters/redis-lock.js';
import { RedisTokenStore } from '../../adapters/redis-token-store.js';
import { AuthError } from '../../adapters/errors.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
let a: Redis;
let b: Redis;

test.before(async () => {
  redis = await startRedisServer();
  // Two connections stand for two instances of a host.
  a = await createRedisClient({ url: redis.url });
  b = await createRedisClient({ url: redis.url });
});

test.after.always(async () => {
  a?.disconnect();
  b?.disconnect();
  await redis?.stop();
});

const SECRET_FLOW = JSON.stringify({ verifier: 'pkce-verifier-secret-123' });

test('a flow is taken exactly once, whichever connection asks, even when many ask at once', async (t) => {
  const flows = [new RedisFlowStore(a, { prefix: 't1:' }), new RedisFlowStore(b, { prefix: 't1:' })];
  for (let round = 0; round < 20; round++) {
    await flows[0]!.save(`state-${round}`, SECRET_FLOW, 60_000);
    const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => flows[i % 2]!.take(`state-${round}`)));
    t.is(taken.filter((flow) => flow === SECRET_FLOW).length, 1, `round ${round}`);
    t.is(taken.filter((flow) => flow === null).length, 9);
  }
});

test('a flow lives for its time to live and no longer; a state already waiting is never replaced', async (t) => {
  const flows = new RedisFlowStore(a, { prefix: 't2:' });
  await flows.save('short', SECRET_FLOW, 5_000);
  const pttl = await a.pttl(flows.keyOf('short'));
  t.true(pttl > 0 && pttl <= 5_000, `PTTL ${pttl}`);
  const error = await t.throwsAsync(flows.save('short', 'other', 5_000), { instanceOf: AuthError });
  t.is(error.code, 'ERR_STORAGE');
  t.is(await flows.take('short'), SECRET_FLOW, 'the first flow is still there, unchanged');

  await flows.save('expiring', SECRET_FLOW, 30);
  await new Promise((resolve) => setTimeout(resolve, 120));
  t.is(await flows.take('expiring'), null);
});

test('the memory flow store keeps the same promises on a manual clock', async (t) => {
  const clock = new ManualClock(1_000);
  const flows = new MemoryFlowStore({ clock });
  await flows.save('s', 'flow', 100);
  await t.throwsAsync(flows.save('s', 'other', 100), { instanceOf: AuthError });
  t.is(await flows.take('s'), 'flow');
  t.is(await flows.take('s'), null);
  await flows.save('s', 'again', 100);
  clock.advance(100);
  t.is(await flows.take('s'), null, 'gone at its time to live');
  t.is(flows.size, 0);
});

test('the token store keeps one entry per key and says whether delete removed something', async (t) => {
  const tokens = new RedisTokenStore(a, { prefix: 't3:' });
  t.is(await tokens.get('pocket:1#alice'), null);
  await tokens.set('pocket:1#alice', 'secret-a');
  await tokens.set('pocket:1#bob', 'secret-b');
  t.is(await new RedisTokenStore(b, { prefix: 't3:' }).get('pocket:1#alice'), 'secret-a');
  t.true(await tokens.delete('pocket:1#alice'));
  t.false(await tokens.delete('pocket:1#alice'));
  t.is(await tokens.get('pocket:1#bob'), 'secret-b');
  t.is(await a.pttl(tokens.keyOf('pocket:1#bob')), -1, 'no time to live on a login');
});

test('the lock never lets two holders in: a read-modify-write counter from two connections loses no update', async (t) => {
  const locks = [new RedisLock(a, { prefix: 't4:' }), new RedisLock(b, { prefix: 't4:' })];
  const counter = 't4:counter';
  await a.set(counter, '0');
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const client = i % 2 === 0 ? a : b;
      const lease = await locks[i % 2]!.acquire('login', { signal: new AbortController().signal });
      inside++;
      most = Math.max(most, inside);
      const value = Number(await client.get(counter));
      await new Promise((resolve) => setImmediate(resolve));
      await client.set(counter, String(value + 1));
      inside--;
      await lease.release();
    }),
  );
  t.is(await a.get(counter), '40');
  t.is(most, 1);
});

test('a lease whose holder died runs out, and the late holder cannot release the next one', async (t) => {
  // The holder "dies": its connection is gone, so nothing keeps its lease alive or releases it.
  const doomed = await createRedisClient({ url: redis.url });
  const locks = new RedisLock(doomed, { prefix: 't5:', leaseMs: 150 });
  await locks.acquire('login', { signal: new AbortController().signal });
  doomed.disconnect();
  const next = await new RedisLock(b, { prefix: 't5:', leaseMs: 10_000 }).acquire('login', {
    signal: AbortSignal.timeout(5_000),
  });
  t.true((await a.pttl(locks.keyOf('login'))) > 150, 'the key now carries the second lease');
  // A live holder past maxHoldMs stops keeping its lease alive; its late release is refused.
  const stale = await new RedisLock(a, { prefix: 't5b:', leaseMs: 150, maxHoldMs: 1 }).acquire('login', {
    signal: new AbortController().signal,
  });
  const after = await new RedisLock(b, { prefix: 't5b:', leaseMs: 10_000 }).acquire('login', {
    signal: AbortSignal.timeout(5_000),
  });
  await stale.release();
  t.not(await a.get('t5b:lock:{login}'), null, "the late release left the next holder's lock alone");
  await after.release();
  await after.release();
  t.is(await a.get('t5b:lock:{login}'), null);
  await next.release();
});

test.serial('a live holder keeps its lease alive past leaseMs, and the key is freed once it releases', async (t) => {
  const locks = new RedisLock(a, { prefix: 't5c:', leaseMs: 1_000 });
  const held = await locks.acquire('login', { signal: new AbortController().signal });
  const waiting = new RedisLock(b, { prefix: 't5c:' }).acquire('login', { signal: AbortSignal.timeout(3_500) });
  const refused = await t.throwsAsync(waiting, { instanceOf: AuthError });
  t.is(refused.code, 'ERR_CANCELLED', 'still held after three leases and a half');
  const pttl = await a.pttl(locks.keyOf('login'));
  t.true(pttl > 0 && pttl <= 1_000, `a time to live of at most one lease (${pttl})`);
  await held.release();
  t.is(await a.get(locks.keyOf('login')), null);
});

test('a token store fenced by the lock: a holder stalled past its lease cannot overwrite or remove what the next holder wrote', async (t) => {
  // A stalls: its lease is not kept alive (maxHoldMs 1) and runs out while it "works".
  const lockA = new RedisLock(a, { prefix: 't7:', leaseMs: 100, maxHoldMs: 1 });
  const lockB = new RedisLock(b, { prefix: 't7:' });
  const tokensA = new RedisTokenStore(a, { prefix: 't7:', fence: lockA });
  const tokensB = new RedisTokenStore(b, { prefix: 't7:', fence: lockB });
  const stalled = await lockA.acquire('login', { signal: new AbortController().signal });
  await tokensA.set('login', 'written-by-a-in-time');
  const next = await lockB.acquire('login', { signal: AbortSignal.timeout(5_000) });
  await tokensB.set('login', 'written-by-b');
  for (const late of [() => tokensA.set('login', 'written-by-a-late'), () => tokensA.delete('login')]) {
    const error = await t.throwsAsync(late(), { instanceOf: AuthError });
    t.is(error.code, 'ERR_STORAGE');
    t.regex(error.message, /ran out while it worked/);
    t.false(error.message.includes('written-by'));
  }
  t.is(await tokensB.get('login'), 'written-by-b', 'one writer won');
  await stalled.release();
  await next.release();
  // No lease held here: a plain write. A lease run out that no one took since: the write is safe.
  await tokensA.set('login', 'unlocked');
  const lapsed = await lockA.acquire('login', { signal: new AbortController().signal });
  await new Promise((resolve) => setTimeout(resolve, 250));
  t.is(await a.get(lockA.keyOf('login')), null);
  t.true(await tokensA.delete('login'));
  await lapsed.release();
});

test.serial(
  'Redis forgets its scripts (a restart, a new node): the lease is still kept alive, fenced writes and release still work',
  async (t) => {
    const locks = new RedisLock(a, { prefix: 't8:', leaseMs: 600 });
    const tokens = new RedisTokenStore(a, { prefix: 't8:', fence: locks });
    const held = await locks.acquire('login', { signal: new AbortController().signal });
    await tokens.set('login', 'before');
    await a.script('FLUSH');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    t.true((await a.pttl(locks.keyOf('login'))) > 0, 'kept alive past its lease');
    await a.script('FLUSH');
    await tokens.set('login', 'after');
    t.is(await tokens.get('login'), 'after');
    await a.script('FLUSH');
    await held.release();
    t.is(await a.get(locks.keyOf('login')), null);
  },
);

test('waiting for a held lock ends with ERR_CANCELLED when the signal aborts', async (t) => {
  const locks = new RedisLock(a, { prefix: 't6:' });
  const held = await locks.acquire('login', { signal: new AbortController().signal });
  const abort = new AbortController();
  const waiting = new RedisLock(b, { prefix: 't6:' }).acquire('login', { signal: abort.signal });
  setTimeout(() => abort.abort(), 50);
  const error = await t.throwsAsync(waiting, { instanceOf: AuthError });
  t.is(error.code, 'ERR_CANCELLED');
  await held.release();
});

test('Redis going away fails every call with ERR_STORAGE, never a hang, and no message holds a secret', async (t) => {
  const own = await startRedisServer();
  const client = await createRedisClient({ url: own.url, commandTimeoutMs: 500 });
  try {
    const flows = new RedisFlowStore(client);
    const tokens = new RedisTokenStore(client);
    const lock = new RedisLock(client);
    await tokens.set('k', 'token-secret-xyz');
    own.kill();
    await new Promise((resolve) => own.process.once('exit', resolve));
    const calls = [
      flows.save('s', SECRET_FLOW, 1_000),
      flows.take('s'),
      tokens.get('k'),
      tokens.set('k', 'token-secret-xyz'),
      tokens.delete('k'),
      lock.acquire('k', { signal: new AbortController().signal }),
    ];
    for (const call of calls) {
      const error = await t.throwsAsync(call, { instanceOf: AuthError });
      t.is(error.code, 'ERR_STORAGE');
      t.regex(error.message, /^Redis at 127\.0\.0\.1:\d+ failed while /);
      t.false(/secret/.test(error.message + String(error.stack) + JSON.stringify(error)), error.message);
      t.is(error.cause, undefined);
    }
  } finally {
    client.disconnect();
    await own.stop();
  }
});

test('connecting to a Redis that is not there is ERR_STORAGE within the connect timeout, saying where and what to do', async (t) => {
  const gone = await startRedisServer();
  await gone.stop();
  const error = await t.throwsAsync(
    createRedisClient({ url: `redis://:not-for-messages@127.0.0.1:${gone.port}`, connectTimeoutMs: 500 }),
    { instanceOf: AuthError },
  );
  t.is(error.code, 'ERR_STORAGE');
  t.is(
    error.message,
    `Could not connect to Redis at 127.0.0.1:${gone.port} within 500 ms: start redis-server there, or give the URL of one that runs.`,
  );
});
