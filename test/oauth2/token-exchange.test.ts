/**
 * exchange() and refresh() against a scripted server: callback checks, error mapping, strict
 * token parsing, ID token claims, and that no secret ever reaches an error.
 */
import test from 'ava';
import type { HttpResponse } from '../../adapters/contracts.js';
import { AuthError, type AuthErrorCode } from '../../adapters/errors.js';
import { createOAuth2Protocol, type OAuth2RedirectSession } from '../../src/oauth2/index.js';
import { s256Challenge } from '../../src/oauth2/pkce.js';
import type { TokenSet } from '../../src/protocol.js';
import {
  discoveryDocument,
  fakeJwt,
  ISSUER,
  json,
  scriptedContext,
  scriptedHttp,
  type Responder,
} from '../helpers/scripted-http.js';

const TOKEN_URL = `${ISSUER}/token`;
const NOW = 1_700_000_000_000;
const SECRETS = ['CLIENT-SECRET-VALUE', 'AUTH-CODE-VALUE', 'ACCESS-TOKEN-VALUE', 'REFRESH-TOKEN-VALUE'];

function setup(tokenResponder: Responder, extraDiscovery: Record<string, unknown> = {}) {
  const http = scriptedHttp({
    // This server takes the secret in the form only (client-auth.test.ts covers the choice).
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(
      200,
      discoveryDocument({ token_endpoint_auth_methods_supported: ['client_secret_post'], ...extraDiscovery }),
    ),
    [`POST ${TOKEN_URL}`]: tokenResponder,
  });
  const ctx = scriptedContext(http, NOW);
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', clientSecret: 'CLIENT-SECRET-VALUE' });
  return { http, ctx, protocol };
}

async function started(s: ReturnType<typeof setup>) {
  const result = await s.protocol.start(s.ctx, { redirectUri: 'http://127.0.0.1:1234/callback' });
  return result.session as OAuth2RedirectSession;
}

function idToken(session: OAuth2RedirectSession, claims: Record<string, unknown> = {}): string {
  return fakeJwt({
    iss: ISSUER,
    sub: 'u1',
    aud: 'app',
    exp: NOW / 1000 + 300,
    iat: NOW / 1000,
    nonce: session.nonce,
    ...claims,
  });
}

function assertNoSecrets(
  t: import('ava').ExecutionContext,
  error: AuthError | undefined,
  session?: OAuth2RedirectSession,
) {
  const text = `${error?.message} ${JSON.stringify(error?.toJSON())} ${error?.stack}`;
  for (const secret of [...SECRETS, ...(session ? [session.codeVerifier] : [])])
    t.false(text.includes(secret), 'secret in error');
}

test('the start session and URL: deterministic from the RandomSource, S256 of the verifier, no verifier in the URL', async (t) => {
  t.is(
    s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    'RFC 7636 appendix B',
  );
  const s = setup(json(500, {}));
  const session = await started(s);
  t.is(session.codeVerifier.length, 43);
  t.is(session.issuer, ISSUER);
  t.true(session.requireIss);
  const again = await started(setup(json(500, {})));
  t.is(again.codeVerifier, session.codeVerifier, 'same seed, same values: randomness comes only from the RandomSource');
  t.not(session.state, session.codeVerifier);
  t.not(session.nonce, session.state);
});

test('exchange posts the code, verifier, redirect_uri and client credentials (client_secret_post)', async (t) => {
  let session!: OAuth2RedirectSession;
  const s = setup(() =>
    json(200, {
      access_token: 'ACCESS-TOKEN-VALUE',
      token_type: 'bEaReR',
      expires_in: 3600,
      refresh_token: 'REFRESH-TOKEN-VALUE',
      scope: 'openid',
      id_token: idToken(session, { preferred_username: 'ann' }),
    }),
  );
  session = await started(s);
  const token = await s.protocol.exchange(s.ctx, {
    session,
    callback: { kind: 'redirect', params: { code: 'AUTH-CODE-VALUE', state: session.state, iss: ISSUER } },
  });
  t.like(token, {
    accessToken: 'ACCESS-TOKEN-VALUE',
    tokenType: 'Bearer',
    expiresAt: NOW + 3_600_000,
    refreshToken: 'REFRESH-TOKEN-VALUE',
    scope: 'openid',
    username: 'ann',
  });
  const form = s.http.formSentTo(TOKEN_URL);
  t.deepEqual(Object.fromEntries(form), {
    grant_type: 'authorization_code',
    code: 'AUTH-CODE-VALUE',
    redirect_uri: 'http://127.0.0.1:1234/callback',
    code_verifier: session.codeVerifier,
    client_id: 'app',
    client_secret: 'CLIENT-SECRET-VALUE',
  });
  t.is(s.http.requests.at(-1)!.headers!['content-type'], 'application/x-www-form-urlencoded');
});

