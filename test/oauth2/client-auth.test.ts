/**
 * An "installed app" client secret (RFC 8252 section 8.5) goes the way the server says: HTTP
 * Basic when the metadata lists client_secret_basic (or lists nothing, RFC 8414's default), the
 * form when it lists only client_secret_post, the form for hand-given endpoints; the same at
 * every endpoint that authenticates the client.
 */
import test from 'ava';
import type { HttpRequest } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { discoveryDocument, ISSUER, json, scriptedContext, scriptedHttp } from '../helpers/scripted-http.js';

const SECRET = 'cs-se cret:+/%';
const TOKEN = json(200, { access_token: 'a', token_type: 'Bearer' });

function sent(listed: unknown) {
  const extra = listed === undefined ? {} : { token_endpoint_auth_methods_supported: listed };
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(200, discoveryDocument(extra)),
    [`POST ${ISSUER}/token`]: TOKEN,
    [`POST ${ISSUER}/revoke`]: json(200, {}),
  });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'my app', clientSecret: SECRET, scope: 'read' });
  return { http, protocol, ctx: scriptedContext(http) };
}

function basicOf(request: HttpRequest): [string, string] | null {
  const header = request.headers?.['authorization'];
  if (!header?.startsWith('Basic ')) return null;
  const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':') as [string, string];
  // RFC 6749 section 2.3.1: each half is form-urlencoded.
  const decode = (v: string) => new URLSearchParams(`v=${v}`).get('v')!;
  return [decode(id), decode(secret)];
}

test('client_secret_basic when listed (or when nothing is listed): the secret is in no form', async (t) => {
  for (const listed of [['client_secret_basic', 'client_secret_post'], undefined]) {
    const { http, protocol, ctx } = sent(listed);
    await protocol.refresh(ctx, { token: { accessToken: 'a0', refreshToken: 'r0' } });
    await protocol.revoke(ctx, { token: { accessToken: 'a1' } });
    for (const request of http.requests.filter((r) => r.method === 'POST')) {
      t.deepEqual(basicOf(request), ['my app', SECRET], request.url);
      t.false(request.body!.includes('client_secret'), request.url);
    }
  }
});

test('client_secret_post when only it is listed', async (t) => {
  const { http, protocol, ctx } = sent(['client_secret_post', 'private_key_jwt']);
  await protocol.refresh(ctx, { token: { accessToken: 'a0', refreshToken: 'r0' } });
  const request = http.requests.find((r) => r.method === 'POST')!;
  t.is(basicOf(request), null);
  const form = new URLSearchParams(request.body);
  t.is(form.get('client_id'), 'my app');
  t.is(form.get('client_secret'), SECRET);
});

test('a server that takes a secret neither way is a configuration error that names no secret', async (t) => {
  const { protocol, ctx } = sent(['private_key_jwt']);
  const error = await t.throwsAsync(protocol.refresh(ctx, { token: { accessToken: 'a0', refreshToken: 'r0' } }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_CONFIG');
  t.false(JSON.stringify(error!.toJSON()).includes(SECRET));
});

test('explicit endpoints send the secret in the form unless told otherwise; a public client sends only client_id', async (t) => {
  const http = scriptedHttp({ ['POST https://idp.example/token']: TOKEN });
  const ctx = scriptedContext(http);
  const endpoints = { authorization: 'https://idp.example/authorize', token: 'https://idp.example/token' };
  await createOAuth2Protocol({ clientId: 'app', clientSecret: SECRET, scope: 'read', endpoints }).refresh(ctx, {
    token: { accessToken: 'a', refreshToken: 'r' },
  });
  t.is(new URLSearchParams(http.requests[0]!.body).get('client_secret'), SECRET);
  await createOAuth2Protocol({
    clientId: 'app',
    clientSecret: SECRET,
    scope: 'read',
    endpoints,
    clientAuthMethod: 'client_secret_basic',
  }).refresh(ctx, {
    token: { accessToken: 'a', refreshToken: 'r' },
  });
  t.deepEqual(basicOf(http.requests[1]!), ['app', SECRET]);
  await createOAuth2Protocol({ clientId: 'app', scope: 'read', endpoints }).refresh(ctx, {
    token: { accessToken: 'a', refreshToken: 'r' },
  });
  t.is(http.requests[2]!.headers?.['authorization'], undefined);
  t.deepEqual([...new URLSearchParams(http.requests[2]!.body).keys()].sort(), [
    'client_id',
    'grant_type',
    'refresh_token',
  ]);
});
