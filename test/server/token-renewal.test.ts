/**
 * `token(userId)` renews through the machine's own fetching states (acquiringLock -> rereading ->
 * refreshing / renewedElsewhere -> savingRefreshed, clearingToken compare-and-delete), shared by
 * two services ("instances") over one token store and one lock. The provider rotates refresh
 * tokens and, like oidc-provider, revokes the whole grant when a rotated one is used again.
 * Memory stores and a manual clock: the two-instance tests do the same on Redis and a real OP.
 */
import test from 'ava';
import type { Lock, LockLease } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import { MemoryFlowStore } from '../../adapters/memory-flow-store.js';
import { MemoryLock } from '../../adapters/memory-lock.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { encodeTokenSet } from '../../src/flow/token-codec.js';
import { createLoginService, type LoginService } from '../../src/server/index.js';
import { CountingLock } from '../helpers/counting-lock.js';
import { nullHttp } from '../helpers/fake-protocol.js';
import { GRANT_TOKEN_TTL_MS, rotatingGrantProvider } from '../helpers/rotating-grant.js';

const TTL_MS = GRANT_TOKEN_TTL_MS;
const SKEW_MS = 1_000;

/** A lock that lets everyone in: what the machine would do without one. */
const noLock: Lock = {
  acquire: async (): Promise<LockLease> => ({ release: async () => {} }),
};

function setUp(lock: Lock, options: { lockTimeoutMs?: number } = {}) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const { grant, protocol } = rotatingGrantProvider({ now: () => clock.now() });
  const tokens = new MemoryTokenStore();
  const service = () =>
    createLoginService({
      protocol,
      http: nullHttp,
      redirectUri: 'http://127.0.0.1:9/callback',
      flows: new MemoryFlowStore(),
      tokens,
      lock,
      clock,
      refreshSkewMs: SKEW_MS,
      ...options,
    });
  const key = `${protocol.storageKey}|user:frank`;
  const store = (token: object) => tokens.set(key, encodeTokenSet({ tokenType: 'Bearer', ...token } as never));
  return {
    grant,
    tokens,
    key,
    store,
    instances: [service(), service()] as [LoginService, LoginService],
    advance: (ms: number) => (now += ms),
    clock,
  };
}

test('concurrent token() after expiry on two instances: one refresh per round, the login kept in 20 of 20 rounds', async (t) => {
  const lock = new CountingLock(new MemoryLock());
  const { grant, instances, store, advance } = setUp(lock);
  await store({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: 1_000_000 + TTL_MS });
  const [a, b] = instances;
  for (let round = 1; round <= 20; round++) {
    advance(TTL_MS - SKEW_MS + 1); // due for refresh, not yet expired
    const answers = await Promise.all([a, b, a, b, a, b].map((instance) => instance.token('frank')));
    t.deepEqual(new Set(answers.map((answer) => answer.accessToken)), new Set([`at-${round}`]), `round ${round}`);
    t.is(grant.refreshes, round, `round ${round}: exactly one refresh`);
    t.true(grant.live);
  }
  t.is(lock.maxHolders, 1);
  t.is(grant.starts, 0);
});

test('without the lock the same calls lose the login: a rotated refresh token is spent twice', async (t) => {
  const { grant, instances, store, advance } = setUp(noLock);
  await store({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: 1_000_000 + TTL_MS });
  const [a, b] = instances;
  advance(TTL_MS - SKEW_MS + 1);
  const answers = await Promise.allSettled([a, b, a, b, a, b].map((instance) => instance.token('frank')));
  const refused = answers.filter((answer) => answer.status === 'rejected');
  t.true(refused.length > 0);
  for (const answer of refused) t.is((answer.reason as AuthError).code, 'ERR_TOKEN_INVALID');
  t.true(grant.refreshes > 1);
  t.false(grant.live, 'the provider revoked the grant');
});

