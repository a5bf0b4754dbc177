/**
 * A profile decides which server gets the login's refresh token and client secret, so it is
 * trusted like the token file (as ssh trusts its config): one that another user owns or that group
 * or others can write, or one in a folder they can write, is refused by every command that reads
 * it, the `token` fast path included, before any token is read or sent. A file that is not a
 * profile authmachine saved is ERR_CONFIG, not a half-read login. Ownership cases chown to uid
 * 65534 (nobody), which needs root, as CI is.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { printFreshStoredToken } from '../../src/cli/token-fast-path.js';
import { writeOAuthLogin } from '../helpers/cli-profile.js';
import { capturedIO, runCli } from '../helpers/cli-run.js';

const ACCESS = 'access-token-profile-trust-0123456789';
const NOBODY = 65534;

async function loggedIn(t: ExecutionContext) {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-profile-trust-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'config');
  await writeOAuthLogin(config, {
    issuer: 'http://127.0.0.1:9',
    clientId: 'cli',
    token: { accessToken: ACCESS, refreshToken: 'refresh-profile-trust', expiresAt: Date.now() + 3_600_000 },
  });
  const env = { HOME: dir, AUTHMACHINE_CONFIG_DIR: config, PATH: process.env['PATH'] ?? '' };
  return { env, profiles: join(config, 'profiles'), profile: join(config, 'profiles', 'default.json') };
}

async function fastPathAnswers(env: NodeJS.ProcessEnv): Promise<boolean> {
  return (await printFreshStoredToken([], capturedIO(env).io)) !== null;
}

/** `token`, `status` and `call` refuse it: exit 7, nothing on stdout, the message names `path` and `fix`. */
async function refusedEverywhere(t: ExecutionContext, env: NodeJS.ProcessEnv, path: string, fix: string) {
  t.false(await fastPathAnswers(env), 'the token fast path answered');
  for (const argv of [['token'], ['status'], ['status', '--profile', 'default'], ['call', '/me']]) {
    const run = await runCli(argv, env).result;
    t.is(run.code, 7, `${argv.join(' ')}: ${run.stderr}`);
    t.is(run.stdout, '', argv.join(' '));
    t.true(run.stderr.includes(path), run.stderr);
    t.true(run.stderr.includes(fix), run.stderr);
    t.false(run.stderr.includes(ACCESS));
    t.notRegex(run.stderr, /keychain|--store file/, 'a file problem is not told to try the keychain');
  }
}

test('a profile that group or others can write is refused, saying chmod go-w', async (t) => {
  for (const mode of [0o666, 0o620, 0o602]) {
    const { env, profile } = await loggedIn(t);
    await chmod(profile, mode);
    await refusedEverywhere(t, env, profile, `chmod go-w ${profile}`);
  }
});

test('a profile owned by another user is refused, saying it is not your login', async (t) => {
  const { env, profile } = await loggedIn(t);
  await chown(profile, NOBODY, NOBODY);
  await refusedEverywhere(t, env, profile, 'it is not your login');
});

test('a profiles folder that others own or can write is refused', async (t) => {
  const writable = await loggedIn(t);
  await chmod(writable.profiles, 0o777);
  await refusedEverywhere(t, writable.env, writable.profiles, `chmod go-w ${writable.profiles}`);
  const theirs = await loggedIn(t);
  await chown(theirs.profiles, NOBODY, NOBODY);
  await refusedEverywhere(t, theirs.env, theirs.profiles, `owned by uid ${NOBODY}`);
});

test('a FIFO in place of a profile is refused at once, not waited on', async (t) => {
  const { env, profile } = await loggedIn(t);
  await rm(profile);
  await promisify(execFile)('mkfifo', ['-m', '644', profile]);
  t.false(await fastPathAnswers(env), 'the token fast path answered');
  for (const argv of [['token'], ['status', '--profile', 'default']]) {
    const run = await runCli(argv, env).result;
    t.not(run.code, 0, argv.join(' '));
    t.is(run.stdout, '', argv.join(' '));
    t.true(run.stderr.includes(profile), run.stderr);
  }
});

test('a profile others may only read holds no secret and is used', async (t) => {
  const { env, profile, profiles } = await loggedIn(t);
  await chmod(profile, 0o644);
  await chmod(profiles, 0o755);
  t.true(await fastPathAnswers(env));
  const run = await runCli(['token'], env).result;
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, `${ACCESS}\n`);
});

test('a file that is not a profile authmachine saved is ERR_CONFIG naming it, with no second hint', async (t) => {
  const notProfiles = [
    '{',
    'null',
    '"file"',
    '[]',
    '{"store":"file","provider":"weird"}',
    '{"provider":"oauth2","store":"file","issuer":1,"clientId":"cli"}',
    '{"provider":"oauth2","store":"disk","issuer":"http://127.0.0.1:9","clientId":"cli"}',
    '{"provider":"oauth2","store":"file","issuer":"http://127.0.0.1:9","clientId":"cli","tokenFile":7}',
    '{"provider":"pocket","store":"file","baseUrl":"http://127.0.0.1:9"}',
  ];
  for (const text of notProfiles) {
    const { env, profile } = await loggedIn(t);
    await writeFile(profile, text);
    t.false(await fastPathAnswers(env), text);
    for (const argv of [['token'], ['status']]) {
      const run = await runCli(argv, env).result;
      t.is(run.code, 2, `${text}: ${run.stderr}`);
      t.is(run.stdout, '');
      t.is(
        run.stderr,
        `authmachine: ${profile} is not a profile authmachine saved. Delete it and log in again. (ERR_CONFIG)\n`,
      );
    }
  }
});

test('status lists the usable logins when another profile is refused, and says on stderr which one was skipped', async (t) => {
  const { env, profile } = await loggedIn(t);
  const bad = join(dirname(profile), 'stale.json');
  await writeFile(bad, await readFile(profile, 'utf8'), { mode: 0o666 });
  await chmod(bad, 0o666);
  const run = await runCli(['status'], env).result;
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^Logged in to http:\/\/127\.0\.0\.1:9/);
  t.regex(run.stderr, /profile stale skipped: .*chmod go-w/);
  const json = await runCli(['status', '--json'], env).result;
  t.is(json.code, 0, json.stderr);
  t.deepEqual(
    (JSON.parse(json.stdout) as { logins: Array<{ profile: string }> }).logins.map((l) => l.profile),
    ['default'],
  );
});
