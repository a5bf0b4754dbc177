import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { wellKnownUrls } from '../../src/oauth2/discovery.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { discoveryDocument, ISSUER, json, scriptedContext, scriptedHttp } from '../helpers/scripted-http.js';

const REDIRECT = { redirectUri: 'http://127.0.0.1:1234/callback' };

test('well-known locations follow OIDC Discovery and RFC 8414 section 3.1 path rules', (t) => {
  t.deepEqual(wellKnownUrls('https://as.example.com'), [
    'https://as.example.com/.well-known/openid-configuration',
    'https://as.example.com/.well-known/oauth-authorization-server',
  ]);
  t.deepEqual(wellKnownUrls('https://as.example.com/tenant/1'), [
    'https://as.example.com/tenant/1/.well-known/openid-configuration',
    'https://as.example.com/.well-known/oauth-authorization-server/tenant/1',
  ]);
});

test('falls back to oauth-authorization-server when openid-configuration is missing', async (t) => {
  const issuer = `${ISSUER}/tenant`;
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/oauth-authorization-server/tenant`]: json(200, discoveryDocument({ issuer })),
  });
  const protocol = createOAuth2Protocol({ issuer, clientId: 'app' });
  const meta = await protocol.metadata(scriptedContext(http));
  t.is(meta.token_endpoint, `${ISSUER}/token`);
  t.deepEqual(
    http.requests.map((r) => r.url),
    [`${ISSUER}/tenant/.well-known/openid-configuration`, `${ISSUER}/.well-known/oauth-authorization-server/tenant`],
  );
});

test('a document naming another issuer is refused (ERR_ISSUER_MISMATCH), even a trailing-slash variant', async (t) => {
  for (const issuer of ['https://evil.example.com', `${ISSUER}/`]) {
    const http = scriptedHttp({
      [`GET ${ISSUER}/.well-known/openid-configuration`]: json(200, discoveryDocument({ issuer })),
    });
    const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
    const error = await t.throwsAsync(protocol.start(scriptedContext(http), REDIRECT), { instanceOf: AuthError });
    t.is(error!.code, 'ERR_ISSUER_MISMATCH');
    t.true(error!.message.includes(`configured "${ISSUER}", the document says "${issuer}"`), 'both issuers are shown');
  }
});

test('endpoints in the document must be https or loopback http', async (t) => {
  for (const [key, url] of [
    ['token_endpoint', 'http://as.example.com/token'],
    ['authorization_endpoint', 'http://127.0.0.1.evil.com/authorize'],
    ['revocation_endpoint', 'ftp://as.example.com/revoke'],
  ] as const) {
    const http = scriptedHttp({
      [`GET ${ISSUER}/.well-known/openid-configuration`]: json(200, discoveryDocument({ [key]: url })),
    });
    const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
    const error = await t.throwsAsync(protocol.start(scriptedContext(http), REDIRECT), { instanceOf: AuthError });
    t.is(error!.code, 'ERR_INSECURE_URL', key);
  }
});

test('discovery is cached per protocol instance, and a failure is not cached', async (t) => {
  const answers = [json(503, {}), json(200, discoveryDocument())];
  const http = scriptedHttp({ [`GET ${ISSUER}/.well-known/openid-configuration`]: answers });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
  const ctx = scriptedContext(http);
  const outage = await t.throwsAsync(protocol.start(ctx, REDIRECT), { instanceOf: AuthError });
  t.is(outage!.code, 'ERR_SERVER');
  t.true(outage!.retryable);
  t.is(http.requests.length, 1, 'a 5xx does not try the other location');
  await protocol.start(ctx, REDIRECT);
  await protocol.start(ctx, REDIRECT);
  t.is(http.requests.length, 2);
  const other = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
  await other.start(ctx, REDIRECT);
  t.is(http.requests.length, 3, 'another instance discovers on its own');
});

test('a non-JSON discovery answer is ERR_BAD_RESPONSE; no metadata anywhere is ERR_CONFIG', async (t) => {
  const html = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html>',
    },
  });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
  t.is(
    (await t.throwsAsync(protocol.start(scriptedContext(html), REDIRECT), { instanceOf: AuthError }))!.code,
    'ERR_BAD_RESPONSE',
  );
  const none = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
  const error = await t.throwsAsync(none.start(scriptedContext(scriptedHttp({})), REDIRECT), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_CONFIG');
  t.is(error!.status, 404);
});

test('a server without S256 in code_challenge_methods_supported is refused', async (t) => {
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(
      200,
      discoveryDocument({ code_challenge_methods_supported: ['plain'] }),
    ),
  });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
  t.is(
    (await t.throwsAsync(protocol.start(scriptedContext(http), REDIRECT), { instanceOf: AuthError }))!.code,
    'ERR_CONFIG',
  );
});

test('explicit endpoints skip discovery; storageKey names issuer and client only', async (t) => {
  const http = scriptedHttp({});
  const protocol = createOAuth2Protocol({
    clientId: 'app',
    clientSecret: 'CLIENT-SECRET-VALUE',
    scope: 'read',
    endpoints: { authorization: 'https://idp.example/authorize', token: 'https://idp.example/token' },
  });
  t.is(protocol.storageKey, 'oauth2:https://idp.example/token#app');
  const started = await protocol.start(scriptedContext(http), REDIRECT);
  t.is(http.requests.length, 0);
  const url = new URL(started.authorizationUrl);
  t.is(url.origin + url.pathname, 'https://idp.example/authorize');
  t.false(url.searchParams.has('nonce'), 'no openid scope, no nonce');
  t.false(started.authorizationUrl.includes('CLIENT-SECRET-VALUE'));
  const withIssuer = createOAuth2Protocol({
    issuer: ISSUER,
    clientId: 'app',
    endpoints: { token: 'https://idp.example/token' },
  });
  t.is(withIssuer.storageKey, `oauth2:${ISSUER}#app`);
});

test('configuration mistakes are reported at creation', (t) => {
  const code = (fn: () => unknown) => (t.throws(fn, { instanceOf: AuthError }) as AuthError).code;
  t.is(
    code(() => createOAuth2Protocol({ clientId: 'app' })),
    'ERR_CONFIG',
  );
  t.is(
    code(() => createOAuth2Protocol({ issuer: ISSUER, clientId: '' })),
    'ERR_CONFIG',
  );
  t.is(
    code(() => createOAuth2Protocol({ issuer: 'http://as.example.com', clientId: 'app' })),
    'ERR_INSECURE_URL',
  );
  t.is(
    code(() => createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', resource: 'http://api.example.com' })),
    'ERR_INSECURE_URL',
  );
  t.is(
    code(() => createOAuth2Protocol({ clientId: 'app', endpoints: { token: 'http://idp.example/token' }, scope: 'x' })),
    'ERR_INSECURE_URL',
  );
  t.is(
    code(() => createOAuth2Protocol({ clientId: 'app', endpoints: { token: 'https://idp.example/token' } })),
    'ERR_CONFIG',
    'OIDC needs an issuer',
  );
  t.notThrows(() => createOAuth2Protocol({ issuer: 'http://127.0.0.1:8080', clientId: 'app' }));
  t.notThrows(() => createOAuth2Protocol({ issuer: 'http://[::1]:8080', clientId: 'app' }));
});
