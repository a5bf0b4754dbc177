/**
 * The whole redirect login through the real machine and facade: createAuthFlow + the OAuth 2.0
 * protocol + axios + the real loopback receiver, with headless Chromium as the person on a real
 * oidc-provider. Success into the real gnome-keyring, consent cancelled, and a forged redirect.
 */
import { randomUUID } from 'node:crypto';
import { AuthError } from '../../adapters/errors.js';
import { KeytarTokenStore } from '../../adapters/keytar-store.js';
import { chromiumOpener } from '../helpers/chromium-opener.js';
import { oauth2Flow, reached, resourceStatus, storedToken } from '../helpers/oauth2-machine.js';
import { startOidcServer } from '../helpers/oidc-server.js';
import { oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite();

test('browser login ends authorized with the token in the system keychain; the next login reuses it', async (t) => {
  const { server, browser } = t.context;
  const store = new KeytarTokenStore({ service: `authmachine-test-${randomUUID()}` });
  const opener = chromiumOpener(browser, { login: 'alice' });
  const setup = oauth2Flow(server, { browser: opener, store });
  const { flow } = setup;
  t.teardown(async () => {
    flow.stop();
    await store.delete(setup.storageKey).catch(() => {});
  });
  const urls: string[] = [];
  flow.on('authorizationUrl', (e) => urls.push(e.url));

  const result = await flow.login();
  await opener.settled();
  t.deepEqual(
    opener.landings.map((l) => [l.title, l.text.trim()]),
    [['Login complete', 'Login completeYou can close this tab and return to the terminal.']],
  );
  t.deepEqual(result.fromStore, false);
  t.is(result.username, 'alice');
  t.is(flow.state.value, 'authorized');
  t.deepEqual(urls, opener.urls, 'the URL the host is told is the one the browser opened');
  const url = new URL(urls[0]!);
  t.is(url.origin + url.pathname, `${server.issuer}/auth`);
  t.is(url.searchParams.get('code_challenge_method'), 'S256');
  t.regex(url.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  t.true(setup.states.includes('{"signingIn":{"awaitingUser":"waitingForRedirect"}}'));
  t.true(setup.states.includes('{"exchanging":"attempt"}'));

  const saved = await storedToken(setup);
  t.truthy(saved?.accessToken);
  t.truthy(saved?.refreshToken);
  t.is(saved?.username, 'alice');
  t.is(await resourceStatus(server, saved!.accessToken), 200);

  const me = await flow.fetch({ url: '/api/me' });
  t.is(me.status, 200);
  t.is(JSON.parse(me.body).sub, 'alice');

  // A new flow (another run of the host) finds the login in the keychain: no browser this time.
  const again = oauth2Flow(server, { store });
  t.teardown(() => again.flow.stop());
  const reused = await again.flow.login();
  t.true(reused.fromStore);
  t.is(reused.username, 'alice');
  t.false(again.states.some((s) => s.includes('signingIn')));
});

test('consent cancelled in the browser: the flow fails with ERR_DECLINED and stores nothing', async (t) => {
  const { server, browser } = t.context;
  const opener = chromiumOpener(browser, { cancel: true });
  const setup = oauth2Flow(server, { browser: opener });
  t.teardown(() => setup.flow.stop());

  const error = await t.throwsAsync(setup.flow.login(), { instanceOf: AuthError });
  await opener.settled();
  t.is(error!.code, 'ERR_DECLINED');
  t.is(error!.providerCode, 'access_denied');
  t.is(opener.landings[0]?.title, 'Access declined', 'the page says declined, not complete');
  t.regex(
    opener.landings[0]?.text ?? '',
    /Access was declined \(the provider said: access_denied\), so nothing was saved/,
  );
  t.is(setup.flow.state.value, 'failed');
  t.is(setup.flow.state.error?.code, 'ERR_DECLINED');
  t.is(await setup.store.get(setup.storageKey), null);
  t.false(
    setup.http.requests.some((r) => r.url === `${server.issuer}/token`),
    'no code exchange was attempted',
  );
});

test('a forged redirect with the wrong state gets 400 from the loopback receiver; the flow keeps waiting and completes with the real login', async (t) => {
  const { server, browser } = t.context;
  let letBrowserGo!: () => void;
  const gate = new Promise<void>((resolve) => (letBrowserGo = resolve));
  const opener = chromiumOpener(browser, { login: 'frank', beforeNavigate: () => gate });
  const setup = oauth2Flow(server, { browser: opener });
  const { flow } = setup;
  t.teardown(() => flow.stop());
  const strays: unknown[] = [];
  flow.on('strayCallback', (e) => strays.push(e));

  const login = flow.login();
  await reached(flow, 'awaitingUser');
  const redirectUri = flow.actor.getSnapshot().context.redirectUri!;
  t.regex(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);

  const forged = await fetch(`${redirectUri}?state=forged&code=x`);
  t.is(forged.status, 400);
  t.regex(await forged.text(), /state does not match/);
  t.is(flow.state.value, 'awaitingUser');
  t.false(
    setup.http.requests.some((r) => r.url === `${server.issuer}/token`),
    'the forged code was never exchanged',
  );

  letBrowserGo();
  const result = await login;
  await opener.settled();
  t.is(result.username, 'frank');
  t.is(flow.state.value, 'authorized');
  t.deepEqual(strays, [], 'the receiver filtered it: the machine never saw the forged hit');
  const exchanges = setup.http.formsTo(`${server.issuer}/token`);
  t.is(exchanges.length, 1);
  t.not(exchanges[0]!.get('code'), 'x');
});

test('the token endpoint answers an error: the page says the login failed, with the code, never "complete"', async (t) => {
  const { browser } = t.context;
  // Its own server: this one's token endpoint refuses every code, whatever the other tests do.
  const server = await startOidcServer({
    tokenEndpointError: {
      status: 400,
      body: { error: 'invalid_grant', error_description: '<b>grant revoked</b> \u001b[31m' },
    },
  });
  t.teardown(() => server.close());
  const opener = chromiumOpener(browser, { login: 'gina' });
  const setup = oauth2Flow(server, { browser: opener });
  t.teardown(() => setup.flow.stop());

  const error = await t.throwsAsync(setup.flow.login(), { instanceOf: AuthError });
  await opener.settled();
  t.is(error!.code, 'ERR_CODE_INVALID');
  t.is(opener.landings[0]?.title, 'Login failed');
  t.is(
    opener.landings[0]?.text.trim(),
    'Login failedThe login failed: the provider no longer accepted this approval (expired or already used) (ERR_CODE_INVALID) (the provider said: invalid_grant). The terminal says what to do next.',
    "the page names the code, and nothing of the server's description",
  );
  t.is(await setup.store.get(setup.storageKey), null);
});
