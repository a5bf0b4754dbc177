/**
 * DPoP (RFC 9449) decisions against a scripted server: when a key is made (metadata, `dpop: true`,
 * `dpop: false`), which algorithm, what a proof says (htu without query and fragment, iat from the
 * clock, jti from the RandomSource, ath), the one nonce retry, the token types accepted, and the
 * stored form of a key.
 */
import test from 'ava';
import { decodeJwt, decodeProtectedHeader, jwtVerify, EmbeddedJWK } from 'jose';
import { AuthError } from '../../adapters/errors.js';
import { decodeTokenSet, encodeTokenSet } from '../../src/flow/token-codec.js';
import {
  accessTokenHash,
  chooseDpopAlg,
  createDpopProof,
  generateDpopKey,
  htuOf,
  isDpopKey,
} from '../../src/oauth2/dpop.js';
import { createOAuth2Protocol, type OAuth2DeviceSession, type OAuth2RedirectSession } from '../../src/oauth2/index.js';
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
const REDIRECT = 'http://127.0.0.1:1234/callback';
const DPOP_ALGS = { dpop_signing_alg_values_supported: ['ES256'] };

function setup(
  options: {
    discovery?: Record<string, unknown>;
    token?: Responder;
    resource?: Responder;
    dpop?: boolean | 'auto';
  } = {},
) {
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(200, discoveryDocument(options.discovery)),
    [`POST ${TOKEN_URL}`]:
      options.token ?? json(200, { access_token: 'AT', token_type: 'DPoP', expires_in: 60, refresh_token: 'RT' }),
    [`GET https://api.example.com/v1/me`]: options.resource ?? json(200, { ok: true }),
  });
  const ctx = scriptedContext(http, NOW);
  const protocol = createOAuth2Protocol({
    issuer: ISSUER,
    clientId: 'app',
    scope: 'read',
    ...(options.dpop === undefined ? {} : { dpop: options.dpop }),
  });
  return { http, ctx, protocol };
}

async function login(
  s: ReturnType<typeof setup>,
): Promise<{ session: OAuth2RedirectSession; url: URL; token: TokenSet }> {
  const started = await s.protocol.start(s.ctx, { redirectUri: REDIRECT });
  const session = started.session as OAuth2RedirectSession;
  const token = await s.protocol.exchange(s.ctx, {
    session,
    callback: { kind: 'redirect', params: { code: 'C', state: session.state, iss: ISSUER } },
  });
  return { session, url: new URL(started.authorizationUrl), token };
}

test('the metadata decides: a key (ES256) and dpop_jkt when it lists DPoP algorithms, none when it does not', async (t) => {
  const offered = await login(setup({ discovery: DPOP_ALGS }));
  t.is(offered.session.dpopKey?.alg, 'ES256');
  t.is(offered.token.tokenType, 'DPoP');
  t.deepEqual(offered.token.dpopKey, offered.session.dpopKey);
  t.regex(offered.url.searchParams.get('dpop_jkt') ?? '', /^[A-Za-z0-9_-]{43}$/);

  const plain = setup({ token: json(200, { access_token: 'AT', token_type: 'Bearer' }) });
  const bearer = await login(plain);
  t.is(bearer.session.dpopKey, undefined);
  t.is(bearer.token.dpopKey, undefined);
  t.is(bearer.url.searchParams.get('dpop_jkt'), null);
  t.is(plain.http.requests.find((r) => r.url === TOKEN_URL)!.headers?.['dpop'], undefined, 'no proof without DPoP');
});

