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
import type { AuthProtocol } from '../../src/protocol.js';
import { createLoginService } from '../../src/server/index.js';
import { nullHttp } from '../helpers/fake-protocol.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
const clients: Redis[] = [];
let prefixes = 0;

test.before(async () => {
  redis = await startRedisServer();
});

test.after.always(async () => {
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

async function client(): Promise<Redis> {
  const made = await createRedisClient({ url: redis.url });
  clients.push(made);
  return made;
}

const TTL_MS = 10_000;

/** A provider that rotates refresh tokens, revokes the grant on reuse, and answers slowly. */
function slowRotatingProvider(refreshMs: number) {
  const grant = { live: true, refreshToken: 'rt-0', generation: 0, refreshes: 0 };
  const protocol: AuthProtocol<unknown, unknown> = {
    name: 'rotating',
    storageKey: 'rotating:client',
    mode: 'redirect',
    async start() {
      throw new AuthError('ERR_CONFIG', 'not used');
    },
    async exchange() {
      throw new AuthError('ERR_CONFIG', 'not used');
    },
    async fetch() {
      return null;
    },
    async refresh(_ctx, { token }) {
      grant.refreshes++;
      await new Promise((resolve) => setTimeout(resolve, refreshMs));
      if (!grant.live || token.refreshToken !== grant.refreshToken) {
        grant.live = false;
        throw new AuthError('ERR_TOKEN_INVALID', 'invalid_grant');
      }
      grant.generation++;
      grant.refreshToken = `rt-${grant.generation}`;
      return {
        accessToken: `at-${grant.generation}`,
        refreshToken: grant.refreshToken,
        tokenType: 'Bearer',
        expiresAt: Date.now() + TTL_MS,
      };
    },
  };
  return { grant, protocol };
}

test('a holder slower than its lease keeps the lock: the other instance waits and uses its token, the grant survives', async (t) => {
  const prefix = `lease${prefixes++}:`;
  const { grant, protocol } = slowRotatingProvider(900);
  const service = async () =>
    createLoginService({
      protocol,
      http: nullHttp,
      redirectUri: 'http://127.0.0.1:9/callback',
      flows: new RedisFlowStore(await client(), { prefix }),
      tokens: new RedisTokenStore(await client(), { prefix }),
      // A lease far shorter than the refresh: only a lease kept alive by its holder covers it.
      lock: new RedisLock(await client(), { prefix, leaseMs: 200 }),
      refreshSkewMs: 1_000,
    });
  const [a, b] = [await service(), await service()];
  const tokens = new RedisTokenStore(await client(), { prefix });
  const key = `${protocol.storageKey}|user:frank`;
  await tokens.set(key, encodeTokenSet({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() - 1 }));
  const first = a.token('frank');
  await new Promise((resolve) => setTimeout(resolve, 400)); // A holds the lock, its lease long gone
  const second = b.token('frank');
  const answers = await Promise.allSettled([first, second]);
  t.deepEqual(
    answers.map((answer) => (answer.status === 'fulfilled' ? answer.value.accessToken : String(answer.reason))),
    ['at-1', 'at-1'],
  );
  t.is(grant.refreshes, 1, 'one refresh: B waited for A and used what A saved');
  t.true(grant.live, 'no rotated refresh token was spent twice');
  t.is(await tokens.get(key).then((secret) => JSON.parse(secret ?? '{}').token?.refreshToken), 'rt-1');
});
