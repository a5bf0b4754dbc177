/**
 * Single-flight renewal across real processes: 4 and then 8 `authmachine call` processes (the
 * built CLI, bin/authmachine.js) start at once on one login whose access token has expired,
 * against oidc-provider, which rotates refresh tokens for this public client and treats the
 * reuse of a spent one as theft (it revokes the whole grant). Over 20 rounds each, every call must
 * succeed and the login must survive: one process refreshes under the file lock, the others find
 * its token when they get the lock. Then the same against a provider that rotates without
 * detecting reuse (a spent refresh token is merely unknown): no loser deletes the winner's login.
 */
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FileTokenStore } from '../../adapters/file-store.js';
import { decodeTokenSet, encodeTokenSet } from '../../src/flow/token-codec.js';
import { startOidcServer, type OidcServer } from '../helpers/oidc-server.js';
import { cliHome, loginInChromium, oidcLoginArgv, oidcSuite, type OidcSuiteContext } from '../helpers/oidc-suite.js';

const test = oidcSuite<{ noReuse: OidcServer; grants: { refreshed: number; revoked: number } }>();
const root = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = 20;

test.before(async (t) => {
  t.context.noReuse = await startOidcServer({ reuseDetection: false });
  const grants = { refreshed: 0, revoked: 0 };
  t.context.grants = grants;
  t.context.server.provider.on('grant.success', (ctx: unknown) => {
    if ((ctx as { oidc?: { params?: { grant_type?: string } } }).oidc?.params?.grant_type === 'refresh_token')
      grants.refreshed++;
  });
  t.context.server.provider.on('grant.revoked', () => grants.revoked++);
});
test.after.always(async (t) => {
  await t.context.noReuse?.close();
});

/** Logs a fresh account in through the CLI (Chromium plays the person); returns its env and token file. */
async function loggedIn(t: ExecutionContext<OidcSuiteContext>, server: OidcServer, user: string) {
  const { env: home, tokenFile } = await cliHome(t, user);
  const env = { ...home, PATH: process.env['PATH'] ?? '' };
  const { result } = await loginInChromium(t, oidcLoginArgv(server, tokenFile), env, user, { server });
  if (result.code !== 0) throw new Error(`login failed: ${result.stderr}`);
  return { env, tokenFile };
}

/** Moves the stored access token's expiry into the past, as time would: the next use must renew it. */
async function expire(tokenFile: string): Promise<void> {
  const store = new FileTokenStore({ path: tokenFile });
  const entries = JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>;
  for (const [name, secret] of Object.entries(entries)) {
    const token = decodeTokenSet(secret, tokenFile);
    await store.set(name, encodeTokenSet({ ...token, expiresAt: Date.now() - 1_000 }));
  }
}

function callProcess(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/authmachine.js', 'call', '/api/me'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const processes of [4, 8]) {
  test.serial(
    `${processes} processes call at once after expiry, ${ROUNDS} rounds: every call succeeds and the login survives`,
    async (t) => {
      t.timeout(30 * 60_000, 'many whole processes on a busy machine');
      const user = `racer-${processes}`;
      const { env, tokenFile } = await loggedIn(t, t.context.server, user);
      const refreshedBefore = t.context.grants.refreshed;
      const failures: string[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        await expire(tokenFile);
        const runs = await Promise.all(Array.from({ length: processes }, () => callProcess(env)));
        runs.forEach((run, i) => {
          if (run.code !== 0 || JSON.parse(run.stdout || '{}').sub !== user)
            failures.push(`round ${round}, process ${i + 1}: exit ${run.code}: ${run.stderr.trim()}`);
        });
      }
      t.deepEqual(failures, []);
      t.is(t.context.grants.revoked, 0, 'the provider never saw a spent refresh token reused');
      t.is(
        t.context.grants.refreshed - refreshedBefore,
        ROUNDS,
        'one refresh per round, by whichever process got the lock first',
      );
      const after = await callProcess(env);
      t.is(after.code, 0, 'the login survived');
    },
  );
}

test.serial(
  `a provider that rotates without detecting reuse: 4 processes, ${ROUNDS} rounds, the login survives`,
  async (t) => {
    t.timeout(30 * 60_000, 'many whole processes on a busy machine');
    const { env, tokenFile } = await loggedIn(t, t.context.noReuse, 'plain-rotation');
    const failures: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await expire(tokenFile);
      const runs = await Promise.all(Array.from({ length: 4 }, () => callProcess(env)));
      runs.forEach(
        (run, i) =>
          run.code !== 0 && failures.push(`round ${round}, process ${i + 1}: exit ${run.code}: ${run.stderr.trim()}`),
      );
      const stored = JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>;
      if (Object.keys(stored).length !== 1) failures.push(`round ${round}: the login entry is gone`);
    }
    t.deepEqual(failures, []);
    t.is((await callProcess(env)).code, 0, 'the login survived');
  },
);