test('a fresh token is handed out without the lock or the provider; no secret beyond the access token', async (t) => {
  const lock = new CountingLock(new MemoryLock());
  const { grant, instances, store } = setUp(lock);
  await store({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: 1_000_000 + TTL_MS, idToken: 'id-0' });
  const token = await instances[0].token('frank');
  t.deepEqual(token, {
    accessToken: 'at-0',
    tokenType: 'Bearer',
    expiresAt: 1_000_000 + TTL_MS,
    scope: null,
    username: null,
  });
  t.is(lock.acquired, 0);
  t.is(grant.refreshes, 0);
});

test('no stored login: ERR_NOT_LOGGED_IN, and no login is started', async (t) => {
  const { grant, instances } = setUp(new MemoryLock());
  const error = await t.throwsAsync(instances[0].token('frank'), { instanceOf: AuthError });
  t.is(error.code, 'ERR_NOT_LOGGED_IN');
  t.is(grant.starts, 0);
});

test('an expired token without a refresh token is removed under the lock, and only while the entry still holds it', async (t) => {
  const { instances, store, tokens, key } = setUp(new MemoryLock());
  await store({ accessToken: 'dead', expiresAt: 1_000_000 - 1 });
  const error = await t.throwsAsync(instances[0].token('frank'), { instanceOf: AuthError });
  t.is(error.code, 'ERR_TOKEN_INVALID');
  t.is(await tokens.get(key), null);

  // A new login is saved while the dead token is being removed (read 1: loadToken, 2: the re-read
  // under the lock, 3: clearToken's compare): the new login is not the refused token, so it stays.
  const get = tokens.get.bind(tokens);
  const newLoginAtRead = async (at: number) => {
    await store({ accessToken: 'dead', expiresAt: 1_000_000 - 1 });
    let reads = 0;
    tokens.get = async (k: string) => {
      if (++reads === at) await store({ accessToken: 'new-login', expiresAt: 1_000_000 + TTL_MS });
      return get(k);
    };
  };
  await newLoginAtRead(3);
  const refused = await t.throwsAsync(instances[0].token('frank'), { instanceOf: AuthError });
  t.is(refused.code, 'ERR_TOKEN_INVALID');
  t.regex((await get(key)) ?? '', /new-login/, 'compare-and-delete kept the entry it did not refuse');

  // Saved before the re-read: the re-read under the lock finds it and hands it out.
  await newLoginAtRead(2);
  t.is((await instances[0].token('frank')).accessToken, 'new-login');
});

test('a lock held elsewhere for longer than lockTimeoutMs is ERR_TIMEOUT; close() cancels a waiting token() and refuses new calls', async (t) => {
  const lock = new MemoryLock();
  const { instances, store, advance, key } = setUp(lock, { lockTimeoutMs: 50 });
  await store({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: 1_000_000 + TTL_MS });
  advance(TTL_MS);
  const held = await lock.acquire(key, { signal: new AbortController().signal });
  const timedOut = await t.throwsAsync(instances[0].token('frank'), { instanceOf: AuthError });
  t.is(timedOut.code, 'ERR_TIMEOUT');

  const patient = setUp(lock, { lockTimeoutMs: 60_000 });
  await patient.store({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: 1_000_000 });
  const waiting = patient.instances[1].token('frank');
  await new Promise((resolve) => setTimeout(resolve, 20));
  patient.instances[1].close();
  const cancelled = await t.throwsAsync(waiting, { instanceOf: AuthError });
  t.is(cancelled.code, 'ERR_CANCELLED');
  for (const call of [() => patient.instances[1].token('frank'), () => patient.instances[1].begin('frank')]) {
    t.is(
      (await t.throwsAsync(call(), { instanceOf: AuthError })).code,
      'ERR_CANCELLED',
      'a closed service takes no more',
    );
  }
  await held.release();
});

test('a store that fails gives ERR_STORAGE, not a hang', async (t) => {
  const { instances, tokens } = setUp(new MemoryLock());
  tokens.get = async () => {
    throw new AuthError('ERR_STORAGE', 'Redis went away.');
  };
  const error = await t.throwsAsync(instances[0].token('frank'), { instanceOf: AuthError });
  t.is(error.code, 'ERR_STORAGE');
});