test('a public client sends no client_secret', async (t) => {
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(200, discoveryDocument()),
    [`POST ${TOKEN_URL}`]: json(200, { access_token: 'A', token_type: 'Bearer' }),
  });
  const ctx = scriptedContext(http, NOW);
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read' });
  const { session } = await protocol.start(ctx, { redirectUri: 'http://127.0.0.1:1/callback' });
  await protocol.exchange(ctx, {
    session,
    callback: { kind: 'redirect', params: { code: 'c', state: session.state!, iss: ISSUER } },
  });
  t.false(http.formSentTo(TOKEN_URL).has('client_secret'));
  t.is(http.formSentTo(TOKEN_URL).get('client_id'), 'app');
});

test('authorization error responses map to AuthError codes and keep the provider code', async (t) => {
  const cases: Array<[string, AuthErrorCode, boolean]> = [
    ['access_denied', 'ERR_DECLINED', false],
    ['invalid_client', 'ERR_INVALID_CLIENT', false],
    ['unauthorized_client', 'ERR_INVALID_CLIENT', false],
    ['temporarily_unavailable', 'ERR_SERVER', true],
    ['server_error', 'ERR_SERVER', false],
    ['invalid_scope', 'ERR_PROTOCOL', false],
    // The person did not or could not consent or sign in (OIDC Core 3.1.2.6): a decline.
    ['login_required', 'ERR_DECLINED', false],
    ['consent_required', 'ERR_DECLINED', false],
    ['interaction_required', 'ERR_DECLINED', false],
  ];
  const s = setup(json(500, {}));
  const session = await started(s);
  for (const [error, code, retryable] of cases) {
    const thrown = await t.throwsAsync(
      s.protocol.exchange(s.ctx, {
        session,
        callback: {
          kind: 'redirect',
          params: { error, error_description: 'AUTH-CODE-VALUE', state: session.state, iss: ISSUER },
        },
      }),
      { instanceOf: AuthError },
    );
    t.is(thrown!.code, code, error);
    t.is(thrown!.providerCode, error);
    t.is(thrown!.retryable, retryable, error);
    assertNoSecrets(t, thrown, session);
  }
  const junk = await t.throwsAsync(
    s.protocol.exchange(s.ctx, {
      session,
      callback: { kind: 'redirect', params: { error: '<script>"x"</script>', state: session.state, iss: ISSUER } },
    }),
    { instanceOf: AuthError },
  );
  t.is(junk!.code, 'ERR_PROTOCOL');
  t.false(junk!.message.includes('<script>'), 'a malformed provider code is not echoed');
  t.is(s.http.requests.filter((r) => r.url === TOKEN_URL).length, 0);
});

test('callback shapes that carry no usable code are refused', async (t) => {
  const s = setup(json(500, {}));
  const session = await started(s);
  const confirmed = await t.throwsAsync(s.protocol.exchange(s.ctx, { session, callback: { kind: 'confirmed' } }), {
    instanceOf: AuthError,
  });
  t.is(confirmed!.code, 'ERR_CONFIG');
  const empty = await t.throwsAsync(
    s.protocol.exchange(s.ctx, {
      session,
      callback: { kind: 'redirect', params: { state: session.state, iss: ISSUER } },
    }),
    { instanceOf: AuthError },
  );
  t.is(empty!.code, 'ERR_BAD_RESPONSE');
  const notASession = await t.throwsAsync(
    s.protocol.exchange(s.ctx, {
      session: { state: 'x' },
      callback: { kind: 'redirect', params: { code: 'c', state: 'x' } },
    }),
    { instanceOf: AuthError },
  );
  t.is(notASession!.code, 'ERR_CONFIG');
});

test('iss: checked whenever present; required only when the server announces RFC 9207 support', async (t) => {
  const s = setup(json(200, { access_token: 'A', token_type: 'Bearer' }), {
    authorization_response_iss_parameter_supported: undefined,
  });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read' });
  const { session } = await protocol.start(s.ctx, { redirectUri: 'http://127.0.0.1:1/callback' });
  const wrong = await t.throwsAsync(
    protocol.exchange(s.ctx, {
      session,
      callback: { kind: 'redirect', params: { code: 'c', state: session.state!, iss: 'https://as.example.com/' } },
    }),
    {
      instanceOf: AuthError,
    },
  );
  t.is(wrong!.code, 'ERR_ISSUER_MISMATCH');
  t.true(wrong!.message.includes(`expected "${ISSUER}", got "https://as.example.com/"`), wrong!.message);
  const token = await protocol.exchange(s.ctx, {
    session,
    callback: { kind: 'redirect', params: { code: 'c', state: session.state! } },
  });
  t.is(token.accessToken, 'A', 'no iss and none promised: accepted');
});