test('dpop: true makes a key without metadata; dpop: false never does; the algorithm follows the server list', async (t) => {
  t.is((await login(setup({ dpop: true }))).session.dpopKey?.alg, 'ES256');
  const never = setup({
    dpop: false,
    discovery: DPOP_ALGS,
    token: json(200, { access_token: 'AT', token_type: 'Bearer' }),
  });
  t.is((await login(never)).session.dpopKey, undefined);
  t.is(never.http.requests.find((r) => r.url === TOKEN_URL)!.headers?.['dpop'], undefined);
  // A server that takes only EdDSA gets EdDSA; one that takes none of ours gets Bearer, unless DPoP was demanded.
  t.is(
    (await login(setup({ discovery: { dpop_signing_alg_values_supported: ['RS256', 'EdDSA'] } }))).session.dpopKey?.alg,
    'EdDSA',
  );
  const none = setup({
    discovery: { dpop_signing_alg_values_supported: ['RS256'] },
    token: json(200, { access_token: 'AT', token_type: 'Bearer' }),
  });
  t.is((await login(none)).session.dpopKey, undefined);
  const demanded = setup({ dpop: true, discovery: { dpop_signing_alg_values_supported: ['RS256'] } });
  const error = await t.throwsAsync(demanded.protocol.start(demanded.ctx, { redirectUri: REDIRECT }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_CONFIG');
  t.is(chooseDpopAlg(undefined), 'ES256');
  t.is(chooseDpopAlg(['EdDSA', 'ES256']), 'ES256');
  t.is(chooseDpopAlg(['RS256', 'Ed25519']), 'Ed25519', 'the fully-specified name of RFC 9864');
});

test('a proof: typ, alg, public jwk only, htm, htu without query and fragment, iat from the clock, jti from the RandomSource, ath', async (t) => {
  const s = setup({ discovery: DPOP_ALGS });
  const key = await generateDpopKey();
  const proof = await createDpopProof(
    key,
    { htm: 'PUT', url: 'https://api.example.com/v1/notes/7?draft=1#x', accessToken: 'AT-VALUE', nonce: 'n-1' },
    s.ctx,
  );
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
    typ: 'dpop+jwt',
    currentDate: new Date(NOW),
  });
  t.is(protectedHeader.alg, 'ES256');
  t.deepEqual(Object.keys(protectedHeader.jwk!).sort(), ['crv', 'kty', 'x', 'y']);
  t.like(payload, {
    htm: 'PUT',
    htu: 'https://api.example.com/v1/notes/7',
    iat: NOW / 1000,
    nonce: 'n-1',
    ath: accessTokenHash('AT-VALUE'),
  });
  t.is(
    accessTokenHash('AT-VALUE'),
    Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from('AT-VALUE'))).toString('base64url'),
  );
  const again = await createDpopProof(key, { htm: 'PUT', url: 'https://api.example.com/v1/notes/7' }, s.ctx);
  t.not(decodeJwt(again).jti, payload.jti, 'a fresh jti per proof');
  t.is(decodeJwt(again).ath, undefined);
  t.is(htuOf('https://API.example.com:443/a/b?c=d#e'), 'https://api.example.com/a/b');
  const ed = await generateDpopKey('EdDSA');
  t.is(decodeProtectedHeader(await createDpopProof(ed, { htm: 'GET', url: 'https://x.example/' }, s.ctx)).alg, 'EdDSA');
  const ed25519 = await generateDpopKey('Ed25519');
  const edProof = await createDpopProof(ed25519, { htm: 'GET', url: 'https://x.example/' }, s.ctx);
  t.is(decodeProtectedHeader(edProof).alg, 'Ed25519');
  t.is((await jwtVerify(edProof, EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(NOW) })).payload.htm, 'GET');
});

test('the token endpoint: a DPoP token needs a proof; a Bearer answer to a proof keeps the key for the bound refresh token', async (t) => {
  const refused = setup({ token: json(200, { access_token: 'AT', token_type: 'DPoP' }) });
  const error = await t.throwsAsync(login(refused), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
  t.regex(error!.message, /DPoP/);

  const downgraded = setup({
    discovery: DPOP_ALGS,
    token: json(200, { access_token: 'AT', token_type: 'Bearer', refresh_token: 'RT' }),
  });
  const { token } = await login(downgraded);
  t.is(token.tokenType, 'Bearer');
  t.truthy(token.dpopKey);
  await downgraded.protocol.refresh(downgraded.ctx, { token });
  t.truthy(downgraded.http.requests.at(-1)!.headers?.['dpop'], 'the refresh carries a proof');
  await downgraded.protocol.fetch(downgraded.ctx, { token, request: { url: 'https://api.example.com/v1/me' } });
  t.is(
    downgraded.http.requests.at(-1)!.headers?.['authorization'],
    'Bearer AT',
    'the access token is used as it was issued',
  );
  t.is(downgraded.http.requests.at(-1)!.headers?.['dpop'], undefined);
});

test('use_dpop_nonce from the token endpoint: one retry with the nonce and a new jti; a second challenge is an error', async (t) => {
  const challenge = json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'nonce-A' });
  const once = setup({
    discovery: DPOP_ALGS,
    token: [challenge, json(200, { access_token: 'AT', token_type: 'DPoP' })],
  });
  await login(once);
  const proofs = once.http.requests.filter((r) => r.url === TOKEN_URL).map((r) => decodeJwt(r.headers!['dpop']!));
  t.is(proofs.length, 2);
  t.is(proofs[0]!.nonce, undefined);
  t.is(proofs[1]!.nonce, 'nonce-A');
  t.not(proofs[0]!.jti, proofs[1]!.jti);

  const always = setup({
    discovery: DPOP_ALGS,
    token: (r) =>
      json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': `n-${r.headers!['dpop']!.length}-${Math.random()}` }),
  });
  const error = await t.throwsAsync(login(always), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_PROTOCOL');
  t.is(error!.providerCode, 'use_dpop_nonce');
  t.is(always.http.requests.filter((r) => r.url === TOKEN_URL).length, 2);
  // A challenge without a nonce to use is not retried.
  const bare = setup({ discovery: DPOP_ALGS, token: json(400, { error: 'use_dpop_nonce' }) });
  t.is((await t.throwsAsync(login(bare), { instanceOf: AuthError }))!.code, 'ERR_PROTOCOL');
  t.is(bare.http.requests.filter((r) => r.url === TOKEN_URL).length, 1);
});

