/**
 * `login --provider gitlab` against an imitation of GitLab that follows its OAuth 2.0 identity
 * provider API documentation: discovery at the instance root (a self-hosted base URL), PKCE
 * required for a public client, refresh tokens that rotate (the old one dies), the device grant,
 * and revocation at logout.
 */
import { testWithSharedChromium } from '../helpers/chromium.js';
import {
  approveInBrowser,
  enterDeviceCode,
  presetLogin,
  storedEntries,
  storedToken,
} from '../helpers/imitation-login.js';
import { GITLAB_CLIENT_ID, startGitLab } from './imitation/gitlab.js';

const test = testWithSharedChromium();
const GITLAB = { provider: 'gitlab', clientId: GITLAB_CLIENT_ID };

test('browser login with PKCE, call refreshes with a rotated token twice, logout revokes', async (t) => {
  const gitlab = await startGitLab();
  const { tokenFile, browserLogin, run } = await presetLogin(t, gitlab, GITLAB);
  const { login, url } = await browserLogin();
  const authorize = new URL(url);
  t.is(authorize.pathname, '/oauth/authorize');
  t.is(authorize.searchParams.get('code_challenge_method'), 'S256');
  t.is(await approveInBrowser(t.context.browser, url), 'Login complete');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(done.stdout, `Logged in to ${gitlab.origin} as tanuki. Token kept in ${tokenFile}.\n`);
  t.true(gitlab.requests.some((r) => r.path === '/.well-known/openid-configuration'));
  const tokens = [await storedToken(tokenFile)];

  for (let i = 0; i < 2; i++) {
    gitlab.expireAccessTokens();
    const me = await run(['call', '/api/v4/user']);
    t.is(me.code, 0, me.stderr);
    t.is(JSON.parse(me.stdout).login, 'tanuki');
    tokens.push(await storedToken(tokenFile));
  }
  t.is(new Set(tokens.map((x) => x.refreshToken)).size, 3, 'each refresh saved the new refresh token');

  const logout = await run(['logout']);
  t.is(logout.code, 0, logout.stderr);
  t.true(gitlab.requests.some((r) => r.path === '/oauth/revoke'));
  t.false(gitlab.accepts(String(tokens[2]!.accessToken)));
  t.is(await storedEntries(tokenFile), 0);
});

test("device login against GitLab's device endpoint", async (t) => {
  const gitlab = await startGitLab({ deviceInterval: 1 });
  const { deviceLogin, run } = await presetLogin(t, gitlab, GITLAB);
  const { login, uri, code } = await deviceLogin();
  t.is(await enterDeviceCode(t.context.browser, uri, code), 'Device connected');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  const me = await run(['call', '/api/v4/user']);
  t.is(me.code, 0, me.stderr);
});