const tokenErrorCases: Array<[string, HttpResponse, AuthErrorCode, boolean, number?]> = [
  [
    'invalid_grant',
    json(400, { error: 'invalid_grant', error_description: 'grant request is invalid' }),
    'ERR_CODE_INVALID',
    false,
  ],
  ['invalid_client', json(401, { error: 'invalid_client' }), 'ERR_INVALID_CLIENT', false],
  ['invalid_request', json(400, { error: 'invalid_request' }), 'ERR_INVALID_REQUEST', false],
  ['unsupported_grant_type', json(400, { error: 'unsupported_grant_type' }), 'ERR_PROTOCOL', false],
  ['500 HTML', { status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>oops</h1>' }, 'ERR_SERVER', true],
  [
    '503 temporarily_unavailable',
    json(503, { error: 'temporarily_unavailable' }, { 'retry-after': '2' }),
    'ERR_SERVER',
    true,
    2000,
  ],
  [
    '429 with an HTTP date',
    json(429, { error: 'slow' }, { 'retry-after': new Date(NOW + 30_000).toUTCString() }),
    'ERR_RATE_LIMITED',
    true,
    30_000,
  ],
  [
    '200 with HTML',
    { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' },
    'ERR_BAD_RESPONSE',
    false,
  ],
  ['200 JSON array', json(200, ['ACCESS-TOKEN-VALUE']), 'ERR_BAD_RESPONSE', false],
  ['no access_token', json(200, { token_type: 'Bearer' }), 'ERR_BAD_RESPONSE', false],
  ['numeric access_token', json(200, { access_token: 12345, token_type: 'Bearer' }), 'ERR_BAD_RESPONSE', false],
  ['no token_type', json(200, { access_token: 'ACCESS-TOKEN-VALUE' }), 'ERR_BAD_RESPONSE', false],
  ['DPoP token_type', json(200, { access_token: 'ACCESS-TOKEN-VALUE', token_type: 'DPoP' }), 'ERR_BAD_RESPONSE', false],
  [
    'string expires_in',
    json(200, { access_token: 'ACCESS-TOKEN-VALUE', token_type: 'Bearer', expires_in: '3600' }),
    'ERR_BAD_RESPONSE',
    false,
  ],
  [
    'negative expires_in',
    json(200, { access_token: 'ACCESS-TOKEN-VALUE', token_type: 'Bearer', expires_in: -1 }),
    'ERR_BAD_RESPONSE',
    false,
  ],
  [
    'numeric refresh_token',
    json(200, { access_token: 'ACCESS-TOKEN-VALUE', token_type: 'Bearer', refresh_token: 7 }),
    'ERR_BAD_RESPONSE',
    false,
  ],
  ['400 without OAuth error', { status: 400, headers: {}, body: 'REFRESH-TOKEN-VALUE' }, 'ERR_BAD_RESPONSE', false],
];

for (const [name, response, code, retryable, retryAfterMs] of tokenErrorCases) {
  test(`token endpoint answer "${name}" -> ${code}`, async (t) => {
    const s = setup(response);
    const session = await started(s);
    const error = await t.throwsAsync(
      s.protocol.exchange(s.ctx, {
        session,
        callback: { kind: 'redirect', params: { code: 'AUTH-CODE-VALUE', state: session.state, iss: ISSUER } },
      }),
      { instanceOf: AuthError },
    );
    t.is(error!.code, code);
    t.is(error!.retryable, retryable);
    if (retryAfterMs !== undefined) t.is(error!.retryAfterMs, retryAfterMs);
    assertNoSecrets(t, error, session);
  });
}

test('ID token checks: issuer, audience, azp, expiry, nonce, alg none, and its presence for OIDC', async (t) => {
  const cases: Array<[string, (s: OAuth2RedirectSession) => string | undefined]> = [
    ['other issuer', (s) => idToken(s, { iss: 'https://evil.example' })],
    ['other audience', (s) => idToken(s, { aud: 'other-app' })],
    ['azp of another party', (s) => idToken(s, { aud: ['app', 'api'], azp: 'api' })],
    ['expired', (s) => idToken(s, { exp: NOW / 1000 - 120 })],
    ['no iat', (s) => idToken(s, { iat: undefined })],
    ['nonce replayed from another login', (s) => idToken(s, { nonce: 'some-other-nonce' })],
    [
      'alg none',
      (s) =>
        fakeJwt({ iss: ISSUER, sub: 'u', aud: 'app', exp: NOW / 1000 + 60, iat: NOW / 1000, nonce: s.nonce }, 'none'),
    ],
    ['not a JWT', () => 'abc.def'],
    ['missing', () => undefined],
  ];
  for (const [name, make] of cases) {
    let session!: OAuth2RedirectSession;
    const s = setup(() =>
      json(200, { access_token: 'ACCESS-TOKEN-VALUE', token_type: 'Bearer', id_token: make(session) }),
    );
    session = await started(s);
    const error = await t.throwsAsync(
      s.protocol.exchange(s.ctx, {
        session,
        callback: { kind: 'redirect', params: { code: 'AUTH-CODE-VALUE', state: session.state, iss: ISSUER } },
      }),
      { instanceOf: AuthError },
    );
    t.is(error!.code, 'ERR_BAD_RESPONSE', name);
    assertNoSecrets(t, error, session);
  }
});

// ---- refresh -----------------------------------------------------------------------------

const OLD: TokenSet = {
  accessToken: 'OLD-ACCESS',
  refreshToken: 'REFRESH-TOKEN-VALUE',
  tokenType: 'Bearer',
  scope: 'openid read',
  username: 'ann',
};

test('refresh keeps the old refresh token when the server does not rotate it', async (t) => {
  const s = setup(json(200, { access_token: 'NEW-ACCESS', token_type: 'Bearer', expires_in: 60 }));
  const fresh = await s.protocol.refresh(s.ctx, { token: OLD });
  t.deepEqual(fresh, {
    accessToken: 'NEW-ACCESS',
    tokenType: 'Bearer',
    expiresAt: NOW + 60_000,
    refreshToken: 'REFRESH-TOKEN-VALUE',
    scope: 'openid read',
    username: 'ann',
  });
  t.deepEqual(Object.fromEntries(s.http.formSentTo(TOKEN_URL)), {
    grant_type: 'refresh_token',
    refresh_token: 'REFRESH-TOKEN-VALUE',
    client_id: 'app',
    client_secret: 'CLIENT-SECRET-VALUE',
  });
});

test('refresh takes a rotated refresh token', async (t) => {
  const s = setup(json(200, { access_token: 'NEW-ACCESS', token_type: 'Bearer', refresh_token: 'ROTATED' }));
  t.is((await s.protocol.refresh(s.ctx, { token: OLD })).refreshToken, 'ROTATED');
});

test('refresh: invalid_grant and a missing refresh token mean a new login (ERR_TOKEN_INVALID); 5xx is retryable', async (t) => {
  const dead = setup(json(400, { error: 'invalid_grant' }));
  const error = await t.throwsAsync(dead.protocol.refresh(dead.ctx, { token: OLD }), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_TOKEN_INVALID');
  assertNoSecrets(t, error);
  const none = await t.throwsAsync(dead.protocol.refresh(dead.ctx, { token: { accessToken: 'ACCESS-TOKEN-VALUE' } }), {
    instanceOf: AuthError,
  });
  t.is(none!.code, 'ERR_TOKEN_INVALID');
  const down = setup(json(502, {}));
  const outage = await t.throwsAsync(down.protocol.refresh(down.ctx, { token: OLD }), { instanceOf: AuthError });
  t.is(outage!.code, 'ERR_SERVER');
  t.true(outage!.retryable);
});

test('a refreshed ID token must be for the same user', async (t) => {
  const first = fakeJwt({ iss: ISSUER, sub: 'u1', aud: 'app', exp: NOW / 1000 + 300, iat: NOW / 1000 });
  const other = fakeJwt({ iss: ISSUER, sub: 'u2', aud: 'app', exp: NOW / 1000 + 300, iat: NOW / 1000 });
  const s = setup(json(200, { access_token: 'NEW', token_type: 'Bearer', id_token: other }));
  const error = await t.throwsAsync(s.protocol.refresh(s.ctx, { token: { ...OLD, idToken: first } }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
  const same = setup(json(200, { access_token: 'NEW', token_type: 'Bearer', id_token: first }));
  t.is((await same.protocol.refresh(same.ctx, { token: { ...OLD, idToken: first } })).idToken, first);
});
