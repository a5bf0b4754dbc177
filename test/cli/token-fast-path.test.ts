/**
 * The bundled `token` fast path (src/cli/token-fast-path.ts): it prints exactly what the full
 * command prints when a fresh token sits in a token file, and in every other case writes nothing
 * and leaves the command to the full CLI. Run as a process, that common case loads one module of
 * ours besides bin/ and no package.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printFreshStoredToken } from '../../src/cli/token-fast-path.js';
import { writeProfile } from '../../src/cli/storage/profile.js';
import type { TokenSet } from '../../machines/types.js';
import { writeOAuthLogin, writePocketLogin } from '../helpers/cli-profile.js';
import { capturedIO, runCli } from '../helpers/cli-run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const HOUR = 3_600_000;

function unsignedJwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part(payload)}.${Buffer.from('not checked here').toString('base64url')}`;
}

async function configWith(t: { teardown(fn: () => Promise<void>): void }, token: TokenSet, profile?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-token-fast-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeOAuthLogin(dir, {
    issuer: 'http://127.0.0.1:9',
    clientId: 'cli',
    token,
    ...(profile === undefined ? {} : { profile }),
  });
  return { dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir, AUTHMACHINE_CONFIG_DIR: dir } };
}

/** Runs the fast path in-process; returns whether it answered and what it wrote. */
async function fastPath(argv: string[], env: NodeJS.ProcessEnv): Promise<{ answered: boolean; stdout: string }> {
  const captured = capturedIO(env);
  const code = await printFreshStoredToken(argv, captured.io);
  await new Promise((resolve) => setImmediate(resolve));
  return { answered: code !== null, stdout: captured.stdout() };
}

const fresh: TokenSet = {
  accessToken: 'access-token-fast-0123456789',
  refreshToken: 'refresh-fast-0123456789',
  expiresAt: Date.now() + 2 * HOUR,
  tokenType: 'Bearer',
  scope: 'openid profile',
  idToken: unsignedJwt({ sub: 'someone', exp: Math.floor((Date.now() + HOUR) / 1000) }),
};

const answered: Array<[string, string[]]> = [
  ['plain', []],
  ['--json', ['--json']],
  ['--format json', ['--format', 'json']],
  ['--format exec-credential', ['--format', 'exec-credential']],
  ['--format env', ['--format', 'env']],
  ['--id-token', ['--id-token']],
  ['--id-token --format exec-credential', ['--id-token', '--format=exec-credential']],
  ['--refresh-skew 600', ['--refresh-skew', '600']],
  ['--wait 0', ['--wait', '0']],
];

for (const [title, argv] of answered) {
  test(`fast path, ${title}: prints what the full command prints`, async (t) => {
    const { env } = await configWith(t, fresh);
    const fast = await fastPath(argv, env);
    const full = await runCli(['token', ...argv], env).result;
    t.is(full.code, 0, full.stderr);
    t.true(fast.answered);
    t.is(fast.stdout, full.stdout);
    t.true(fast.stdout.length > 0);
  });
}

test('fast path: a named profile, by --profile and by AUTHMACHINE_PROFILE', async (t) => {
  const { env } = await configWith(t, fresh, 'work');
  t.deepEqual(await fastPath(['--profile', 'work'], env), { answered: true, stdout: `${fresh.accessToken}\n` });
  t.deepEqual(await fastPath([], { ...env, AUTHMACHINE_PROFILE: 'work' }), {
    answered: true,
    stdout: `${fresh.accessToken}\n`,
  });
  t.deepEqual(await fastPath([], env), { answered: false, stdout: '' }, 'the default profile has no login');
});

