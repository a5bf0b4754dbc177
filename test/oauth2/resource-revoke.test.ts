/** fetch() (bearer calls, URL safety) and revoke() against a scripted server. */
import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { isLoopbackHost } from '../../src/oauth2/url-safety.js';
import { discoveryDocument, ISSUER, json, scriptedContext, scriptedHttp } from '../helpers/scripted-http.js';

const TOKEN = { accessToken: 'ACCESS-TOKEN-VALUE', refreshToken: 'REFRESH-TOKEN-VALUE', tokenType: 'Bearer' };
const API = 'https://api.example.com/v1/';

function setup(routes: Parameters<typeof scriptedHttp>[0], discovery: Record<string, unknown> = {}) {
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(200, discoveryDocument(discovery)),
    ...routes,
  });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', resource: API });
  return { http, protocol, ctx: scriptedContext(http) };
}

test('fetch resolves relative URLs against the resource base, sends Bearer, and the caller cannot override it', async (t) => {
  const { http, protocol, ctx } = setup({ [`POST ${API}items?x=1`]: json(201, { ok: true }, { 'x-rate': '5' }) });
  const response = await protocol.fetch(ctx, {
    token: TOKEN,
    request: {
      url: 'items?x=1',
      method: 'POST',
      headers: { 'content-type': 'application/json', Authorization: 'Bearer forged' },
      body: '{}',
    },
  });
  t.deepEqual(response, {
    status: 201,
    headers: { 'content-type': 'application/json', 'x-rate': '5' },
    body: '{"ok":true}',
  });
  const sent = http.requests.at(-1)!;
  t.is(sent.headers!.authorization, 'Bearer ACCESS-TOKEN-VALUE');
  t.false('Authorization' in sent.headers!);
  t.is(sent.body, '{}');
  t.true(sent.timeoutMs > 0);
  t.is(sent.signal, ctx.signal);
});

test('fetch: 401 is ERR_TOKEN_INVALID; other statuses are returned to the caller', async (t) => {
  const { protocol, ctx } = setup({
    [`GET ${API}me`]: json(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' }),
    [`GET ${API}forbidden`]: json(403, { error: 'insufficient_scope' }),
  });
  const error = await t.throwsAsync(protocol.fetch(ctx, { token: TOKEN, request: { url: 'me' } }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_TOKEN_INVALID');
  t.is(error!.status, 401);
  t.false(error!.message.includes('ACCESS-TOKEN-VALUE'));
  t.is((await protocol.fetch(ctx, { token: TOKEN, request: { url: 'forbidden' } })).status, 403);
});

test('fetch refuses plain http off loopback before sending the token', async (t) => {
  const { http, protocol, ctx } = setup({});
  for (const url of ['http://api.example.com/me', 'http://127.0.0.1.nip.io/me', 'http://10.0.0.1/me']) {
    const error = await t.throwsAsync(protocol.fetch(ctx, { token: TOKEN, request: { url } }), {
      instanceOf: AuthError,
    });
    t.is(error!.code, 'ERR_INSECURE_URL', url);
  }
  t.is(http.requests.length, 0);
  const noBase = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
  const relative = await t.throwsAsync(noBase.fetch(ctx, { token: TOKEN, request: { url: '/me' } }), {
    instanceOf: AuthError,
  });
  t.is(relative!.code, 'ERR_CONFIG');
});

test('loopback hosts are the only plain-http exception', (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', '[::1]', 'localhost', 'LOCALHOST']) t.true(isLoopbackHost(host), host);
  for (const host of ['127.0.0.1.evil.com', '0.0.0.0', '192.168.1.1', 'example.com', '[::ffff:127.0.0.1]'])
    t.false(isLoopbackHost(host), host);
});

test('revoke sends the refresh token then the access token, with hints and client id', async (t) => {
  const { http, protocol, ctx } = setup({ [`POST ${ISSUER}/revoke`]: json(200, {}) });
  await protocol.revoke(ctx, { token: TOKEN });
  t.deepEqual(Object.fromEntries(http.formSentTo(`${ISSUER}/revoke`, 0)), {
    token: 'REFRESH-TOKEN-VALUE',
    token_type_hint: 'refresh_token',
    client_id: 'app',
  });
  t.deepEqual(Object.fromEntries(http.formSentTo(`${ISSUER}/revoke`, 1)), {
    token: 'ACCESS-TOKEN-VALUE',
    token_type_hint: 'access_token',
    client_id: 'app',
  });
});

test('revoke: no endpoint means nothing to do; unsupported_token_type is skipped; 503 is retryable ERR_SERVER', async (t) => {
  const none = setup({}, { revocation_endpoint: undefined });
  await t.notThrowsAsync(none.protocol.revoke(none.ctx, { token: TOKEN }));
  t.is(none.http.requests.length, 1, 'only discovery');

  const partial = setup({ [`POST ${ISSUER}/revoke`]: [json(400, { error: 'unsupported_token_type' }), json(200, {})] });
  await t.notThrowsAsync(partial.protocol.revoke(partial.ctx, { token: TOKEN }));

  const down = setup({ [`POST ${ISSUER}/revoke`]: json(503, { error: 'temporarily_unavailable' }) });
  const error = await t.throwsAsync(down.protocol.revoke(down.ctx, { token: TOKEN }), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_SERVER');
  t.true(error!.retryable);
  t.false(error!.message.includes('REFRESH-TOKEN-VALUE'));
});

test('every endpoint is checked before use: an insecure PAR or device endpoint is refused', async (t) => {
  const ctx = scriptedContext(scriptedHttp({}));
  const p = createOAuth2Protocol({
    issuer: ISSUER,
    clientId: 'app',
    endpoints: { authorization: `${ISSUER}/authorize`, token: `${ISSUER}/token` },
  });
  t.truthy(await p.start(ctx, { redirectUri: 'http://127.0.0.1:1/callback' }));
  t.is(
    (
      t.throws(
        () =>
          createOAuth2Protocol({
            issuer: ISSUER,
            clientId: 'app',
            endpoints: { token: `${ISSUER}/token`, pushedAuthorizationRequest: 'http://as.example.com/par' },
          }),
        { instanceOf: AuthError },
      ) as AuthError
    ).code,
    'ERR_INSECURE_URL',
  );
  const deviceDoc = setup({}, { device_authorization_endpoint: 'http://as.example.com/device' });
  const device = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', mode: 'device' });
  const error = await t.throwsAsync(device.start(deviceDoc.ctx, { redirectUri: null }), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_INSECURE_URL');
});
