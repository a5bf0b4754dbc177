/**
 * A lifetime so long that its end is beyond the last instant a Date holds (8.64e15 ms): a server's
 * `expires_in` or `refresh_token_expires_in` of 1e18 seconds reads as "does not expire" instead of
 * a time that made `token --json`, `--format exec-credential` and `status` fail as "a bug in
 * authmachine"; a stored entry holding such a time is unreadable (log in again), never a crash.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError } from '../../adapters/errors.js';
import { decodeTokenSet, encodeTokenSet } from '../../src/flow/token-codec.js';
import { parseAccessTokenResponse } from '../../src/oauth2/token-endpoint.js';
import { writeOAuthLogin } from '../helpers/cli-profile.js';
import { runCli } from '../helpers/cli-run.js';

const NOW = Date.now();
const HUGE = [1e13, 1e18, Number.MAX_SAFE_INTEGER, 1.7e308];

test('expires_in and refresh_token_expires_in beyond a Date read as no expiry; ordinary ones are kept', (t) => {
  for (const seconds of HUGE) {
    const token = parseAccessTokenResponse(
      {
        access_token: 'a',
        token_type: 'Bearer',
        refresh_token: 'r',
        expires_in: seconds,
        refresh_token_expires_in: seconds,
      },
      NOW,
    );
    t.is(token.expiresAt, undefined, String(seconds));
    t.is(token.refreshExpiresAt, undefined, String(seconds));
  }
  const ordinary = parseAccessTokenResponse(
    {
      access_token: 'a',
      token_type: 'Bearer',
      refresh_token: 'r',
      expires_in: 3600,
      refresh_token_expires_in: 2_147_483_647,
    },
    NOW,
  );
  t.is(ordinary.expiresAt, NOW + 3_600_000);
  t.is(ordinary.refreshExpiresAt, NOW + 2_147_483_647_000);
});

test('such a login prints and shows in every format, as not expiring', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-expiry-range-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const token = parseAccessTokenResponse(
    { access_token: 'access-forever', token_type: 'Bearer', refresh_token: 'r', expires_in: 1e18 },
    NOW,
  );
  await writeOAuthLogin(dir, { issuer: 'http://127.0.0.1:9', clientId: 'cli', token });
  const env = { HOME: dir, AUTHMACHINE_CONFIG_DIR: dir, PATH: process.env['PATH'] ?? '' };
  for (const argv of [
    ['token', '--json'],
    ['token', '--format', 'exec-credential'],
    ['token', '--format', 'env'],
    ['status'],
    ['status', '--json'],
  ]) {
    const run = await runCli(argv, env).result;
    t.is(run.code, 0, `${argv.join(' ')}: ${run.stderr}`);
    t.is(run.stderr, '');
  }
  const json = JSON.parse((await runCli(['token', '--json'], env).result).stdout) as Record<string, unknown>;
  t.is(json['expires_at'], null);
});

test('a stored entry with a time beyond a Date is unreadable, not a crash', (t) => {
  for (const key of ['expiresAt', 'refreshExpiresAt'] as const) {
    for (const value of [1e18, -1e18]) {
      const secret = encodeTokenSet({ accessToken: 'a', refreshToken: 'r', [key]: value });
      t.throws(() => decodeTokenSet(secret, 'here'), { instanceOf: AuthError, message: /unreadable/ });
    }
  }
  t.is(decodeTokenSet(encodeTokenSet({ accessToken: 'a', expiresAt: 8.64e15 }), 'here').expiresAt, 8.64e15);
});
