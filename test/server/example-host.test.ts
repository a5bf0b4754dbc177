/**
 * The example host (examples/server-host.ts) as a newcomer starts it: `--help` lists its
 * settings, and a wrong setting or a Redis that is not there ends it at once with one line that
 * says what to do (no stack trace), before it reaches Redis or takes a port.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import test from 'ava';
import { startRedisServer } from '../helpers/redis-server.js';

const run = promisify(execFile);

/** Runs the host to its end; resolves with its exit code and output. */
async function host(env: Record<string, string>, args: string[] = []) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(PROVIDER|POCKET_|OAUTH_|REDIS_|REDIRECT_URI|PORT$|USER_TIMEOUT_MS|REFRESH_SKEW_MS)/.test(name),
    ),
  );
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import=tsx', 'examples/server-host.ts', ...args], {
      env: { ...clean, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

test('--help lists every setting the host reads, and exits 0 without starting', async (t) => {
  const { code, stdout } = await host({}, ['--help']);
  t.is(code, 0);
  for (const name of [
    'PROVIDER',
    'POCKET_BASE_URL',
    'POCKET_CONSUMER_KEY',
    'POCKET_CONSUMER_KEY_FILE',
    'OAUTH_ISSUER',
    'OAUTH_CLIENT_ID',
    'OAUTH_SCOPE',
    'OAUTH_RESOURCE',
    'REDIS_URL',
    'REDIRECT_URI',
    'PORT',
    'USER_TIMEOUT_MS',
    'REFRESH_SKEW_MS',
    'REDIS_TIMEOUT_MS',
  ]) {
    t.regex(stdout, new RegExp(`^  ${name} `, 'm'), name);
  }
});

test('a wrong or missing setting is one line naming it and what to do, exit 1, before Redis is reached', async (t) => {
  // No Redis runs at REDIS_URL: a host that reached for it first would report that instead.
  const nowhere = { REDIS_URL: 'redis://127.0.0.1:9', POCKET_BASE_URL: 'http://127.0.0.1:8080' };
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ ...nowhere, PROVIDER: 'oidc' }, /^PROVIDER is "oidc": set it to pocket or oauth\.$/],
    [nowhere, /^Set POCKET_CONSUMER_KEY, or POCKET_CONSUMER_KEY_FILE to a file whose first line is the key/],
    [
      { ...nowhere, POCKET_CONSUMER_KEY_FILE: '/nonexistent/key' },
      /^POCKET_CONSUMER_KEY_FILE names \/nonexistent\/key, which cannot be read\.$/,
    ],
    [{ ...nowhere, POCKET_CONSUMER_KEY: 'k', POCKET_BASE_URL: '' }, /^Set POCKET_BASE_URL: the Pocket server/],
    [{ ...nowhere, PROVIDER: 'oauth', OAUTH_ISSUER: 'http://127.0.0.1:9' }, /^Set OAUTH_CLIENT_ID: /],
    [
      { ...nowhere, POCKET_CONSUMER_KEY: 'k', PORT: 'eighty' },
      /^PORT is "eighty": set it to a whole number from 0 to 65535\.$/,
    ],
    [
      { ...nowhere, POCKET_CONSUMER_KEY: 'k', USER_TIMEOUT_MS: '5m' },
      /^USER_TIMEOUT_MS is "5m": set it to a whole number/,
    ],
  ];
  for (const [env, message] of cases) {
    const { code, stdout, stderr } = await host(env);
    const what = JSON.stringify(env);
    t.is(code, 1, what);
    t.is(stdout, '', `${what}: it never listened`);
    const lines = stderr.trimEnd().split('\n');
    t.is(lines.length, 1, `${what}: one line, no stack trace: ${stderr}`);
    const said = JSON.parse(lines[0] ?? '{}') as { error?: string; message?: string };
    t.is(said.error, 'ERR_CONFIG', what);
    t.regex(said.message ?? '', message, what);
  }
});

test('a Redis that is not there is one line saying where and what to do, exit 1', async (t) => {
  const gone = await startRedisServer();
  await gone.stop();
  const { code, stdout, stderr } = await host({
    POCKET_CONSUMER_KEY: 'k',
    POCKET_BASE_URL: 'http://127.0.0.1:8080',
    REDIS_URL: gone.url,
  });
  t.is(code, 1);
  t.is(stdout, '');
  t.deepEqual(JSON.parse(stderr), {
    error: 'ERR_STORAGE',
    message: `Could not connect to Redis at 127.0.0.1:${gone.port} within 5000 ms: start redis-server there, or give the URL of one that runs.`,
  });
});

test('a port already taken is one line saying so, exit 1', async (t) => {
  const redis = await startRedisServer();
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    taken.close();
    await redis.stop();
  });
  const port = (taken.address() as { port: number }).port;
  const { code, stdout, stderr } = await host({
    POCKET_CONSUMER_KEY: 'k',
    POCKET_BASE_URL: 'http://127.0.0.1:8080',
    REDIS_URL: redis.url,
    PORT: String(port),
  });
  t.is(code, 1);
  t.is(stdout, '');
  t.deepEqual(JSON.parse(stderr), {
    error: 'ERR_CONFIG',
    message: `Port ${port} on 127.0.0.1 is in use: set PORT to a free one (0: any).`,
  });
});
