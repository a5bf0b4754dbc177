/**
 * A server without metadata, configured by hand: --token-endpoint, --device-authorization-endpoint
 * (and the others) instead of discovery, against the GitHub imitation, which publishes none. The
 * person's part is the device page, answered over plain HTTP; the client secret comes from the
 * environment and is in no output and not in the profile.
 */
import test from 'ava';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-run.js';
import { DEVICE_PROMPT, newHome, storedToken } from '../helpers/imitation-login.js';
import { GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, startGitHub } from './imitation/github.js';

test('login by explicit endpoints (no discovery), call, status and logout; the secret stays out of output and profile', async (t) => {
  const server = await startGitHub({ deviceInterval: 1 });
  const { home, env: plain, tokenFile } = await newHome('explicit');
  t.teardown(async () => {
    await server.close();
    await rm(home, { recursive: true, force: true });
  });
  const env = { ...plain, AUTHMACHINE_CLIENT_SECRET: GITHUB_CLIENT_SECRET };
  const o = server.origin;
  const login = runCli(
    [
      'login',
      '--client-id',
      GITHUB_CLIENT_ID,
      '--scope',
      'read:user',
      '--resource',
      o,
      '--device',
      '--authorization-endpoint',
      `${o}/login/oauth/authorize`,
      '--token-endpoint',
      `${o}/login/oauth/access_token`,
      '--device-authorization-endpoint',
      `${o}/login/device/code`,
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  );
  const [, , userCode] = await login.stderrMatch(DEVICE_PROMPT);
  const approved = await fetch(`${o}/imitation/device`, {
    method: 'POST',
    body: new URLSearchParams({ user_code: userCode!, decision: 'allow' }),
  });
  t.is(approved.status, 200);
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(done.stdout, `Logged in to ${o}. Token kept in ${tokenFile}.\n`);
  t.false(
    server.requests.some((r) => r.path.includes('.well-known')),
    'nothing discovered',
  );
  t.true(
    server.requests
      .filter((r) => r.path === '/login/device/code')
      .every((r) => r.form.client_secret === GITHUB_CLIENT_SECRET),
    'the secret goes in the form',
  );

  const me = await runCli(['call', '/user'], env).result;
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).login, 'octocat');
  const status = await runCli(['status'], env).result;
  t.is(status.code, 0, status.stdout);

  const profileText = await readFile(join(plain['AUTHMACHINE_CONFIG_DIR']!, 'profiles', 'default.json'), 'utf8');
  t.false(profileText.includes(GITHUB_CLIENT_SECRET), 'the profile never holds the secret');
  t.like(JSON.parse(profileText), { discover: false, endpoints: { token: `${o}/login/oauth/access_token` } });
  const token = await storedToken(tokenFile);
  const printed = [done.stdout, done.stderr, me.stdout, me.stderr, status.stdout, status.stderr].join('\n');
  for (const secret of [GITHUB_CLIENT_SECRET, token.accessToken]) t.false(printed.includes(String(secret)));

  const logout = await runCli(['logout'], env).result;
  t.is(logout.code, 0, logout.stderr);
  t.is((await runCli(['status'], env).result).code, 3);
});

test('usage errors: endpoints without --token-endpoint, --tenant off microsoft, an unknown provider, --provider with --issuer', async (t) => {
  const { home, env } = await newHome('explicit-usage');
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const cases: Array<[string[], RegExp]> = [
    [['--authorization-endpoint', 'https://a.example/authorize', '--client-id', 'x'], /--token-endpoint/],
    [['--provider', 'github', '--tenant', 'common', '--client-id', 'x'], /--tenant is for --provider microsoft/],
    [['--provider', 'myspace', '--client-id', 'x'], /--provider must be one of github, google, microsoft, gitlab/],
    [['--provider', 'google', '--issuer', 'https://accounts.google.com', '--client-id', 'x'], /leave out --issuer/],
    [
      ['--provider', 'gitlab', '--base-url', 'http://gitlab.example.com', '--client-id', 'x'],
      /only https, or http on loopback/,
    ],
    [['--provider', 'microsoft', '--tenant', '../evil', '--client-id', 'x'], /tenant/],
  ];
  for (const [argv, message] of cases) {
    const result = await runCli(['login', ...argv], env).result;
    t.not(result.code, 0, argv.join(' '));
    t.regex(result.stderr, message, argv.join(' '));
  }
});
