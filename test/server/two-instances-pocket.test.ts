/**
 * Two instances of a host (two processes of examples/server-host.ts) share one real
 * redis-server, logging users in to the Pocket emulator: the redirect may reach either.
 */
import test from 'ava';
import { startPocketEmulator, type PocketEmulator } from '../../src/pocket/emulator/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { approveOnPocket, startHostInstance, type HostInstance } from '../helpers/server-instance.js';

let redis: RedisServer;
let emulator: PocketEmulator;
const instances: HostInstance[] = [];

const hostEnv = (extra: Record<string, string> = {}) => ({
  PROVIDER: 'pocket',
  POCKET_BASE_URL: emulator.url,
  POCKET_CONSUMER_KEY: emulator.consumerKey,
  REDIS_URL: redis.url,
  // The load balancer's address in production; here nothing listens there: the test carries
  // each callback to the instance it picks.
  REDIRECT_URI: 'http://127.0.0.1:9/callback',
  ...extra,
});

async function instance(extra: Record<string, string> = {}): Promise<HostInstance> {
  const started = await startHostInstance(hostEnv(extra));
  instances.push(started);
  return started;
}

test.before(async () => {
  redis = await startRedisServer();
  emulator = await startPocketEmulator({ approval: 'auto-approve', rateLimits: { userLimit: 1e6, keyLimit: 1e6 } });
});

test.after.always(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  await emulator?.close();
  await redis?.stop();
});

test.serial('a login begun on A completes on B, and the same callback replayed on A is refused', async (t) => {
  t.timeout(5 * 60_000, 'instances start slowly on a busy machine');
  const [a, b] = await Promise.all([instance(), instance()]);
  const begun = await a.call('GET', '/login?user=alice');
  t.is(begun.status, 200);
  const params = await approveOnPocket(begun.body.authorizationUrl as string);
  t.is(params.state, begun.body.state as string);
  const query = `/callback?${new URLSearchParams(params)}`;

  const completed = await b.call('GET', query);
  t.is(completed.status, 200, JSON.stringify(completed.body));
  t.deepEqual(completed.body, { userId: 'alice', username: 'demo', instance: b.port });

  const replayed = await a.call('GET', query);
  t.is(replayed.status, 410);
  t.is(replayed.body.error, 'ERR_EXPIRED');
  t.regex(replayed.body.message as string, /already completed/);

  // Both instances now use alice's login; bob has none.
  for (const host of [a, b]) {
    const me = await host.call('GET', '/me?user=alice');
    t.deepEqual(me.body, { user: 'alice', instance: host.port, expiresAt: null, provider: { items: 1 } });
  }
  const bob = await a.call('GET', '/me?user=bob');
  t.is(bob.status, 401);
  t.is(bob.body.error, 'ERR_NOT_LOGGED_IN');
});

test.serial(
  'a callback with a parameter sent twice is refused by the host before the flow is taken: the real one still completes',
  async (t) => {
    t.timeout(5 * 60_000, 'instances start slowly on a busy machine');
    const [a, b] = await Promise.all([instance(), instance()]);
    const begun = await a.call('GET', '/login?user=olga');
    const params = await approveOnPocket(begun.body.authorizationUrl as string);
    const query = new URLSearchParams(params).toString();
    for (const mangled of [`${query}&state=${params.state}`, `${query}&code=1&code=2`]) {
      const refused = await b.call('GET', `/callback?${mangled}`);
      t.true(refused.status >= 400, `${refused.status} ${JSON.stringify(refused.body)}`);
      t.regex(refused.body.error as string, /^ERR_(STATE_MISMATCH|BAD_RESPONSE)$/);
    }
    const completed = await b.call('GET', `/callback?${query}`);
    t.is(completed.status, 200, JSON.stringify(completed.body));
    t.is(completed.body.userId, 'olga');
  },
);

