/**
 * `login --provider google` against an imitation of Google that follows "OAuth 2.0 for Mobile &
 * Desktop Apps" and "for TV and Limited-Input Devices": an installed-app client secret from the
 * environment, access_type=offline, a refresh token only on the first consent (a later login
 * keeps the stored one), ID tokens with a scheme-less iss, the device flow's verification_url,
 * refresh by `call`, revocation at logout.
 */
import { testWithSharedChromium } from '../helpers/chromium.js';
import {
  approveInBrowser,
  enterDeviceCode,
  presetLogin,
  storedEntries,
  storedToken,
} from '../helpers/imitation-login.js';
import { GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, startGoogle } from './imitation/google.js';

const test = testWithSharedChromium();
const GOOGLE = {
  provider: 'google',
  clientId: GOOGLE_CLIENT_ID,
  env: { AUTHMACHINE_CLIENT_SECRET: GOOGLE_CLIENT_SECRET },
};

test('browser login, a second login keeps the refresh token Google sends only once, call refreshes, logout revokes', async (t) => {
  const google = await startGoogle();
  const { tokenFile, browserLogin, run } = await presetLogin(t, google, GOOGLE);

  const { login, url } = await browserLogin();
  const authorize = new URL(url);
  t.is(authorize.pathname, '/o/oauth2/v2/auth');
  t.is(authorize.searchParams.get('access_type'), 'offline', 'Google has no offline_access scope');
  t.is(authorize.searchParams.get('scope'), 'openid email profile');
  t.false(authorize.searchParams.has('prompt'));
  t.is(await approveInBrowser(t.context.browser, url), 'Login complete');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(done.stdout, `Logged in to ${google.origin} as ann. Token kept in ${tokenFile}.\n`);
  const first = await storedToken(tokenFile);
  t.is(typeof first.refreshToken, 'string', 'first consent: a refresh token');
  const exchange = google.requests.find((r) => r.path === '/token')!;
  t.true(exchange.authorization, 'the secret went by HTTP Basic, which the metadata lists');
  t.false('client_secret' in exchange.form);

  // A forced second login: Google sends no refresh token now; the stored one must survive.
  const again = await browserLogin(['--force']);
  await approveInBrowser(t.context.browser, again.url);
  t.is((await again.login.result).code, 0);
  const second = await storedToken(tokenFile);
  t.not(second.accessToken, first.accessToken);
  t.is(second.refreshToken, first.refreshToken, 'nothing lost: the refresh token of the first consent is kept');

  google.expireAccessTokens();
  const me = await run(['call', '/oauth2/v3/userinfo']);
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).email, 'ann@example.com');
  const refreshed = await storedToken(tokenFile);
  t.is(refreshed.refreshToken, first.refreshToken, 'Google does not rotate: the same refresh token stays');

  const logout = await run(['logout']);
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
  const { tokenFile, deviceLogin, run } = await presetLogin(t, google, GOOGLE);
  const { login, uri, code } = await deviceLogin();
  t.is(uri, `${google.origin}/device`);
  // Let at least one poll be answered "pending" (HTTP 428) before approving.
  while (!google.requests.some((r) => r.form.grant_type?.endsWith('device_code')))
    await new Promise((r) => setTimeout(r, 100));
  t.is(await enterDeviceCode(t.context.browser, uri, code), 'Device connected');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(typeof (await storedToken(tokenFile)).refreshToken, 'string');
  const me = await run(['call', '/oauth2/v3/userinfo']);
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).email, 'ann@example.com');
});

test('without the preset, a device answer naming verification_url is refused (RFC 8628 wants verification_uri)', async (t) => {
  const google = await startGoogle({ deviceInterval: 1 });
  const { tokenFile, run } = await presetLogin(t, google, GOOGLE);
  const done = await run([
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
  ]);
  t.not(done.code, 0);
  t.regex(done.stderr, /ERR_BAD_RESPONSE/);
  t.regex(done.stderr, /verification_uri/);
});
