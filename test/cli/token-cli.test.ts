/**
 * `authmachine token` on a stored login that is still fresh (no server involved: nothing may be
 * asked of one): each output format, the kubectl ExecCredential checked against its documented
 * shape, profiles, and exit 3 with nothing on stdout when a login is needed.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOAuthLogin } from '../helpers/cli-profile.js';
import { runCli } from '../helpers/cli-run.js';

const ISSUER = 'http://127.0.0.1:9';
const ACCESS = 'access-token-value-0123456789';
const idTokenWith = (exp: number) =>
  `${['{"alg":"RS256"}', JSON.stringify({ iss: ISSUER, sub: 'u', exp })].map((p) => Buffer.from(p).toString('base64url')).join('.')}.sig`;

async function home(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-token-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return { dir, env: { HOME: dir, AUTHMACHINE_CONFIG_DIR: join(dir, 'config'), PATH: process.env['PATH'] } };
}

const HOUR = 3_600_000;

test('plain, --json, env and --id-token print the stored token; nothing on stderr', async (t) => {
  const { env } = await home(t);
  const expiresAt = Math.floor((Date.now() + HOUR) / 1000) * 1000;
  const idToken = idTokenWith(expiresAt / 1000);
  await writeOAuthLogin(env.AUTHMACHINE_CONFIG_DIR, {
    issuer: ISSUER,
    clientId: 'cli',
    token: {
      accessToken: ACCESS,
      refreshToken: 'refresh-token-value',
      expiresAt,
      tokenType: 'Bearer',
      scope: 'openid api',
      idToken,
    },
  });
  const plain = await runCli(['token'], env).result;
  t.is(plain.code, 0, plain.stderr);
  t.is(plain.stdout, `${ACCESS}\n`);
  t.is(plain.stderr, '');

  const json = JSON.parse((await runCli(['token', '--json'], env).result).stdout);
  t.deepEqual(json, {
    token: ACCESS,
    token_type: 'Bearer',
    expires_at: new Date(expiresAt).toISOString(),
    expires_at_epoch_seconds: expiresAt / 1000,
    scope: 'openid api',
  });
  t.deepEqual(JSON.parse((await runCli(['token', '--format', 'json'], env).result).stdout), json);

  const envFormat = await runCli(['token', '--format', 'env'], env).result;
  t.is(
    envFormat.stdout,
    `export AUTHMACHINE_TOKEN='${ACCESS}'\nexport AUTHMACHINE_TOKEN_TYPE='Bearer'\nexport AUTHMACHINE_TOKEN_EXPIRES_AT='${new Date(expiresAt).toISOString()}'\n`,
  );

  const id = await runCli(['token', '--id-token'], env).result;
  t.is(id.stdout, `${idToken}\n`);
});

/** The ExecCredential a client-go exec plugin must print (client.authentication.k8s.io/v1). */
function execCredentialProblems(value: unknown): string[] {
  const problems: string[] = [];
  const v = value as Record<string, unknown>;
  if (v['apiVersion'] !== 'client.authentication.k8s.io/v1') problems.push('apiVersion');
  if (v['kind'] !== 'ExecCredential') problems.push('kind');
  const status = v['status'] as Record<string, unknown> | undefined;
  if (!status || typeof status !== 'object') return [...problems, 'status'];
  if (typeof status['token'] !== 'string' || status['token'] === '') problems.push('status.token');
  const expiry = status['expirationTimestamp'];
  // RFC 3339 date-time, as metav1.Time serialises it.
  if (
    expiry !== undefined &&
    !(typeof expiry === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(expiry))
  ) {
    problems.push('status.expirationTimestamp');
  }
  for (const key of Object.keys(v))
    if (!['apiVersion', 'kind', 'spec', 'status'].includes(key)) problems.push(`unknown field ${key}`);
  for (const key of Object.keys(status))
    if (!['token', 'expirationTimestamp', 'clientCertificateData', 'clientKeyData'].includes(key))
      problems.push(`unknown field status.${key}`);
  return problems;
}