test.serial('an instance killed between begin and complete loses nothing: the other completes the login', async (t) => {
  t.timeout(5 * 60_000, 'instances start slowly on a busy machine');
  const a = await instance();
  const b = await instance();
  const begun = await a.call('GET', '/login?user=carol');
  await a.kill('SIGKILL');
  const params = await approveOnPocket(begun.body.authorizationUrl as string);
  const completed = await b.call('GET', `/callback?${new URLSearchParams(params)}`);
  t.is(completed.status, 200, JSON.stringify(completed.body));
  t.is(completed.body.userId, 'carol');
  t.is((await b.call('GET', '/me?user=carol')).status, 200);
});

test.serial('a callback whose flow outlived its time to live is refused with a clear error', async (t) => {
  t.timeout(5 * 60_000, 'instances start slowly on a busy machine');
  const a = await instance({ USER_TIMEOUT_MS: '300' });
  const begun = await a.call('GET', '/login?user=dave');
  const params = await approveOnPocket(begun.body.authorizationUrl as string);
  await new Promise((resolve) => setTimeout(resolve, 600));
  const late = await a.call('GET', `/callback?${new URLSearchParams(params)}`);
  t.is(late.status, 410);
  t.is(late.body.error, 'ERR_EXPIRED');
  t.is(
    late.body.message,
    'No login is waiting for this callback: it was not completed within 300 ms of its start, or it was already completed. Start the login again.',
  );
  t.is((await a.call('GET', '/me?user=dave')).body.error, 'ERR_NOT_LOGGED_IN');
});

test.serial('Redis going away mid-run answers ERR_STORAGE, not a hang', async (t) => {
  t.timeout(5 * 60_000, 'instances start slowly on a busy machine');
  const own = await startRedisServer();
  const a = await instance({ REDIS_URL: own.url, REDIS_TIMEOUT_MS: '1000' });
  const begun = await a.call('GET', '/login?user=erin');
  t.is(begun.status, 200);
  own.kill();
  await new Promise((resolve) => own.process.once('exit', resolve));
  for (const path of ['/login?user=erin', `/callback?state=${begun.body.state as string}&code=x`, '/me?user=erin']) {
    const answer = await a.call('GET', path);
    t.is(answer.status, 503, path);
    t.is(answer.body.error, 'ERR_STORAGE', path);
    t.regex(answer.body.message as string, /^Redis at 127\.0\.0\.1:\d+ failed while /);
  }
  t.is(a.process.exitCode, null, 'the instance is still running');
});

test.serial(
  "the example host completes a callback only in the session of the user who began it (a cookie): another user's browser is refused",
  async (t) => {
    t.timeout(5 * 60_000, 'instances start slowly on a busy machine');
    const [a, b] = await Promise.all([instance(), instance()]);
    const begun = await fetch(`${a.url}/login?user=eve`, { headers: { accept: 'application/json' } });
    const eveCookie = begun.headers.get('set-cookie')!.split(';')[0]!;
    t.is(eveCookie, 'example_user=eve');
    const { authorizationUrl } = (await begun.json()) as { authorizationUrl: string };
    // Eve sends victor her authorization URL; he approves, and his browser (his session) comes back.
    const query = new URLSearchParams(await approveOnPocket(authorizationUrl));
    const callback = (cookie: string) =>
      fetch(`${b.url}/callback?${query}`, { headers: { accept: 'application/json', cookie } }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }),
      );
    const refused = await callback('example_user=victor');
    t.is(refused.body.error, 'ERR_STATE_MISMATCH', JSON.stringify(refused.body));
    t.is((await a.call('GET', '/me?user=eve')).body.error, 'ERR_NOT_LOGGED_IN', 'nothing was connected to eve');

    const again = await fetch(`${a.url}/login?user=eve`, { headers: { accept: 'application/json' } });
    const own = new URLSearchParams(
      await approveOnPocket(((await again.json()) as { authorizationUrl: string }).authorizationUrl),
    );
    const done = await fetch(`${b.url}/callback?${own}`, {
      headers: { accept: 'application/json', cookie: eveCookie },
    });
    t.is(done.status, 200);
    t.is((await a.call('GET', '/me?user=eve')).status, 200);
  },
);
