/**
 * The login service on a real redis-server, attacked the way an unlucky production would: a
 * holder slower than its lock's lease, user ids that Redis would store under the same key, flow
 * records that are not what this version wrote, hostile callbacks. Each test names the fault.
 */
import test from 'ava';
import type { Redis } from 'ioredis';
import { AuthError } from '../../adapters/errors.js';
import { createRedisClient } from '../../adapters/redis-client.js';
import { RedisFlowStore } from '../../adapters/redis-flow-store.js';
import { RedisLock } from '../../adapters/redis-lock.js';
import { RedisTokenStore } from '../../adapters/redis-token-store.js';
import { encodeTokenSet } from '../../src/flow/token-codec.js';
import { createLoginService, type LoginService, type LoginServiceOptions } from '../../src/server/index.js';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { startPocketEmulator, type PocketEmulator } from '../../src/pocket/emulator/index.js';
import { createPocketProtocol } from '../../src/pocket/protocol.js';
import { nullHttp } from '../helpers/fake-protocol.js';
import { pausableRedis, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { approveOnPocket } from '../helpers/server-instance.js';
import { rotatingGrantProvider } from '../helpers/rotating-grant.js';

let redis: RedisServer;
let emulator: PocketEmulator;
const clients: Redis[] = [];
let prefixes = 0;

test.before(async () => {
  redis = await startRedisServer();
  emulator = await startPocketEmulator({ approval: 'auto-approve', rateLimits: { userLimit: 1e6, keyLimit: 1e6 } });
});

test.after.always(async () => {
  for (const client of clients) client.disconnect();
  await emulator?.close();
  await redis?.stop();
});

/** A Pocket login service on the shared redis-server, its keys under a prefix of its own. */
async function pocketService(options: { storeTimeoutMs?: number; lockTimeoutMs?: number; redis?: Redis } = {}) {
  const prefix = `pocket${prefixes++}:`;
  const connection = options.redis ?? (await client());
  const flows = new RedisFlowStore(connection, { prefix });
  const tokens = new RedisTokenStore(connection, { prefix });
  const protocol = createPocketProtocol({ consumerKey: emulator.consumerKey, baseUrl: emulator.url });
  const service = createLoginService({
    protocol,
    http: new AxiosHttpClient(),
    redirectUri: 'http://127.0.0.1:9/callback',
    flows,
    tokens,
    lock: new RedisLock(connection, { prefix }),
    ...(options.storeTimeoutMs ? { storeTimeoutMs: options.storeTimeoutMs } : {}),
    ...(options.lockTimeoutMs ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
  });
  const keys = () => connection.keys(`${prefix}*`);
  return { service, flows, tokens, protocol, prefix, connection, keys };
}

/** begin, approve on the emulator, complete: the user is logged in. */
async function logIn(service: LoginService, userId: string) {
  const begun = await service.begin(userId);
  return service.complete(await approveOnPocket(begun.authorizationUrl));
}

/** A service "instance" for renewal tests: its own Redis connections, `token()` renews within 1 s of expiry. */
async function renewingInstance(
  protocol: LoginServiceOptions['protocol'],
  prefix: string,
  lockOptions: { leaseMs?: number } = {},
): Promise<LoginService> {
  return createLoginService({
    protocol,
    http: nullHttp,
    redirectUri: 'http://127.0.0.1:9/callback',
    flows: new RedisFlowStore(await client(), { prefix }),
    tokens: new RedisTokenStore(await client(), { prefix }),
    lock: new RedisLock(await client(), { prefix, ...lockOptions }),
    refreshSkewMs: 1_000,
  });
}

async function client(): Promise<Redis> {
  const made = await createRedisClient({ url: redis.url });
  clients.push(made);
  return made;
}

test.serial(
  'a holder slower than its lease keeps the lock: the other instance waits and uses its token, the grant survives',
  async (t) => {
    const prefix = `lease${prefixes++}:`;
    const { grant, protocol } = rotatingGrantProvider({ refreshMs: 1_500 });
    const service = async () =>
      // A lease far shorter than the refresh: only a lease kept alive by its holder covers it.
      renewingInstance(protocol, prefix, { leaseMs: 500 });
    const [a, b] = [await service(), await service()];
    const tokens = new RedisTokenStore(await client(), { prefix });
    const key = `${protocol.storageKey}|user:frank`;
    await tokens.set(key, encodeTokenSet({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() - 1 }));
    const first = a.token('frank');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // A holds the lock, past its lease
    const second = b.token('frank');
    const answers = await Promise.allSettled([first, second]);
    t.deepEqual(
      answers.map((answer) => (answer.status === 'fulfilled' ? answer.value.accessToken : String(answer.reason))),
      ['at-1', 'at-1'],
    );
    t.is(grant.refreshes, 1, 'one refresh: B waited for A and used what A saved');
    t.true(grant.live, 'no rotated refresh token was spent twice');
    t.is(await tokens.get(key).then((secret) => JSON.parse(secret ?? '{}').token?.refreshToken), 'rt-1');
  },
);

test('user ids Redis would keep under one key are refused; ids with separators, key syntax or another normalisation keep logins of their own', async (t) => {
  const { service, tokens, protocol } = await pocketService();
  // A lone surrogate has no UTF-8 form: Redis would be sent U+FFFD for each of these.
  for (const userId of ['\uD800', 'a\uDFFFb', '\uDBFF', 'x'.repeat(257), '']) {
    for (const call of [() => service.begin(userId), () => service.token(userId), () => service.logout(userId)]) {
      const error = await t.throwsAsync(call(), { instanceOf: AuthError });
      t.is(error.code, 'ERR_CONFIG', JSON.stringify(userId));
    }
  }
  t.is(await tokens.get(`${protocol.storageKey}|user:\uFFFD`), null, 'nothing was written under the replacement key');

  const ids = [
    'a|b',
    'a',
    'a|user:b',
    'caf\u00e9',
    'cafe\u0301',
    '*',
    'k}{x',
    'line\nbreak',
    '\u{1F600}',
    'y'.repeat(256),
  ];
  await logIn(service, ids[0]!);
  for (const other of ids.slice(1)) {
    t.is(
      (await t.throwsAsync(service.token(other), { instanceOf: AuthError })).code,
      'ERR_NOT_LOGGED_IN',
      `${JSON.stringify(other)} does not share ${JSON.stringify(ids[0])}'s login`,
    );
  }
  for (const userId of ids.slice(1)) await logIn(service, userId);
  for (const userId of ids) t.is((await service.token(userId)).username, 'demo');
  t.true(await service.logout('a|b'));
  for (const userId of ids.slice(1)) t.is((await service.token(userId)).username, 'demo', JSON.stringify(userId));
});

test('a flow record from another version, or changed in Redis, is ERR_STORAGE with no secret in it, and never crashes the host', async (t) => {
  const { service, connection, flows, keys } = await pocketService();
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  process.on('uncaughtException', onCrash);
  t.teardown(() => process.off('uncaughtException', onCrash));
  const kept = async () => {
    const begun = await service.begin('mallory');
    const text = (await connection.get(flows.keyOf(begun.state)))!;
    return {
      begun,
      record: JSON.parse(text),
      requestToken: new URL(begun.authorizationUrl).searchParams.get('request_token')!,
    };
  };
  const tamper: Record<string, (record: any, state: string) => unknown> = {
    'a newer version': (r) => ({ ...r, v: 2 }),
    'renamed states': (r) => ({
      ...r,
      snapshot: { ...r.snapshot, value: { signingIn: { awaitingUser: 'waitingForCallback' } } },
    }),
    'an unknown state': (r) => ({ ...r, snapshot: { ...r.snapshot, value: 'bogus' } }),
    'another state than waiting': (r) => ({ ...r, snapshot: { ...r.snapshot, value: { authorized: 'saving' } } }),
    'no context': (r) => ({ ...r, snapshot: { ...r.snapshot, context: undefined } }),
    'no session': (r) => ({ ...r, snapshot: { ...r.snapshot, context: { ...r.snapshot.context, session: null } } }),
    'another flow moved under this state': (r) => ({
      ...r,
      snapshot: {
        ...r.snapshot,
        context: { ...r.snapshot.context, session: { ...r.snapshot.context.session, state: 'other' } },
      },
    }),
    'a bad user id': (r) => ({ ...r, userId: '\uD800' }),
    'a finished actor': (r) => ({ ...r, snapshot: { ...r.snapshot, status: 'done' } }),
    'not JSON': (r) => `${JSON.stringify(r).slice(0, 80)}`,
  };
  for (const [name, change] of Object.entries(tamper)) {
    const { begun, record, requestToken } = await kept();
    const changed = change(record, begun.state);
    await connection.set(
      flows.keyOf(begun.state),
      typeof changed === 'string' ? changed : JSON.stringify(changed),
      'PX',
      60_000,
    );
    const settled = await Promise.race([
      service.complete({ state: begun.state }).then(
        () => 'completed',
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('no answer in 10 s'), 10_000)),
    ]);
    t.true(settled instanceof AuthError, `${name}: ${String(settled)}`);
    const error = settled as AuthError;
    t.is(error.code, 'ERR_STORAGE', name);
    t.regex(error.message, /^A login in progress kept in Redis at 127\.0\.0\.1:\d+ is unreadable/, name);
    t.false(error.message.includes(requestToken), name);
    t.false(JSON.stringify(error).includes(requestToken), name);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.deepEqual(crashes.map(String), []);
  t.deepEqual(await keys(), [], 'no token saved, no flow and no lock left behind');
});

test('hostile callbacks: a parameter sent twice or not as text, a state too long or ill-formed, never end the real login; access_denied leaves nothing in Redis', async (t) => {
  const { service, keys, flows, connection } = await pocketService();
  const begun = await service.begin('victor');
  const hostile: Array<[Record<string, unknown>, AuthError['code']]> = [
    [{ state: [begun.state, begun.state] }, 'ERR_STATE_MISMATCH'],
    [{ state: begun.state, code: ['a', 'b'] }, 'ERR_BAD_RESPONSE'],
    [{ state: begun.state, error: ['access_denied'] }, 'ERR_BAD_RESPONSE'],
    [{ state: begun.state, iss: { toString: () => 'x' } }, 'ERR_BAD_RESPONSE'],
    [{ state: `${begun.state}\uD800` }, 'ERR_STATE_MISMATCH'],
    [{ state: 'x'.repeat(100_000) }, 'ERR_STATE_MISMATCH'],
    [{ state: '*' }, 'ERR_EXPIRED'],
    [{ state: `${begun.state}}` }, 'ERR_EXPIRED'],
    [{ state: `authmachine:flow:{${begun.state}}` }, 'ERR_EXPIRED'],
    [{ state: `${begun.state}\r\nDEL x` }, 'ERR_EXPIRED'],
    [{}, 'ERR_STATE_MISMATCH'],
  ];
  for (const [params, code] of hostile) {
    const error = await t.throwsAsync(service.complete(params as Record<string, string>), { instanceOf: AuthError });
    t.is(error.code, code, JSON.stringify(params).slice(0, 100));
  }
  // No parameters at all (a host that passes a parsed query it never got): the same refusal.
  for (const params of [undefined, null]) {
    const error = await t.throwsAsync(service.complete(params as unknown as Record<string, string>), {
      instanceOf: AuthError,
    });
    t.is(error.code, 'ERR_STATE_MISMATCH', String(params));
  }
  t.not(await connection.get(flows.keyOf(begun.state)), null, 'the real login still waits');
  const approved = await approveOnPocket(begun.authorizationUrl);
  t.is((await service.complete(approved)).userId, 'victor');

  // The person declines: the flow is gone, and nothing else was written.
  const declined = await service.begin('wendy');
  const refused = await t.throwsAsync(service.complete({ state: declined.state, error: 'access_denied' }), {
    instanceOf: AuthError,
  });
  t.is(refused.code, 'ERR_DECLINED');
  t.deepEqual(
    (await keys()).filter((key) => !key.includes('|user:victor')),
    [],
  );
  t.is((await t.throwsAsync(service.token('wendy'), { instanceOf: AuthError })).code, 'ERR_NOT_LOGGED_IN');
});

test.serial(
  'Redis paused right after a rotating refresh: the renewed token is saved once Redis is back, the grant survives',
  async (t) => {
    const { connection, pause, resume } = await pausableRedis(t);
    const { grant, protocol } = rotatingGrantProvider({ refreshMs: 300 });
    const tokens = new RedisTokenStore(connection);
    const service = createLoginService({
      protocol,
      http: nullHttp,
      redirectUri: 'http://127.0.0.1:9/callback',
      flows: new RedisFlowStore(connection),
      tokens,
      lock: new RedisLock(connection),
      refreshSkewMs: 1_000,
    });
    const key = `${protocol.storageKey}|user:frank`;
    await tokens.set(key, encodeTokenSet({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() - 1 }));
    const renewing = service.token('frank');
    await new Promise((resolve) => setTimeout(resolve, 150)); // the refresh is on its way
    pause();
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // rt-0 is spent; Redis is away
    resume();
    const renewed = await renewing.then(
      (token) => token.accessToken,
      (error: unknown) => String(error),
    );
    t.is(renewed, 'at-1');
    t.is(await tokens.get(key).then((secret) => JSON.parse(secret ?? '{}').token?.refreshToken), 'rt-1');
    t.is((await service.token('frank')).accessToken, 'at-1');
    t.true(grant.live, 'the spent refresh token was never sent again');
  },
);

test.serial(
  'Redis paused (SIGSTOP): begin, complete, token and logout each end with ERR_STORAGE; once it is back no lock is left held, the login is intact and logout works',
  async (t) => {
    const { connection, pause, resume } = await pausableRedis(t);
    const { service, keys } = await pocketService({ redis: connection, storeTimeoutMs: 1_000, lockTimeoutMs: 2_000 });
    await logIn(service, 'alice');
    const waiting = await service.begin('bob');
    const approved = await approveOnPocket(waiting.authorizationUrl);
    pause();
    const hang = (ms: number) => new Promise((resolve) => setTimeout(() => resolve('no answer'), ms));
    const calls: Record<string, () => Promise<unknown>> = {
      begin: () => service.begin('carol'),
      complete: () => service.complete(approved),
      token: () => service.token('alice'),
      logout: () => service.logout('alice'),
    };
    const outcomes = await Promise.all(
      Object.entries(calls).map(async ([name, call]) => {
        const outcome = await Promise.race([
          call().then(
            () => 'succeeded',
            (error: unknown) => error,
          ),
          hang(8_000),
        ]);
        return [name, outcome instanceof AuthError ? outcome.code : String(outcome)];
      }),
    );
    t.deepEqual(Object.fromEntries(outcomes), {
      begin: 'ERR_STORAGE',
      complete: 'ERR_STORAGE',
      token: 'ERR_STORAGE',
      logout: 'ERR_STORAGE',
    });
    resume();
    await new Promise((resolve) => setTimeout(resolve, 100)); // what Redis received while stopped is done
    for (const key of await keys()) {
      const pttl = await connection.pttl(key);
      t.true(key.includes(':token:') || pttl > 0, `${key} has a time to live (${pttl})`);
      t.false(key.includes(':lock:'), `no lock is left held: ${key}`);
    }
    t.is((await service.token('alice')).username, 'demo', 'the saved login is intact');
    t.true(await service.logout('alice'), 'no lock from the paused calls stands in the way');
  },
);

test.serial(
  'Redis paused while the code is exchanged: the new login is saved once Redis is back, not lost',
  async (t) => {
    const { connection, pause, resume } = await pausableRedis(t);
    const prefix = 'slow-exchange:';
    const axios = new AxiosHttpClient();
    let exchanging: () => void = () => {};
    const exchanged = new Promise<void>((resolve) => (exchanging = resolve));
    const tokens = new RedisTokenStore(connection, { prefix });
    const protocol = createPocketProtocol({ consumerKey: emulator.consumerKey, baseUrl: emulator.url });
    const service = createLoginService({
      protocol,
      // The exchange is slow; Redis stops while it is on its way.
      http: {
        send: async (request) => {
          if (request.url.endsWith('/v3/oauth/authorize')) {
            exchanging();
            await new Promise((resolve) => setTimeout(resolve, 300));
          }
          return axios.send(request);
        },
      },
      redirectUri: 'http://127.0.0.1:9/callback',
      flows: new RedisFlowStore(connection, { prefix }),
      tokens,
      lock: new RedisLock(connection, { prefix }),
      // A lock left held by a SET Redis took while stopped would hold it for a whole lease (30 s).
      lockTimeoutMs: 5_000,
    });
    const begun = await service.begin('alice');
    const completing = service.complete(await approveOnPocket(begun.authorizationUrl));
    await exchanged;
    pause();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    resume();
    t.is(await completing.then((done) => done.userId, String), 'alice');
    t.is((await service.token('alice')).username, 'demo');
  },
);

test.serial(
  'close() while a refresh is on its way (a rolling deploy): the rotated token is saved, not dropped, and close resolves after',
  async (t) => {
    const prefix = `close${prefixes++}:`;
    const { grant, protocol } = rotatingGrantProvider({ refreshMs: 500 });
    const connection = await client();
    const tokens = new RedisTokenStore(connection, { prefix });
    const service = () =>
      createLoginService({
        protocol,
        http: nullHttp,
        redirectUri: 'http://127.0.0.1:9/callback',
        flows: new RedisFlowStore(connection, { prefix }),
        tokens,
        lock: new RedisLock(connection, { prefix }),
        refreshSkewMs: 1_000,
      });
    const [leaving, staying] = [service(), service()];
    const key = `${protocol.storageKey}|user:frank`;
    await tokens.set(key, encodeTokenSet({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() - 1 }));
    const renewing = leaving.token('frank').then(
      (token) => token.accessToken,
      (error: unknown) => (error as AuthError).code,
    );
    while (grant.refreshes === 0) await new Promise((resolve) => setTimeout(resolve, 10)); // sent
    await leaving.close();
    t.is(await renewing, 'at-1', 'the refresh already sent was finished and saved');
    t.is((await t.throwsAsync(leaving.token('frank'), { instanceOf: AuthError })).code, 'ERR_CANCELLED');
    t.is((await staying.token('frank')).accessToken, 'at-1');
    t.true(grant.live, 'rt-0 was never sent again');
    t.is(grant.refreshes, 1);
  },
);

test.serial(
  'token() on two instances racing logout(): the login survives or is cleanly gone, never back after logout, in 10 of 10 rounds',
  async (t) => {
    const prefix = `race${prefixes++}:`;
    const { grant, protocol } = rotatingGrantProvider({ refreshMs: 150 });
    const tokens = new RedisTokenStore(await client(), { prefix });
    const service = async () => renewingInstance(protocol, prefix);
    const [a, b] = [await service(), await service()];
    const key = `${protocol.storageKey}|user:frank`;
    const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let round = 0; round < 10; round++) {
      await tokens.set(
        key,
        encodeTokenSet({
          accessToken: `at-${grant.generation}`,
          refreshToken: grant.refreshToken,
          expiresAt: Date.now() - 1,
        }),
      );
      const outcome = (work: Promise<unknown>) =>
        work.then(
          (value) => (typeof value === 'boolean' ? 'logged out' : 'token'),
          (error: unknown) => (error as AuthError).code,
        );
      const results = await Promise.all([
        outcome(a.token('frank')),
        outcome(later(round * 25).then(() => b.logout('frank'))),
        outcome(later(round * 15).then(() => b.token('frank'))),
      ]);
      t.is(results[1], 'logged out', `round ${round}`);
      for (const result of [results[0], results[2]]) {
        t.true(['token', 'ERR_NOT_LOGGED_IN', 'ERR_TOKEN_INVALID'].includes(result), `round ${round}: ${result}`);
      }
      await later(50);
      t.is(await tokens.get(key), null, `round ${round}: nothing came back after logout`);
      t.is((await t.throwsAsync(a.token('frank'), { instanceOf: AuthError })).code, 'ERR_NOT_LOGGED_IN');
      t.true(grant.live, `round ${round}: no spent refresh token was sent`);
    }
  },
);

test('the same callback sent to two instances at the same instant: exactly one completes, in 10 of 10 rounds', async (t) => {
  const connection = await client();
  const a = await pocketService({ redis: connection });
  const b = createLoginService({
    protocol: a.protocol,
    http: new AxiosHttpClient(),
    redirectUri: 'http://127.0.0.1:9/callback',
    flows: new RedisFlowStore(await client(), { prefix: a.prefix }),
    tokens: new RedisTokenStore(await client(), { prefix: a.prefix }),
    lock: new RedisLock(await client(), { prefix: a.prefix }),
  });
  for (let round = 0; round < 10; round++) {
    const begun = await a.service.begin(`user-${round}`);
    const params = await approveOnPocket(begun.authorizationUrl);
    const outcomes = await Promise.all(
      [a.service, b, a.service, b].map((instance) =>
        instance.complete({ ...params }).then(
          () => 'completed',
          (error: unknown) => (error as AuthError).code,
        ),
      ),
    );
    t.deepEqual(outcomes.filter((outcome) => outcome === 'completed').length, 1, `round ${round}: ${outcomes}`);
    t.deepEqual(new Set(outcomes.filter((outcome) => outcome !== 'completed')), new Set(['ERR_EXPIRED']));
    t.is((await b.token(`user-${round}`)).username, 'demo');
  }
});

test('a stored login changed in Redis is ERR_STORAGE without its text, for token() and logout()', async (t) => {
  const { service, tokens, protocol } = await pocketService();
  await logIn(service, 'olga');
  const key = `${protocol.storageKey}|user:olga`;
  const stored = (await tokens.get(key))!;
  const accessToken = JSON.parse(stored).token.accessToken as string;
  await tokens.set(key, stored.replace('"v":1', '"v":9'));
  const error = await t.throwsAsync(service.token('olga'), { instanceOf: AuthError });
  t.is(error.code, 'ERR_STORAGE');
  t.false(`${error.message}${JSON.stringify(error)}`.includes(accessToken));
  t.true(await service.logout('olga'), 'an unreadable login can still be removed');
  t.is(await tokens.get(key), null);
});

test("a callback for a login begun for another user (eve sends victor her authorization URL) is refused when the host names its session's user, and nothing is saved", async (t) => {
  const { service, keys } = await pocketService();
  const eves = await service.begin('eve');
  const approvedByVictor = await approveOnPocket(eves.authorizationUrl); // victor's account, eve's flow
  const error = await t.throwsAsync(service.complete(approvedByVictor, { userId: 'victor' }), {
    instanceOf: AuthError,
  });
  t.is(error.code, 'ERR_STATE_MISMATCH');
  t.regex(error.message, /begun for another user/);
  t.is(
    (await t.throwsAsync(service.complete(approvedByVictor, { userId: 'eve' }), { instanceOf: AuthError })).code,
    'ERR_EXPIRED',
    'the login handed over is over',
  );
  t.deepEqual(await keys(), [], 'no token saved for eve, no flow left');
  t.is((await t.throwsAsync(service.token('eve'), { instanceOf: AuthError })).code, 'ERR_NOT_LOGGED_IN');

  const own = await service.begin('victor');
  t.is((await service.complete(await approveOnPocket(own.authorizationUrl), { userId: 'victor' })).userId, 'victor');
  const bad = await t.throwsAsync(service.complete({ state: 'x' }, { userId: '\uD800' }), { instanceOf: AuthError });
  t.is(bad.code, 'ERR_CONFIG');
});

test.serial(
  'Redis killed and started again on its port (no persistence): calls fail with ERR_STORAGE meanwhile, then work again without a new client',
  async (t) => {
    let own = await startRedisServer();
    const connection = await createRedisClient({ url: own.url, commandTimeoutMs: 300 });
    t.teardown(async () => {
      connection.disconnect();
      await own.stop();
    });
    const { service } = await pocketService({ redis: connection, storeTimeoutMs: 500 });
    await logIn(service, 'alice');
    own.kill();
    await new Promise((resolve) => own.process.once('exit', resolve));
    for (const call of [() => service.begin('bob'), () => service.token('alice'), () => service.logout('alice')]) {
      t.is((await t.throwsAsync(call(), { instanceOf: AuthError })).code, 'ERR_STORAGE');
    }
    own = await startRedisServer({ port: own.port });
    // The client reconnects by itself; what Redis kept in memory is gone with it.
    for (let tries = 0; connection.status !== 'ready' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    t.is((await t.throwsAsync(service.token('alice'), { instanceOf: AuthError })).code, 'ERR_NOT_LOGGED_IN');
    await logIn(service, 'alice');
    t.is((await service.token('alice')).username, 'demo');
    t.true(await service.logout('alice'), 'the lock script is loaded again where it was lost');
  },
);

test.serial(
  'a full Redis (maxmemory reached, noeviction) refuses writes: begin is ERR_STORAGE, the saved login is still there',
  async (t) => {
    const own = await startRedisServer();
    const connection = await createRedisClient({ url: own.url });
    t.teardown(async () => {
      connection.disconnect();
      await own.stop();
    });
    const { service } = await pocketService({ redis: connection });
    await logIn(service, 'alice');
    await connection.config('SET', 'maxmemory-policy', 'noeviction');
    await connection.config('SET', 'maxmemory', '1');
    const error = await t.throwsAsync(service.begin('bob'), { instanceOf: AuthError });
    t.is(error.code, 'ERR_STORAGE');
    t.regex(error.message, /Redis refused the command/);
    t.is((await service.token('alice')).username, 'demo');
  },
);