test('--format exec-credential is the ExecCredential kubectl reads from exec plugins', async (t) => {
  const { env } = await home(t);
  const expiresAt = Date.now() + HOUR;
  await writeOAuthLogin(env.AUTHMACHINE_CONFIG_DIR, {
    issuer: ISSUER,
    clientId: 'cli',
    token: { accessToken: ACCESS, refreshToken: 'r', expiresAt },
  });
  const run = await runCli(['token', '--format', 'exec-credential'], env).result;
  t.is(run.code, 0, run.stderr);
  const credential = JSON.parse(run.stdout);
  t.deepEqual(execCredentialProblems(credential), []);
  t.is(credential.status.token, ACCESS);
  t.is(Date.parse(credential.status.expirationTimestamp), expiresAt);
  // The checker itself rejects what kubectl would.
  t.notDeepEqual(
    execCredentialProblems({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: 'x' },
    }),
    [],
  );
  t.notDeepEqual(
    execCredentialProblems({ ...credential, status: { token: 'x', expirationTimestamp: String(expiresAt) } }),
    [],
  );
});

test('profiles: --profile and AUTHMACHINE_PROFILE pick the login; an unknown profile is exit 3', async (t) => {
  const { env } = await home(t);
  const expiresAt = Date.now() + HOUR;
  await writeOAuthLogin(env.AUTHMACHINE_CONFIG_DIR, {
    issuer: ISSUER,
    clientId: 'cli',
    token: { accessToken: 'home-token', expiresAt },
  });
  await writeOAuthLogin(env.AUTHMACHINE_CONFIG_DIR, {
    issuer: ISSUER,
    clientId: 'cli',
    profile: 'work',
    token: { accessToken: 'work-token', expiresAt },
  });
  t.is((await runCli(['token'], env).result).stdout, 'home-token\n');
  t.is((await runCli(['token', '--profile', 'work'], env).result).stdout, 'work-token\n');
  t.is((await runCli(['token'], { ...env, AUTHMACHINE_PROFILE: 'work' }).result).stdout, 'work-token\n');
  const unknown = await runCli(['token', '--profile', 'play'], env).result;
  t.is(unknown.code, 3);
  t.is(unknown.stdout, '');
  t.regex(unknown.stderr, /--profile play/);
  t.is((await runCli(['token', '--profile', '../etc'], env).result).code, 2, 'a profile name is never a path');

  const status = await runCli(['status'], env).result;
  t.is(status.code, 0);
  const lines = status.stdout.trim().split('\n');
  t.is(lines.length, 2, 'status lists every stored login');
  t.regex(
    lines[0]!,
    /^Logged in to http:\/\/127\.0\.0\.1:9 \(client cli\)\. Token kept in .*; the access token expires \S+ \(in (59|60) min\)\.$/,
  );
  t.regex(lines[1]!, /\(profile work\)/);
  const json = JSON.parse((await runCli(['status', '--json'], env).result).stdout);
  t.deepEqual(
    json.logins.map((l: { profile: string }) => l.profile),
    ['default', 'work'],
  );
});

test('a login that is needed: exit 3, nothing on stdout, no browser, no question', async (t) => {
  const { env } = await home(t);
  const none = await runCli(['token'], env).result;
  t.is(none.code, 3);
  t.is(none.stdout, '');
  // Expired with no refresh token: nothing can renew it without a person.
  await writeOAuthLogin(env.AUTHMACHINE_CONFIG_DIR, {
    issuer: ISSUER,
    clientId: 'cli',
    token: { accessToken: ACCESS, expiresAt: Date.now() - 1000 },
  });
  const expired = await runCli(['token'], env).result;
  t.is(expired.code, 3, expired.stderr);
  t.is(expired.stdout, '');
  t.notRegex(expired.stderr, /open this URL|authorize/i);
  t.is((await runCli(['token', '--format', 'yaml'], env).result).code, 2);
  t.is((await runCli(['token', '--refresh-skew', '-1'], env).result).code, 2);
});
