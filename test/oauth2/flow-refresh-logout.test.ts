/**
 * After a real browser login through the machine: an expired access token is refreshed once by
 * the machine inside flow.fetch(), the rotated token is saved; logout revokes at the provider and
 * deletes the stored token. Real oidc-provider, axios, loopback receiver, token file in a temp dir.
 */
import anyTest, { type TestFn } from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { FileTokenStore } from '../../adapters/file-store.js';
import { launchChromium } from '../helpers/chromium.js';
import { chromiumOpener } from '../helpers/chromium-opener.js';
import { oauth2Flow, resourceStatus, storedToken } from '../helpers/oauth2-machine.js';
import { MemoryLock } from '../../adapters/memory-lock.js';
import { CountingLock } from '../helpers/counting-lock.js';
import { CLIENT_ID, startOidcServer, type OidcServer } from '../helpers/oidc-server.js';

const test = anyTest as TestFn<{ server: OidcServer; browser: Browser; dir: string }>;

test.before(async (t) => {
  t.context.server = await startOidcServer();
  t.context.browser = await launchChromium();
  t.context.dir = await mkdtemp(join(tmpdir(), 'authmachine-flow-'));
});
test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.server?.close();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('fetch with an expired access token: renewed first under the lock (never sent expired) -> rotated token saved -> the call succeeds', async (t) => {
  const { server, browser, dir } = t.context;
  const store = new FileTokenStore({ path: join(dir, 'refresh', 'tokens.json') });
  const setup = oauth2Flow(server, { browser: chromiumOpener(browser, { login: 'carol' }), store });
  const { flow, http } = setup;
  t.teardown(() => flow.stop());

  server.setAccessTokenTtl('carol', 1);
  const login = await flow.login();
  const first = (await storedToken(setup))!;
  t.true(first.expiresAt! - Date.now() <= 1000);
  // The provider counts whole seconds: past expiresAt + 1.1 s the token is dead for certain.
  await sleep(Math.max(0, login.expiresAt! + 1100 - Date.now()));
  t.is(await resourceStatus(server, first.accessToken), 401);
  server.setAccessTokenTtl('carol', 600);

  const before = setup.states.length;
  const me = await flow.fetch({ url: '/api/me' });
  t.is(me.status, 200);
  t.is(JSON.parse(me.body).sub, 'carol');
  t.deepEqual(setup.states.slice(before), [
    '{"fetching":"acquiringLock"}',
    '{"fetching":"rereading"}',
    '{"fetching":{"refreshing":"attempt"}}',
    '{"fetching":"savingRefreshed"}',
    '{"fetching":{"requesting":"attempt"}}',
    '{"authorized":"ready"}',
  ]);
  const resourceCalls = http.requests.filter((r) => r.url === server.resourceUrl);
  t.is(resourceCalls.length, 1, 'the expired token was never sent');
  const refreshes = http.formsTo(`${server.issuer}/token`).filter((f) => f.get('grant_type') === 'refresh_token');
  t.is(refreshes.length, 1);
  t.is(refreshes[0]!.get('refresh_token'), first.refreshToken ?? null);

  const rotated = (await storedToken(setup))!;
  t.not(rotated.accessToken, first.accessToken);
  t.not(rotated.refreshToken, first.refreshToken, 'the rotated refresh token replaced the spent one');
  t.is(rotated.username, 'carol');
  t.true(rotated.expiresAt! > Date.now() + 500_000);
  t.is(resourceCalls[0]!.headers!['authorization'], `Bearer ${rotated.accessToken}`);

  // The next call uses the refreshed token straight away.
  t.is((await flow.fetch({ url: server.resourceUrl })).status, 200);
  t.is(http.formsTo(`${server.issuer}/token`).filter((f) => f.get('grant_type') === 'refresh_token').length, 1);
});