test('the resource: Authorization DPoP with ath; the nonce challenge answered once; a caller cannot pass its own DPoP header', async (t) => {
  const challenge = {
    status: 401,
    headers: {
      'www-authenticate':
        'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
      'dpop-nonce': 'rs-nonce',
    },
    body: '',
  };
  const s = setup({ discovery: DPOP_ALGS, resource: [challenge, json(200, { ok: true })] });
  const { token } = await login(s);
  const response = await s.protocol.fetch(s.ctx, {
    token,
    request: { url: 'https://api.example.com/v1/me', headers: { DPoP: 'forged', Authorization: 'Bearer x' } },
  });
  t.is(response.status, 200);
  const calls = s.http.requests.filter((r) => r.url === 'https://api.example.com/v1/me');
  t.is(calls.length, 2);
  t.is(calls[1]!.headers!['authorization'], 'DPoP AT');
  t.false(Object.keys(calls[1]!.headers!).includes('DPoP'));
  t.like(decodeJwt(calls[1]!.headers!['dpop']!), {
    htm: 'GET',
    htu: 'https://api.example.com/v1/me',
    nonce: 'rs-nonce',
    ath: accessTokenHash('AT'),
  });
  // An ordinary 401 is a dead token, whatever the scheme.
  const dead = setup({
    discovery: DPOP_ALGS,
    resource: { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_token"' }, body: '' },
  });
  const { token: t2 } = await login(dead);
  const error = await t.throwsAsync(
    dead.protocol.fetch(dead.ctx, { token: t2, request: { url: 'https://api.example.com/v1/me' } }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_TOKEN_INVALID');
  t.is(dead.http.requests.filter((r) => r.url === 'https://api.example.com/v1/me').length, 1);
});

test('the device grant: polls carry a proof with the key made at start', async (t) => {
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(
      200,
      discoveryDocument({ ...DPOP_ALGS, device_authorization_endpoint: `${ISSUER}/device` }),
    ),
    [`POST ${ISSUER}/device`]: json(200, {
      device_code: 'DC',
      user_code: 'U',
      verification_uri: `${ISSUER}/activate`,
      expires_in: 60,
    }),
    [`POST ${TOKEN_URL}`]: [
      json(400, { error: 'authorization_pending' }),
      json(200, { access_token: 'AT', token_type: 'DPoP' }),
    ],
  });
  const ctx = scriptedContext(http, NOW);
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read', mode: 'device' });
  const started = await protocol.start(ctx, { redirectUri: null });
  const session = started.session as OAuth2DeviceSession;
  t.is(session.dpopKey?.alg, 'ES256');
  t.deepEqual(await protocol.pollDevice(ctx, { session }), { status: 'pending' });
  const approved = await protocol.pollDevice(ctx, { session });
  t.is(approved.status, 'approved');
  t.deepEqual(approved.status === 'approved' ? approved.token.dpopKey : null, session.dpopKey);
  const polls = http.requests.filter((r) => r.url === TOKEN_URL);
  t.true(polls.every((r) => decodeJwt(r.headers!['dpop']!).htu === TOKEN_URL));
  t.is(
    http.requests.find((r) => r.url === `${ISSUER}/device`)!.headers?.['dpop'],
    undefined,
    'RFC 9449 puts no proof on the device authorization request',
  );
});

test('the stored form: the key round-trips; a DPoP token without a usable key is an unreadable entry', async (t) => {
  const key = await generateDpopKey();
  t.true(isDpopKey(key));
  const token: TokenSet = { accessToken: 'AT', tokenType: 'DPoP', dpopKey: key, refreshToken: 'RT' };
  t.deepEqual(decodeTokenSet(encodeTokenSet(token), 'memory'), token);
  const { dpopKey: _key, ...keyless } = token;
  for (const broken of [
    keyless,
    { ...token, dpopKey: { alg: 'ES256' } },
    { ...token, dpopKey: { alg: 'HS256', privateJwk: key.privateJwk } },
    { ...token, dpopKey: { ...key, privateJwk: { ...key.privateJwk, d: 7 } } },
  ]) {
    const error = t.throws(() => decodeTokenSet(JSON.stringify({ v: 1, token: broken }), 'memory'), {
      instanceOf: AuthError,
    });
    t.is(error!.code, 'ERR_STORAGE');
    t.false(error!.message.includes(key.privateJwk['d']!));
  }
  // A Bearer token without a key is what older entries and non-DPoP servers hold.
  t.is(decodeTokenSet(encodeTokenSet({ accessToken: 'AT', tokenType: 'Bearer' }), 'memory').tokenType, 'Bearer');
});

const ME = 'https://api.example.com/v1/me';
const proofsTo = (http: ReturnType<typeof setup>['http'], url: string) =>
  http.requests.filter((r) => r.url === url).map((r) => decodeJwt(r.headers!['dpop']!));

test('a DPoP-Nonce on a successful answer is kept for the next proof to that server, and only that server', async (t) => {
  const tokens = (nonce: string) =>
    json(200, { access_token: 'AT', token_type: 'DPoP', refresh_token: 'RT' }, { 'dpop-nonce': nonce });
  const s = setup({
    discovery: DPOP_ALGS,
    token: [tokens('as-1'), tokens('as-2'), tokens('as-3')],
    resource: [json(200, { ok: true }, { 'dpop-nonce': 'rs-1' }), json(200, { ok: true })],
  });
  const { token } = await login(s);
  await s.protocol.refresh(s.ctx, { token });
  await s.protocol.refresh(s.ctx, { token });
  // Each refresh's only proof carries the nonce of the answer before it: no challenge was needed.
  t.deepEqual(
    proofsTo(s.http, TOKEN_URL).map((p) => p.nonce),
    [undefined, 'as-1', 'as-2'],
  );
  await s.protocol.fetch(s.ctx, { token, request: { url: ME } });
  await s.protocol.fetch(s.ctx, { token, request: { url: ME } });
  await s.protocol.fetch(s.ctx, { token, request: { url: ME } });
  // The resource server's first proof has none of the authorization server's nonces.
  t.deepEqual(
    proofsTo(s.http, ME).map((p) => p.nonce),
    [undefined, 'rs-1', 'rs-1'],
  );
  t.is(s.http.requests.filter((r) => r.url === ME).length, 3, 'no retries');
});

test('the resource server challenging again: one retry only, then ERR_PROTOCOL; a challenge with no new nonce is not retried', async (t) => {
  const challenge = (nonce?: string) => ({
    status: 401,
    headers: {
      'www-authenticate': 'DPoP error="use_dpop_nonce"',
      ...(nonce === undefined ? {} : { 'dpop-nonce': nonce }),
    },
    body: '',
  });
  let n = 0;
  for (const [what, resource, sent] of [
    ['a new nonce every time', () => challenge(`rs-${++n}`), 2],
    ['the same nonce again', challenge('rs-same'), 2],
    ['no nonce at all', challenge(), 1],
    ['a malformed nonce', challenge('bad "nonce"'), 1],
  ] as const) {
    const s = setup({ discovery: DPOP_ALGS, resource });
    const { token } = await login(s);
    const error = await t.throwsAsync(s.protocol.fetch(s.ctx, { token, request: { url: ME } }), {
      instanceOf: AuthError,
    });
    t.is(error!.code, 'ERR_PROTOCOL', what);
    t.is(error!.providerCode, 'use_dpop_nonce', what);
    t.is(s.http.requests.filter((r) => r.url === ME).length, sent, what);
  }
});

test('htu: the target URI without query, fragment and userinfo, with scheme and host in lower case and no default port', async (t) => {
  for (const [url, htu] of [
    ['HTTPS://API.Example.COM:443/v1/Me?x=1#f', 'https://api.example.com/v1/Me'],
    ['http://127.0.0.1:80/cb', 'http://127.0.0.1/cb'],
    ['https://api.example.com:8443', 'https://api.example.com:8443/'],
    ['https://user:pa55word@api.example.com/p', 'https://api.example.com/p'],
    ['http://[::1]:8080/a%20b?', 'http://[::1]:8080/a%20b'],
  ] as const) {
    t.is(htuOf(url), htu, url);
  }
  const s = setup();
  const proof = await createDpopProof(
    await generateDpopKey(),
    { htm: 'GET', url: 'https://user:pa55word@API.example.com:443/p?q#f' },
    s.ctx,
  );
  t.is(decodeJwt(proof).htu, 'https://api.example.com/p');
  t.false(proof.includes('pa55word') || Buffer.from(proof.split('.')[1]!, 'base64url').toString().includes('pa55word'));
});

test('token_type DPoP is refused without a proof key on every grant: code, refresh and device', async (t) => {
  const bearerThenDpop = setup({
    token: [
      json(200, { access_token: 'AT', token_type: 'Bearer', refresh_token: 'RT' }),
      json(200, { access_token: 'AT2', token_type: 'DPoP', refresh_token: 'RT2' }),
    ],
  });
  const { token } = await login(bearerThenDpop);
  t.is(token.dpopKey, undefined);
  const refresh = await t.throwsAsync(bearerThenDpop.protocol.refresh(bearerThenDpop.ctx, { token }), {
    instanceOf: AuthError,
  });
  t.is(refresh!.code, 'ERR_BAD_RESPONSE');

  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(
      200,
      discoveryDocument({ device_authorization_endpoint: `${ISSUER}/device` }),
    ),
    [`POST ${ISSUER}/device`]: json(200, {
      device_code: 'DC',
      user_code: 'U',
      verification_uri: `${ISSUER}/activate`,
      expires_in: 60,
    }),
    [`POST ${TOKEN_URL}`]: json(200, { access_token: 'AT', token_type: 'dpop' }),
  });
  const ctx = scriptedContext(http, NOW);
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read', mode: 'device' });
  const started = await protocol.start(ctx, { redirectUri: null });
  t.is(started.session['dpopKey'], undefined);
  const device = await t.throwsAsync(protocol.pollDevice(ctx, { session: started.session as OAuth2DeviceSession }), {
    instanceOf: AuthError,
  });
  t.is(device!.code, 'ERR_BAD_RESPONSE');
  t.is(http.requests.find((r) => r.url === TOKEN_URL)!.headers?.['dpop'], undefined);
});

