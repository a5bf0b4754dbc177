/**
 * `login --provider google` against an imitation of Google that follows "OAuth 2.0 for Mobile &
 * Desktop Apps" and "for TV and Limited-Input Devices": an installed-app client secret from the
 * environment, access_type=offline, a refresh token only on the first consent (a later login
 * keeps the stored one), ID tokens with a scheme-less iss, the device flow's verification_url,
 * refresh by `call`, revocation at logout.
 */
import { rm } from 'node:fs/promises';
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
import { GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, startGoogle } from './imitation/google.js';

const test = testWithSharedChromium();

test('browser login, a second login keeps the refresh token Google sends only once, call refreshes, logout revokes', async (t) => {
  const google = await startGoogle();
  const { home, env: plain, tokenFile } = await newHome('google');
  t.teardown(async () => {
    await google.close();
    await rm(home, { recursive: true, force: true });
  });
  const env = { ...plain, AUTHMACHINE_CLIENT_SECRET: GOOGLE_CLIENT_SECRET };
  const argv = [
    'login',
    '--provider',
    'google',
    '--base-url',
    google.origin,
    '--client-id',
    GOOGLE_CLIENT_ID,
    '--no-browser',
    '--store',
    'file',
    '--token-file',
    tokenFile,
  ];

  const login = runCli(argv, env);
  const [, url] = await login.stderrMatch(BROWSER_URL);
  const authorize = new URL(url!);
  t.is(authorize.pathname, '/o/oauth2/v2/auth');
  t.is(authorize.searchParams.get('access_type'), 'offline', 'Google has no offline_access scope');
  t.is(authorize.searchParams.get('scope'), 'openid email profile');
  t.false(authorize.searchParams.has('prompt'));
  t.is(await approveInBrowser(t.context.browser, url!), 'Login complete');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(done.stdout, `Logged in to ${google.origin} as ann. Token kept in ${tokenFile}.\n`);
  const first = await storedToken(tokenFile);
  t.is(typeof first.refreshToken, 'string', 'first consent: a refresh token');
  const exchange = google.requests.find((r) => r.path === '/token')!;
  t.true(exchange.authorization, 'the secret went by HTTP Basic, which the metadata lists');
  t.false('client_secret' in exchange.form);

  // A forced second login: Google sends no refresh token now; the stored one must survive.
  const again = runCli([...argv, '--force'], env);
  const [, url2] = await again.stderrMatch(BROWSER_URL);
  await approveInBrowser(t.context.browser, url2!);
  t.is((await again.result).code, 0);
  const second = await storedToken(tokenFile);
  t.not(second.accessToken, first.accessToken);
  t.is(second.refreshToken, first.refreshToken, 'nothing lost: the refresh token of the first consent is kept');

  google.expireAccessTokens();
  const me = await runCli(['call', '/oauth2/v3/userinfo'], env).result;
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).email, 'ann@example.com');
  const refreshed = await storedToken(tokenFile);
  t.is(refreshed.refreshToken, first.refreshToken, 'Google does not rotate: the same refresh token stays');

  const logout = await runCli(['logout'], env).result;
  t.is(logout.code, 0, logout.stderr);
  t.true(google.requests.some((r) => r.path === '/revoke'));
  t.false(google.accepts(String(refreshed.accessToken)), 'revoked at the provider');
  t.is(await storedEntries(tokenFile), 0);
  const printed = [done.stdout, done.stderr, me.stdout, me.stderr, logout.stdout, logout.stderr].join('\n');
  for (const secret of [GOOGLE_CLIENT_SECRET, first.accessToken, first.refreshToken])
    t.false(printed.includes(String(secret)));
});

test('device login: the page named verification_url, the secret on every poll, 428 pending', async (t) => {
  const google = await startGoogle({ deviceInterval: 1 });
  const { home, env: plain, tokenFile } = await newHome('google-device');
  t.teardown(async () => {
    await google.close();
    await rm(home, { recursive: true, force: true });
  });
  const env = { ...plain, AUTHMACHINE_CLIENT_SECRET: GOOGLE_CLIENT_SECRET };
  const login = runCli(
    [
      'login',
      '--provider',
      'google',
      '--base-url',
      google.origin,
      '--client-id',
      GOOGLE_CLIENT_ID,
      '--device',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  );
  const [, uri, code] = await login.stderrMatch(DEVICE_PROMPT);
  t.is(uri, `${google.origin}/device`);
  // Let at least one poll be answered "pending" (HTTP 428) before approving.
  while (!google.requests.some((r) => r.form.grant_type?.endsWith('device_code')))
    await new Promise((r) => setTimeout(r, 100));
  t.is(await enterDeviceCode(t.context.browser, uri!, code!), 'Device connected');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(typeof (await storedToken(tokenFile)).refreshToken, 'string');
  const me = await runCli(['call', '/oauth2/v3/userinfo'], env).result;
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).email, 'ann@example.com');
});

test('without the preset, a device answer naming verification_url is refused (RFC 8628 wants verification_uri)', async (t) => {
  const google = await startGoogle({ deviceInterval: 1 });
  const { home, env: plain, tokenFile } = await newHome('google-generic');
  t.teardown(async () => {
    await google.close();
    await rm(home, { recursive: true, force: true });
  });
  const env = { ...plain, AUTHMACHINE_CLIENT_SECRET: GOOGLE_CLIENT_SECRET };
  const done = await runCli(
    [
      'login',
      '--issuer',
      google.origin,
      '--client-id',
      GOOGLE_CLIENT_ID,
      '--scope',
      'openid email',
      '--device',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  ).result;
  t.not(done.code, 0);
  t.regex(done.stderr, /ERR_BAD_RESPONSE/);
  t.regex(done.stderr, /verification_uri/);
});