test('logout revokes at the provider (the old tokens stop working) and deletes the stored token', async (t) => {
  const { server, browser, dir } = t.context;
  const path = join(dir, 'logout', 'tokens.json');
  const setup = oauth2Flow(server, {
    browser: chromiumOpener(browser, { login: 'dave' }),
    store: new FileTokenStore({ path }),
  });
  const { flow, http } = setup;
  t.teardown(() => flow.stop());

  await flow.login();
  const token = (await storedToken(setup))!;
  t.is((await flow.fetch({ url: '/api/me' })).status, 200);
  t.true((await readFile(path, 'utf8')).includes(setup.storageKey));

  await flow.logout();
  t.is(flow.state.value, 'idle');
  const revocations = http.formsTo(`${server.issuer}/token/revocation`);
  t.deepEqual(
    revocations.map((f) => f.get('token_type_hint')),
    ['refresh_token', 'access_token'],
  );
  t.is(await setup.store.get(setup.storageKey), null);
  t.false((await readFile(path, 'utf8')).includes(setup.storageKey));

  t.is(await resourceStatus(server, token.accessToken), 401, 'the revoked access token is dead at the resource');
  const refresh = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: token.refreshToken!,
      client_id: CLIENT_ID,
    }),
  });
  t.is(refresh.status, 400);
  t.is(((await refresh.json()) as { error: string }).error, 'invalid_grant', 'the revoked refresh token is dead too');

  // Nothing left to use: an authenticated call now needs a new login.
  const error = await t.throwsAsync(flow.fetch({ url: '/api/me' }));
  t.is((error as { code?: string }).code, 'ERR_NOT_LOGGED_IN');
});

test('a live-looking token the provider refuses (401): renewed once under the lock and the call repeated', async (t) => {
  const { server, browser, dir } = t.context;
  const store = new FileTokenStore({ path: join(dir, 'refused', 'tokens.json') });
  const setup = oauth2Flow(server, { browser: chromiumOpener(browser, { login: 'erin' }), store });
  t.teardown(() => setup.flow.stop());
  await setup.flow.login();
  const first = (await storedToken(setup))!;
  // The provider forgets the access token (as after a server-side revocation); the refresh token lives on.
  await (await server.provider.AccessToken.find(first.accessToken))!.destroy();
  const me = await setup.flow.fetch({ url: '/api/me' });
  t.is(me.status, 200);
  const calls = setup.http.requests.filter((r) => r.url === server.resourceUrl);
  t.is(calls.length, 2, 'refused once, repeated once with the renewed token');
  t.not((await storedToken(setup))!.accessToken, first.accessToken);
});

test('four flows sharing a store and a lock, all expired at once: one refresh, every call succeeds, the login survives', async (t) => {
  const { server, browser, dir } = t.context;
  const path = join(dir, 'shared', 'tokens.json');
  const lock = new CountingLock(new MemoryLock());
  const first = oauth2Flow(server, {
    browser: chromiumOpener(browser, { login: 'frank' }),
    store: new FileTokenStore({ path }),
    lock,
  });
  t.teardown(() => first.flow.stop());
  server.setAccessTokenTtl('frank', 1);
  const login = await first.flow.login();
  server.setAccessTokenTtl('frank', 600);
  const others = [1, 2, 3].map(() => oauth2Flow(server, { store: new FileTokenStore({ path }), lock }));
  t.teardown(() => others.forEach((o) => o.flow.stop()));
  for (const other of others) t.true((await other.flow.login()).fromStore);
  await sleep(Math.max(0, login.expiresAt! + 1100 - Date.now()));

  const all = [first, ...others];
  const answers = await Promise.all(all.map((s) => s.flow.fetch({ url: '/api/me' })));
  t.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200, 200],
  );
  const refreshes = all.flatMap((s) =>
    s.http.formsTo(`${server.issuer}/token`).filter((f) => f.get('grant_type') === 'refresh_token'),
  );
  t.is(refreshes.length, 1, 'the first holder refreshed; the others used its token');
  t.is(lock.maxHolders, 1);
  const stored = (await storedToken(first))!;
  t.is(await resourceStatus(server, stored.accessToken), 200, 'the login survived');
});