const declined: Array<[string, TokenSet, string[]]> = [
  ['a token within the refresh skew', { ...fresh, expiresAt: Date.now() + 30_000 }, []],
  ['a DPoP-bound token (the full command prints it with a note)', { ...fresh, tokenType: 'DPoP' }, []],
  ['an expired token', { ...fresh, expiresAt: Date.now() - 1_000 }, []],
  ['a token fresh only without --refresh-skew 7200', fresh, ['--refresh-skew', '7200']],
  ['--id-token without an ID token', { ...fresh, idToken: undefined } as TokenSet, ['--id-token']],
  ['--id-token with an expired ID token', { ...fresh, idToken: unsignedJwt({ exp: 1 }) }, ['--id-token']],
  ['a bad --format', fresh, ['--format', 'yaml']],
  ['--json with --format env', fresh, ['--json', '--format', 'env']],
  ['an unknown option', fresh, ['--bogus']],
  ['a bad --wait', fresh, ['--wait', '-5']],
  ['--help', fresh, ['--help']],
];

for (const [title, token, argv] of declined) {
  test(`fast path declines ${title}, writing nothing`, async (t) => {
    const { env } = await configWith(t, token);
    t.deepEqual(await fastPath(argv, env), { answered: false, stdout: '' });
  });
}

test('fast path declines a profile that keeps its login in the keychain, and one with no login', async (t) => {
  const { dir, env } = await configWith(t, fresh);
  await writeProfile(env, 'chain', {
    provider: 'oauth2',
    issuer: 'http://127.0.0.1:9',
    clientId: 'cli',
    store: 'keychain',
  });
  t.deepEqual(await fastPath(['--profile', 'chain'], env), { answered: false, stdout: '' });
  t.deepEqual(await fastPath(['--profile', 'nobody'], env), { answered: false, stdout: '' });
  await rm(join(dir, 'tokens.json'));
  t.deepEqual(await fastPath([], env), { answered: false, stdout: '' }, 'the token file is gone');
});

function runBin(argv: string[], env: NodeJS.ProcessEnv, recordModules = false) {
  const nodeArgs = recordModules ? ['--import', './test/helpers/module-load-recorder.mjs'] : [];
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      [...nodeArgs, 'bin/authmachine.js', ...argv],
      { cwd: root, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

test('as a process, a fresh file token is answered by the one bundled module, with no package loaded', async (t) => {
  const { env } = await configWith(t, fresh);
  const run = await runBin(['token'], env, true);
  t.is(run.code, 0, run.stderr);
  // A set: the recorder may see a module both as it resolves and in require.cache.
  const loaded = [
    ...new Set(
      run.stdout
        .split('\n')
        .filter((line) => line.startsWith('LOADED '))
        .map((line) => fileURLToPath(line.slice('LOADED '.length)).slice(root.length)),
    ),
  ].sort();
  t.deepEqual(loaded, ['bin/authmachine.js', 'dist/token-fast-path.cjs'], 'is the CLI built (npm run build)?');
  t.true(run.stdout.split('\n').includes(fresh.accessToken), run.stdout);
});

test('as a process, what the fast path declines the full CLI reports once: usage, not logged in', async (t) => {
  const { env } = await configWith(t, fresh);
  const usage = await runBin(['token', '--format', 'yaml'], env);
  t.is(usage.code, 2);
  t.is(usage.stdout, '');
  t.is(usage.stderr.match(/--format must be one of/g)?.length, 1, usage.stderr);
  const missing = await runBin(['token', '--profile', 'nobody'], env);
  t.is(missing.code, 3);
  t.is(missing.stdout, '');
  t.regex(missing.stderr, /Not logged in \(profile nobody\)\. Run `authmachine login --profile nobody`\./);
});

test('token --id-token on a Pocket login says Pocket has none, not to ask for the openid scope', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-token-pocket-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writePocketLogin(dir, {
    baseUrl: 'http://127.0.0.1:9',
    consumerKey: '12345-abcdef0123456789abcdef01',
    accessToken: 'aaaaaaaa-bbbb-cccc-dddd-eeeeee',
    username: 'demo',
  });
  const env = { PATH: process.env['PATH'] ?? '', HOME: dir, AUTHMACHINE_CONFIG_DIR: dir };
  const run = await runCli(['token', '--id-token'], env).result;
  t.not(run.code, 0);
  t.is(run.stdout, '');
  t.regex(run.stderr, /Pocket logins have no ID token/);
  t.notRegex(run.stderr, /openid/);
  t.is(run.stderr.trim().split('\n').length, 1, `one message, no hint repeating it: ${run.stderr}`);
});