test('a new login without a refresh token does not keep a stored one bound to another DPoP key', async (t) => {
  const { protocol } = setup();
  const idToken = fakeJwt({ iss: ISSUER, sub: 'alice' });
  const [a, b] = [await generateDpopKey(), await generateDpopKey()];
  const stored = (dpopKey?: typeof a): TokenSet => ({
    accessToken: 'AT-old',
    refreshToken: 'RT-old',
    idToken,
    tokenType: dpopKey ? 'DPoP' : 'Bearer',
    ...(dpopKey ? { dpopKey } : {}),
  });
  const fresh = (dpopKey?: typeof a): TokenSet => ({
    accessToken: 'AT-new',
    idToken,
    tokenType: dpopKey ? 'DPoP' : 'Bearer',
    ...(dpopKey ? { dpopKey } : {}),
  });
  const keep = protocol.keepFromStored!;
  // The old refresh token is bound to key a: useless with the new login's key b, or with none.
  t.is(keep(fresh(b), stored(a)).refreshToken, undefined);
  t.deepEqual(keep(fresh(b), stored(a)).dpopKey, b);
  t.is(keep(fresh(), stored(a)).refreshToken, undefined);
  // Same key (a copy of it), or an unbound stored refresh token: kept as before (Google's one-time refresh token).
  t.is(keep(fresh({ ...a, privateJwk: { ...a.privateJwk } }), stored(a)).refreshToken, 'RT-old');
  t.is(keep(fresh(b), stored()).refreshToken, 'RT-old');
  t.is(keep(fresh(), stored()).refreshToken, 'RT-old');
});
