/**
 * `login --provider gitlab` against an imitation of GitLab that follows its OAuth 2.0 identity
 * provider API documentation: discovery at the instance root (a self-hosted base URL), PKCE
 * required for a public client, refresh tokens that rotate (the old one dies), the device grant,
 * and revocation at logout.
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
import { GITLAB_CLIENT_ID, startGitLab } from './imitation/gitlab.js';

const test = testWithSharedChromium();

test('browser login with PKCE, call refreshes with a rotated token twice, logout revokes', async (t) => {
  const gitlab = await startGitLab();
  const { home, env, tokenFile } = await newHome('gitlab');
  t.teardown(async () => {
    await gitlab.close();
    await rm(home, { recursive: true, force: true });
  });
  const login = runCli(
    [
      'login',
      '--provider',
      'gitlab',
      '--base-url',
      gitlab.origin,
      '--client-id',
      GITLAB_CLIENT_ID,
      '--no-browser',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  );
  const [, url] = await login.stderrMatch(BROWSER_URL);
  const authorize = new URL(url!);
  t.is(authorize.pathname, '/oauth/authorize');
  t.is(authorize.searchParams.get('code_challenge_method'), 'S256');
  t.is(await approveInBrowser(t.context.browser, url!), 'Login complete');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(done.stdout, `Logged in to ${gitlab.origin} as tanuki. Token kept in ${tokenFile}.\n`);
  t.true(gitlab.requests.some((r) => r.path === '/.well-known/openid-configuration'));
  const tokens = [await storedToken(tokenFile)];

  for (let i = 0; i < 2; i++) {
    gitlab.expireAccessTokens();
    const me = await runCli(['call', '/api/v4/user'], env).result;
    t.is(me.code, 0, me.stderr);
    t.is(JSON.parse(me.stdout).login, 'tanuki');
    tokens.push(await storedToken(tokenFile));
  }
  t.is(new Set(tokens.map((x) => x.refreshToken)).size, 3, 'each refresh saved the new refresh token');

  const logout = await runCli(['logout'], env).result;
  t.is(logout.code, 0, logout.stderr);
  t.true(gitlab.requests.some((r) => r.path === '/oauth/revoke'));
  t.false(gitlab.accepts(String(tokens[2]!.accessToken)));
  t.is(await storedEntries(tokenFile), 0);
});

test("device login against GitLab's device endpoint", async (t) => {
  const gitlab = await startGitLab({ deviceInterval: 1 });
  const { home, env, tokenFile } = await newHome('gitlab-device');
  t.teardown(async () => {
    await gitlab.close();
    await rm(home, { recursive: true, force: true });
  });
  const login = runCli(
    [
      'login',
      '--provider',
      'gitlab',
      '--base-url',
      gitlab.origin,
      '--client-id',
      GITLAB_CLIENT_ID,
      '--device',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  );
  const [, uri, code] = await login.stderrMatch(DEVICE_PROMPT);
  t.is(await enterDeviceCode(t.context.browser, uri!, code!), 'Device connected');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  const me = await runCli(['call', '/api/v4/user'], env).result;
  t.is(me.code, 0, me.stderr);
});
