/**
 * The authorization code flow with PKCE against a real oidc-provider, with a real loopback
 * redirect and headless Chromium on the provider's own login and consent pages.
 */
import { AuthError } from '../../adapters/errors.js';
import { createOAuth2Protocol, type OAuth2RedirectSession } from '../../src/oauth2/index.js';
import { s256Challenge } from '../../src/oauth2/pkce.js';
import { browserLogin, realContext } from '../helpers/oauth2-flow.js';
import { CLIENT_ID, type OidcServer } from '../helpers/oidc-server.js';
import { oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite();

function protocolFor(server: OidcServer) {
  return createOAuth2Protocol({ issuer: server.issuer, clientId: CLIENT_ID, resource: server.issuer });
}

function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

test('discovery and start: the URL carries an S256 challenge, state and nonce, never the verifier', async (t) => {
  const { server } = t.context;
  const protocol = protocolFor(server);
  const ctx = realContext();
  const started = await protocol.start(ctx, { redirectUri: 'http://127.0.0.1:5555/callback' });
  const session = started.session as OAuth2RedirectSession;
  const url = new URL(started.authorizationUrl);

  t.is(`${url.origin}${url.pathname}`, `${server.issuer}/auth`);
  t.is(ctx.http.requests[0]!.url, `${server.issuer}/.well-known/openid-configuration`);
  const q = url.searchParams;
  t.is(q.get('response_type'), 'code');
  t.is(q.get('client_id'), CLIENT_ID);
  t.is(q.get('redirect_uri'), 'http://127.0.0.1:5555/callback');
  t.is(q.get('scope'), 'openid offline_access');
  t.is(q.get('code_challenge_method'), 'S256');
  t.is(q.get('code_challenge'), s256Challenge(session.codeVerifier));
  t.is(q.get('state'), session.state);
  t.is(q.get('nonce'), session.nonce!);
  t.regex(session.codeVerifier, /^[A-Za-z0-9_-]{43,128}$/);
  t.false(started.authorizationUrl.includes(session.codeVerifier));
  t.true(session.state.length >= 43, '>= 256 bits of state');
  t.is(JSON.parse(JSON.stringify(session)).codeVerifier, session.codeVerifier, 'the session is plain JSON');
  t.is(protocol.storageKey, `oauth2:${server.issuer}#${CLIENT_ID}`);

  // A second start: fresh state, nonce and verifier; discovery is cached.
  const again = (await protocol.start(ctx, { redirectUri: 'http://127.0.0.1:5555/callback' }))
    .session as OAuth2RedirectSession;
  t.not(again.state, session.state);
  t.not(again.codeVerifier, session.codeVerifier);
  t.not(again.nonce, session.nonce);
  t.is(ctx.http.requests.length, 1);
});

test('full browser login: sign in, consent, loopback redirect, code exchange, ID token checks, resource call; the code cannot be reused', async (t) => {
  const { server, browser } = t.context;
  const protocol = protocolFor(server);
  const ctx = realContext();
  const { started, params } = await browserLogin(browser, protocol, ctx, { login: 'alice' });
  t.is(params.state, started.session.state!);
  t.is(params.iss, server.issuer);

  const token = await protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params } });
  t.is(token.tokenType, 'Bearer');
  t.is(token.username, 'alice');
  t.truthy(token.refreshToken, 'offline_access granted a refresh token');
  t.true(token.expiresAt! > Date.now());
  const claims = decodePayload(token.idToken!);
  t.is(claims.iss, server.issuer);
  t.is(claims.aud, CLIENT_ID);
  t.is(claims.nonce, (started.session as OAuth2RedirectSession).nonce!);
  t.true(
    ctx.http.requests.some((r) => r.url === `${server.issuer}/jwks`),
    'the ID token signature was checked with the JWKS',
  );

  const tokenRequest = ctx.http.requests.find((r) => r.url === `${server.issuer}/token`)!;
  const form = new URLSearchParams(tokenRequest.body);
  t.is(form.get('grant_type'), 'authorization_code');
  t.is(form.get('code_verifier'), (started.session as OAuth2RedirectSession).codeVerifier);
  t.is(form.get('redirect_uri'), started.session.redirectUri as string);

  const me = await protocol.fetch(ctx, { token, request: { url: '/api/me' } });
  t.is(me.status, 200);
  t.is(JSON.parse(me.body).sub, 'alice');
  const call = ctx.http.requests.at(-1)!;
  t.is(call.headers!.authorization, `Bearer ${token.accessToken}`);

  // The same code a second time: refused (ERR_CODE_INVALID), and the error names no secret.
  const reuse = await t.throwsAsync(
    protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params } }),
    {
      instanceOf: AuthError,
    },
  );
  t.is(reuse!.code, 'ERR_CODE_INVALID');
  t.is(reuse!.providerCode, 'invalid_grant');
  t.is(reuse!.status, 400);
  const session = started.session as OAuth2RedirectSession;
  for (const secret of [params.code!, session.codeVerifier, token.accessToken, token.refreshToken!]) {
    t.false(reuse!.message.includes(secret));
    t.false(JSON.stringify(reuse!.toJSON()).includes(secret));
  }
});

test('cancel on the provider page: the callback says access_denied and exchange fails with ERR_DECLINED', async (t) => {
  const { server, browser } = t.context;
  const protocol = protocolFor(server);
  const ctx = realContext();
  const { started, params } = await browserLogin(browser, protocol, ctx, { cancel: true });
  t.is(params.error, 'access_denied');
  const error = await t.throwsAsync(
    protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params } }),
    {
      instanceOf: AuthError,
    },
  );
  t.is(error!.code, 'ERR_DECLINED');
  t.is(error!.providerCode, 'access_denied');
  t.false(error!.retryable);
  t.false(
    ctx.http.requests.some((r) => r.url.endsWith('/token')),
    'no token request after a refusal',
  );
});

test('a callback with another state is refused before any token request (ERR_STATE_MISMATCH)', async (t) => {
  const { server, browser } = t.context;
  const protocol = protocolFor(server);
  const ctx = realContext();
  const { started, params } = await browserLogin(browser, protocol, ctx);
  const forgeries: Array<Record<string, string>> = [{ ...params, state: 'attacker-state' }, { code: params.code! }];
  for (const forged of forgeries) {
    const error = await t.throwsAsync(
      protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params: forged } }),
      {
        instanceOf: AuthError,
      },
    );
    t.is(error!.code, 'ERR_STATE_MISMATCH');
    t.false(error!.message.includes(params.code!));
  }
  t.false(ctx.http.requests.some((r) => r.url.endsWith('/token')));
  // The genuine callback still works afterwards: the forged ones spent nothing.
  const token = await protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params } });
  t.truthy(token.accessToken);
});

test('an authorization response from another issuer, or lacking the promised iss, is refused', async (t) => {
  const { server } = t.context;
  const protocol = protocolFor(server);
  const ctx = realContext();
  const started = await protocol.start(ctx, { redirectUri: 'http://127.0.0.1:5555/callback' });
  const state = started.session.state!;
  const cases: Array<Record<string, string>> = [
    { code: 'c', state, iss: 'https://evil.example' },
    { code: 'c', state }, // oidc-provider announces authorization_response_iss_parameter_supported
    { error: 'access_denied', state, iss: 'https://evil.example' }, // errors are checked too
  ];
  for (const params of cases) {
    const error = await t.throwsAsync(
      protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params } }),
      {
        instanceOf: AuthError,
      },
    );
    t.is(error!.code, 'ERR_ISSUER_MISMATCH');
  }
  t.false(ctx.http.requests.some((r) => r.url.endsWith('/token')));
});
