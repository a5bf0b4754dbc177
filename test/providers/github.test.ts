/**
 * `login --provider github` against an imitation of GitHub that follows its "Authorizing OAuth
 * apps" documentation: the web flow in Chromium with the client secret from a file, expiring user
 * tokens refreshed by `call`, the device flow, errors sent with HTTP 200, and logout (GitHub has
 * no RFC 7009 endpoint: the token is deleted here).
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testWithSharedChromium } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli-run.js';
import {
  approveInBrowser,
  BROWSER_URL,
  DEVICE_PROMPT,
  enterDeviceCode,
  newHome,
  storedEntries,
  storedToken,
} from './helpers.js';
import { GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, startGitHub } from './imitation/github.js';

const test = testWithSharedChromium();

test('browser login with a client secret file, expiring tokens refreshed by call, logout', async (t) => {
  const github = await startGitHub({ expiringTokens: true });
  const { home, env, tokenFile } = await newHome('github');
  t.teardown(async () => {
    await github.close();
    await rm(home, { recursive: true, force: true });
  });
  const secretFile = join(home, 'client-secret');
  await writeFile(secretFile, `${GITHUB_CLIENT_SECRET}\n`, { mode: 0o600 });
  const base = ['--store', 'file', '--token-file', tokenFile];

  const login = runCli(
    [
      'login',
      '--provider',
      'github',
      '--base-url',
      github.origin,
      '--client-id',
      GITHUB_CLIENT_ID,
      '--client-secret-file',
      secretFile,
      '--no-browser',
      ...base,
    ],
    env,
  );
  const [, url] = await login.stderrMatch(BROWSER_URL);
  const authorize = new URL(url!);
  t.is(authorize.pathname, '/login/oauth/authorize');
  t.is(authorize.searchParams.get('code_challenge_method'), 'S256', 'GitHub takes PKCE S256');
  t.is(authorize.searchParams.get('scope'), 'read:user');
  t.false(authorize.searchParams.has('nonce'), 'no OpenID Connect at GitHub');
  t.is(await approveInBrowser(t.context.browser, url!), 'Login complete');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(done.stdout, `Logged in to ${github.origin}. Token kept in ${tokenFile}.\n`);

  const exchange = github.requests.find((r) => r.path === '/login/oauth/access_token')!;
  t.true(exchange.accept.includes('application/json'), 'asks for JSON (else GitHub answers form-encoded)');
  t.is(exchange.form.client_secret, GITHUB_CLIENT_SECRET, 'GitHub documents the secret as a form member');
  t.false(
    github.requests.some((r) => r.path.includes('.well-known')),
    'no discovery: GitHub publishes no metadata',
  );
  const first = await storedToken(tokenFile);
  t.is(typeof first.refreshToken, 'string');
  t.true((first.refreshExpiresAt as number) > Date.now() + 100 * 86_400_000, 'refresh_token_expires_in kept');

  // The access token dies; `call` gets 401, refreshes with the secret, repeats.
  github.expireAccessTokens();
  const me = await runCli(['call', '/user'], env).result;
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).login, 'octocat');
  const second = await storedToken(tokenFile);
  t.not(second.refreshToken, first.refreshToken, 'the rotated refresh token was saved');
  t.is(
    github.requests.filter((r) => r.form.grant_type === 'refresh_token').at(-1)!.form.client_secret,
    GITHUB_CLIENT_SECRET,
  );

  const status = await runCli(['status'], env).result;
  t.is(status.code, 0, status.stderr);
  const logout = await runCli(['logout'], env).result;
  t.is(logout.code, 0, logout.stderr);
  t.is(await storedEntries(tokenFile), 0);
  t.is((await runCli(['status'], env).result).code, 3);

  const printed = [done.stdout, done.stderr, me.stdout, me.stderr, status.stdout, logout.stdout, logout.stderr].join(
    '\n',
  );
  for (const secret of [GITHUB_CLIENT_SECRET, first.accessToken, first.refreshToken, second.accessToken])
    t.false(printed.includes(String(secret)));
});

test('device login: the code is entered elsewhere; tokens that never expire; call works', async (t) => {
  const github = await startGitHub({ deviceInterval: 1 });
  const { home, env, tokenFile } = await newHome('github-device');
  t.teardown(async () => {
    await github.close();
    await rm(home, { recursive: true, force: true });
  });
  const login = runCli(
    [
      'login',
      '--provider',
      'github',
      '--base-url',
      github.origin,
      '--client-id',
      GITHUB_CLIENT_ID,
      '--device',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  );
  const [, uri, code] = await login.stderrMatch(DEVICE_PROMPT);
  t.is(uri, `${github.origin}/login/device`);
  t.is(await enterDeviceCode(t.context.browser, uri!, code!), 'Device connected');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  const token = await storedToken(tokenFile);
  t.is(token.expiresAt, undefined, 'GitHub tokens do not expire unless the app opted in');
  t.is(token.refreshToken, undefined);
  const polls = github.requests.filter((r) => r.form.grant_type === 'urn:ietf:params:oauth:grant-type:device_code');
  t.true(polls.length >= 1);
  t.false(
    polls.some((r) => 'client_secret' in r.form),
    'the device flow needs no secret',
  );
  const me = await runCli(['call', '/user'], env).result;
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).login, 'octocat');
});

test('errors come with HTTP 200: a declined device login is a decline, a wrong secret is ERR_INVALID_CLIENT', async (t) => {
  const github = await startGitHub({ deviceInterval: 1 });
  const { home, env, tokenFile } = await newHome('github-errors');
  t.teardown(async () => {
    await github.close();
    await rm(home, { recursive: true, force: true });
  });
  const login = runCli(
    [
      'login',
      '--provider',
      'github',
      '--base-url',
      github.origin,
      '--client-id',
      GITHUB_CLIENT_ID,
      '--device',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  );
  const [, uri, code] = await login.stderrMatch(DEVICE_PROMPT);
  t.is(await enterDeviceCode(t.context.browser, uri!, code!, 'deny'), 'Device denied');
  const declined = await login.result;
  t.not(declined.code, 0);
  t.regex(declined.stderr, /ERR_DECLINED/);

  const wrong = runCli(
    [
      'login',
      '--provider',
      'github',
      '--base-url',
      github.origin,
      '--client-id',
      GITHUB_CLIENT_ID,
      '--no-browser',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    {
      ...env,
      AUTHMACHINE_CLIENT_SECRET: 'not-the-secret',
    },
  );
  const [, url] = await wrong.stderrMatch(BROWSER_URL);
  await approveInBrowser(t.context.browser, url!);
  const refused = await wrong.result;
  t.not(refused.code, 0);
  t.regex(refused.stderr, /ERR_INVALID_CLIENT/);
  t.regex(refused.stderr, /incorrect_client_credentials/);
  t.false(refused.stderr.includes('not-the-secret'));
});
