/**
 * `login --provider github` against an imitation of GitHub that follows its "Authorizing OAuth
 * apps" documentation: the web flow in Chromium with the client secret from a file, expiring user
 * tokens refreshed by `call`, the device flow, errors sent with HTTP 200, and logout (GitHub has
 * no RFC 7009 endpoint: the token is deleted here).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testWithSharedChromium } from '../helpers/chromium.js';
import {
  approveInBrowser,
  enterDeviceCode,
  presetLogin,
  storedEntries,
  storedToken,
} from '../helpers/imitation-login.js';
import { GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, startGitHub } from './imitation/github.js';

const test = testWithSharedChromium();
const GITHUB = { provider: 'github', clientId: GITHUB_CLIENT_ID };

test('browser login with a client secret file, expiring tokens refreshed by call, logout', async (t) => {
  const github = await startGitHub({ expiringTokens: true });
  const { home, tokenFile, browserLogin, run } = await presetLogin(t, github, GITHUB);
  const secretFile = join(home, 'client-secret');
  await writeFile(secretFile, `${GITHUB_CLIENT_SECRET}\n`, { mode: 0o600 });

  const { login, url } = await browserLogin(['--client-secret-file', secretFile]);
  const authorize = new URL(url);
  t.is(authorize.pathname, '/login/oauth/authorize');
  t.is(authorize.searchParams.get('code_challenge_method'), 'S256', 'GitHub takes PKCE S256');
  t.is(authorize.searchParams.get('scope'), 'read:user');
  t.false(authorize.searchParams.has('nonce'), 'no OpenID Connect at GitHub');
  t.is(await approveInBrowser(t.context.browser, url), 'Login complete');
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
  const me = await run(['call', '/user']);
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).login, 'octocat');
  const second = await storedToken(tokenFile);
  t.not(second.refreshToken, first.refreshToken, 'the rotated refresh token was saved');
  t.is(
    github.requests.filter((r) => r.form.grant_type === 'refresh_token').at(-1)!.form.client_secret,
    GITHUB_CLIENT_SECRET,
  );

  const status = await run(['status']);
  t.is(status.code, 0, status.stderr);
  const logout = await run(['logout']);
  t.is(logout.code, 0, logout.stderr);
  t.is(await storedEntries(tokenFile), 0);
  t.is((await run(['status'])).code, 3);

  const printed = [done.stdout, done.stderr, me.stdout, me.stderr, status.stdout, logout.stdout, logout.stderr].join(
    '\n',
  );
  for (const secret of [GITHUB_CLIENT_SECRET, first.accessToken, first.refreshToken, second.accessToken])
    t.false(printed.includes(String(secret)));
});

test('device login: the code is entered elsewhere; tokens that never expire; call works', async (t) => {
  const github = await startGitHub({ deviceInterval: 1 });
  const { tokenFile, deviceLogin, run } = await presetLogin(t, github, GITHUB);
  const { login, uri, code } = await deviceLogin();
  t.is(uri, `${github.origin}/login/device`);
  t.is(await enterDeviceCode(t.context.browser, uri, code), 'Device connected');
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
  const me = await run(['call', '/user']);
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).login, 'octocat');
});

test('errors come with HTTP 200: a declined device login is a decline, a wrong secret is ERR_INVALID_CLIENT', async (t) => {
  const github = await startGitHub({ deviceInterval: 1 });
  const { deviceLogin, browserLogin } = await presetLogin(t, github, GITHUB);
  const device = await deviceLogin();
  t.is(await enterDeviceCode(t.context.browser, device.uri, device.code, 'deny'), 'Device denied');
  const declined = await device.login.result;
  t.not(declined.code, 0);
  t.regex(declined.stderr, /ERR_DECLINED/);

  const wrong = await browserLogin([], { AUTHMACHINE_CLIENT_SECRET: 'not-the-secret' });
  await approveInBrowser(t.context.browser, wrong.url);
  const refused = await wrong.login.result;
  t.not(refused.code, 0);
  t.regex(refused.stderr, /ERR_INVALID_CLIENT/);
  t.regex(refused.stderr, /incorrect_client_credentials/);
  t.false(refused.stderr.includes('not-the-secret'));
});
