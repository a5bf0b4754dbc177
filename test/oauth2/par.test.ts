/**
 * Pushed authorization requests (RFC 9126) against the real provider: the browser URL carries
 * only client_id and request_uri, and the login completes through it.
 */
import anyTest, { type TestFn } from 'ava';
import type { Browser } from 'playwright-core';
import { createOAuth2Protocol, type OAuth2RedirectSession } from '../../src/oauth2/index.js';
import { s256Challenge } from '../../src/oauth2/pkce.js';
import { launchChromium } from '../helpers/chromium.js';
import { browserLogin, realContext } from '../helpers/oauth2-flow.js';
import { CLIENT_ID, startOidcServer, type OidcServer } from '../helpers/oidc-server.js';

const test = anyTest as TestFn<{ par: OidcServer; required: OidcServer; browser: Browser }>;

test.before(async (t) => {
  [t.context.par, t.context.required, t.context.browser] = await Promise.all([
    startOidcServer({ par: true }),
    startOidcServer({ requirePar: true }),
    launchChromium(),
  ]);
});
test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.par?.close();
  await t.context.required?.close();
});

test('with PAR offered, the browser URL holds only client_id and request_uri, and the login completes', async (t) => {
  const { par: server, browser } = t.context;
  const protocol = createOAuth2Protocol({ issuer: server.issuer, clientId: CLIENT_ID });
  const ctx = realContext();
  const { started, params } = await browserLogin(browser, protocol, ctx, {
    beforeNavigate(started) {
      const url = new URL(started.authorizationUrl);
      t.is(`${url.origin}${url.pathname}`, `${server.issuer}/auth`);
      t.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
      t.is(url.searchParams.get('client_id'), CLIENT_ID);
      t.regex(url.searchParams.get('request_uri')!, /^urn:ietf:params:oauth:request_uri:/);
    },
  });
  const session = started.session as OAuth2RedirectSession;
  const pushed = ctx.http.requests.find((r) => r.url === `${server.issuer}/request`)!;
  t.truthy(pushed, 'the request went to the PAR endpoint');
  const form = new URLSearchParams(pushed.body);
  t.is(form.get('code_challenge'), s256Challenge(session.codeVerifier));
  t.is(form.get('state'), session.state);
  t.false(pushed.body!.includes(session.codeVerifier), 'the verifier is not pushed either');

  const token = await protocol.exchange(ctx, { session, callback: { kind: 'redirect', params } });
  t.is(token.username, 'alice');
});

test("usePar 'never' yields to a server that requires PAR; 'auto' without a PAR endpoint does a plain request", async (t) => {
  const { required } = t.context;
  const ctx = realContext();
  const forced = createOAuth2Protocol({ issuer: required.issuer, clientId: CLIENT_ID, usePar: 'never' });
  const started = await forced.start(ctx, { redirectUri: 'http://127.0.0.1:5555/callback' });
  t.true(new URL(started.authorizationUrl).searchParams.has('request_uri'));

  const plainServer = await startOidcServer();
  t.teardown(() => plainServer.close());
  const plain = createOAuth2Protocol({ issuer: plainServer.issuer, clientId: CLIENT_ID });
  const url = new URL((await plain.start(ctx, { redirectUri: 'http://127.0.0.1:5555/callback' })).authorizationUrl);
  t.false(url.searchParams.has('request_uri'));
  t.is(url.searchParams.get('code_challenge_method'), 'S256');

  const always = createOAuth2Protocol({ issuer: plainServer.issuer, clientId: CLIENT_ID, usePar: 'always' });
  const error = await t.throwsAsync(always.start(ctx, { redirectUri: 'http://127.0.0.1:5555/callback' }));
  t.is((error as { code?: string }).code, 'ERR_CONFIG');
});
