/**
 * Every "log in again" message names the profile's own login command: `authmachine login
 * --profile work` for profile work (a plain `authmachine login` would log in the default profile
 * instead), whether the profile came from --profile or $AUTHMACHINE_PROFILE; the default profile's
 * stays plain.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOAuthLogin } from '../helpers/cli-profile.js';
import { runCli } from '../helpers/cli-run.js';

async function expiredLogin(t: { teardown(fn: () => Promise<void>): void }, profile: string) {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-login-hint-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // Expired, and no refresh token: nothing can renew it, so no request is made.
  await writeOAuthLogin(dir, {
    issuer: 'http://127.0.0.1:9',
    clientId: 'cli',
    profile,
    token: { accessToken: 'access-expired-hint', expiresAt: Date.now() - 60_000 },
  });
  return { HOME: dir, AUTHMACHINE_CONFIG_DIR: dir, PATH: process.env['PATH'] ?? '' };
}

const commands = [['token'], ['status'], ['call', 'http://127.0.0.1:9/me']];

test('a named profile: every message says `authmachine login --profile work`', async (t) => {
  const env = await expiredLogin(t, 'work');
  for (const [how, argv, extraEnv] of [
    ['--profile', ['--profile', 'work'], {}],
    ['$AUTHMACHINE_PROFILE', [], { AUTHMACHINE_PROFILE: 'work' }],
  ] as const) {
    for (const command of commands) {
      const run = await runCli([...command, ...argv], { ...env, ...extraEnv }).result;
      const said = `${command[0]} by ${how}: ${run.stdout}${run.stderr}`;
      t.is(run.code, 3, said);
      t.regex(`${run.stdout}${run.stderr}`, /Run `authmachine login --profile work`/, said);
      t.notRegex(`${run.stdout}${run.stderr}`, /Run `authmachine login`/, said);
    }
  }
});

test('the default profile: the messages say plain `authmachine login`', async (t) => {
  const env = await expiredLogin(t, 'default');
  for (const command of commands) {
    const run = await runCli(command, env).result;
    t.is(run.code, 3, run.stderr);
    t.regex(`${run.stdout}${run.stderr}`, /Run `authmachine login`/);
    t.notRegex(`${run.stdout}${run.stderr}`, /--profile/);
  }
});
