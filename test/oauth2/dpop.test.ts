/**
 * DPoP (RFC 9449) against the real oidc-provider with DPoP required for the client
 * (dpop_bound_access_tokens) and server nonces demanded on PAR and the token endpoint, and a
 * loopback resource server of our own that introspects each token and checks the proof (signature
 * by the header's key, htm, htu, iat, jti replay, ath, cnf.jkt, its own nonce). Login (PAR + code,
 * and the device grant), call, refresh, the nonce challenges on both servers, and a copied token
 * without the key.
 */
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { AuthError } from '../../adapters/errors.js';
import type { HttpRequest } from '../../adapters/contracts.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { createDpopProof, dpopThumbprint, generateDpopKey, accessTokenHash } from '../../src/oauth2/dpop.js';
import { startDpopResourceServer, type DpopResourceServer } from '../helpers/dpop-resource.js';
import { browserLogin, loginForTokens, realContext } from '../helpers/oauth2-flow.js';
import { enterDeviceCode, isolatedContext } from '../helpers/oidc-browser.js';
import { CLIENT_ID, RESOURCE_SERVER_CLIENT } from '../helpers/oidc-server.js';
import { oidcSuite } from '../helpers/oidc-suite.js';
import { cryptoRandom, systemClock } from '../../adapters/system-clock.js';

const test = oidcSuite({ par: true, dpop: { required: true, nonce: true } });

async function resourceServer(introspectionEndpoint: string): Promise<DpopResourceServer> {
  return startDpopResourceServer({ introspectionEndpoint, ...RESOURCE_SERVER_CLIENT, requireNonce: true });
}

const proofOf = (request: HttpRequest) => request.headers?.['dpop'];

/** What introspection says about a token (the resource server's own view). */
async function introspect(endpoint: string, token: string): Promise<Record<string, unknown>> {
  const basic = Buffer.from(`${RESOURCE_SERVER_CLIENT.clientId}:${RESOURCE_SERVER_CLIENT.clientSecret}`).toString(
    'base64',
  );
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  return (await response.json()) as Record<string, unknown>;
}

test('login with PAR, call and refresh: every AS and RS request carries a fresh proof; both nonce challenges are answered once', async (t) => {
  const { server, browser } = t.context;
  const rs = await resourceServer(server.introspectionEndpoint);
  t.teardown(() => rs.close());
  const protocol = createOAuth2Protocol({ issuer: server.issuer, clientId: CLIENT_ID, resource: rs.origin });
  const ctx = realContext();
  const loginStarted = Math.floor(Date.now() / 1000);

  const { started, params } = await browserLogin(browser, protocol, ctx, { login: 'dpop-alice' });
  const key = (started.session as { dpopKey?: { alg: string } }).dpopKey;
  t.is(key?.alg, 'ES256', 'ES256 by default: the server lists it');
  const jkt = await dpopThumbprint(started.session['dpopKey'] as never);
  const token = await protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params } });
  t.is(token.tokenType, 'DPoP');
  t.deepEqual(token.dpopKey, started.session['dpopKey']);

  // PAR: the first proof had no nonce and was challenged; the retry carried the server's nonce.
  const par = ctx.http.requests.filter((r) => r.url === `${server.issuer}/request`);
  t.is(par.length, 2, 'PAR: challenged once, retried once');
  t.is(decodeJwt(proofOf(par[0]!)!).nonce, undefined);
  t.is(typeof decodeJwt(proofOf(par[1]!)!).nonce, 'string');
  t.is(new URLSearchParams(par[1]!.body).get('dpop_jkt'), jkt);
  const tokenRequests = ctx.http.requests.filter((r) => r.url === `${server.issuer}/token`);
  t.true(tokenRequests.length >= 1 && tokenRequests.length <= 2);
  for (const request of [...par, ...tokenRequests]) {
    const header = decodeProtectedHeader(proofOf(request)!);
    const claims = decodeJwt(proofOf(request)!);
    t.is(header.typ, 'dpop+jwt');
    t.is(header.alg, 'ES256');
    t.false('d' in (header.jwk as object), 'the private key never goes into a proof');
    t.is(claims.htm, 'POST');
    t.is(claims.htu, request.url);
    t.true(
      (claims.iat as number) >= loginStarted && (claims.iat as number) <= Date.now() / 1000,
      'iat is the time of the request',
    );
    t.is(claims.ath, undefined, 'no ath towards the authorization server');
  }
  const jtis = [...par, ...tokenRequests].map((r) => decodeJwt(proofOf(r)!).jti);
  t.is(new Set(jtis).size, jtis.length, 'a fresh jti for every proof, retries included');

  // The issued token is bound to this login's key.
  const info = await introspect(server.introspectionEndpoint, token.accessToken);
  t.is(info['active'], true);
  t.deepEqual(info['cnf'], { jkt });

  // The resource server challenges the first proof for its nonce; the one retry succeeds.
  const before = ctx.http.requests.length;
  const me = await protocol.fetch(ctx, { token, request: { url: '/api/me?verbose=1#top' } });
  t.is(me.status, 200);
  t.is(JSON.parse(me.body).sub, 'dpop-alice');
  const calls = ctx.http.requests.slice(before);
  t.is(calls.length, 2);
  t.is(calls[1]!.headers?.['authorization'], `DPoP ${token.accessToken}`);
  const proof = decodeJwt(proofOf(calls[1]!)!);
  t.is(proof.htu, `${rs.origin}/api/me`, 'htu without query and fragment');
  t.is(proof.htm, 'GET');
  t.is(proof.ath, accessTokenHash(token.accessToken));
  t.deepEqual(
    rs.verdicts.map((v) => v.reason),
    ['nonce missing or stale', 'dpop'],
  );

  // A known nonce is reused (no challenge); a rotated one costs exactly one retry again.
  t.is((await protocol.fetch(ctx, { token, request: { url: '/api/me' } })).status, 200);
  rs.rotateNonce();
  t.is((await protocol.fetch(ctx, { token, request: { url: '/api/me' } })).status, 200);
  t.deepEqual(
    rs.verdicts.slice(2).map((v) => v.reason),
    ['dpop', 'nonce missing or stale', 'dpop'],
  );

  // Refresh: proof with the same key; the new tokens are bound to it too.
  const refreshed = await protocol.refresh(ctx, { token });
  t.is(refreshed.tokenType, 'DPoP');
  t.deepEqual(refreshed.dpopKey, token.dpopKey);
  t.not(refreshed.accessToken, token.accessToken);
  t.deepEqual((await introspect(server.introspectionEndpoint, refreshed.accessToken))['cnf'], { jkt });
  const refreshRequest = ctx.http.requests.filter((r) => r.url === `${server.issuer}/token`).at(-1)!;
  t.is(new URLSearchParams(refreshRequest.body).get('grant_type'), 'refresh_token');
  t.truthy(proofOf(refreshRequest));
  t.is((await protocol.fetch(ctx, { token: refreshed, request: { url: '/api/me' } })).status, 200);

  // The refresh token without its key is refused by the authorization server.
  const other = await generateDpopKey();
  const stolen = await t.throwsAsync(protocol.refresh(ctx, { token: { ...refreshed, dpopKey: other } }), {
    instanceOf: AuthError,
  });
  t.is(stolen!.code, 'ERR_TOKEN_INVALID');
  t.is(stolen!.providerCode, 'invalid_grant');
});

test('a copied access token is refused by the resource server without the key, and with another key', async (t) => {
  const { server, browser } = t.context;
  const rs = await resourceServer(server.introspectionEndpoint);
  t.teardown(() => rs.close());
  const protocol = createOAuth2Protocol({ issuer: server.issuer, clientId: CLIENT_ID, resource: rs.origin });
  const ctx = realContext();
  const token = await loginForTokens(browser, protocol, ctx, 'dpop-bob');
  t.is((await protocol.fetch(ctx, { token, request: { url: '/api/me' } })).status, 200);

  const url = `${rs.origin}/api/me`;
  const plain = async (headers: Record<string, string>) => (await fetch(url, { headers })).status;
  // As a bearer token (how a pasted token would be used), and as DPoP with no proof.
  t.is(await plain({ authorization: `Bearer ${token.accessToken}` }), 401);
  t.is(await plain({ authorization: `DPoP ${token.accessToken}` }), 401);
  // With a well-formed proof made with the thief's own key, the server's current nonce included.
  const thief = await generateDpopKey();
  const thiefNonce = (await fetch(url, { headers: { authorization: `DPoP ${token.accessToken}` } })).headers.get(
    'dpop-nonce',
  )!;
  const forged = await createDpopProof(
    thief,
    { htm: 'GET', url, accessToken: token.accessToken, nonce: thiefNonce },
    { random: cryptoRandom, clock: systemClock },
  );
  t.is(await plain({ authorization: `DPoP ${token.accessToken}`, dpop: forged }), 401);
  t.deepEqual(
    rs.verdicts.slice(-4).map((v) => v.reason),
    [
      'bound token sent as Bearer',
      'no single DPoP proof',
      'no single DPoP proof',
      'proof key is not the key the token is bound to',
    ],
  );
  // Through the library: another key is a dead token; a DPoP token with no key is never sent.
  const wrongKey = await t.throwsAsync(
    protocol.fetch(ctx, { token: { ...token, dpopKey: thief }, request: { url: '/api/me' } }),
    { instanceOf: AuthError },
  );
  t.is(wrongKey!.code, 'ERR_TOKEN_INVALID');
  const sent = ctx.http.requests.length;
  const { dpopKey: _dropped, ...keyless } = token;
  const noKey = await t.throwsAsync(protocol.fetch(ctx, { token: keyless, request: { url: '/api/me' } }), {
    instanceOf: AuthError,
  });
  t.is(noKey!.code, 'ERR_CONFIG');
  t.is(ctx.http.requests.length, sent, 'nothing was sent');
});

test("the code is bound to the login's key: exchanging it with another key is refused", async (t) => {
  const { server, browser } = t.context;
  const protocol = createOAuth2Protocol({ issuer: server.issuer, clientId: CLIENT_ID });
  const ctx = realContext();
  const { started, params } = await browserLogin(browser, protocol, ctx, { login: 'dpop-carol' });
  // The same session with another key: the authorization server bound the code to the first one.
  const other = await generateDpopKey();
  const error = await t.throwsAsync(
    protocol.exchange(ctx, { session: { ...started.session, dpopKey: other }, callback: { kind: 'redirect', params } }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_CODE_INVALID');
});

test('device grant: the polls carry proofs (the nonce challenge answered), the tokens are bound and call the resource', async (t) => {
  const { server, browser } = t.context;
  const rs = await resourceServer(server.introspectionEndpoint);
  t.teardown(() => rs.close());
  const protocol = createOAuth2Protocol({
    issuer: server.issuer,
    clientId: CLIENT_ID,
    mode: 'device',
    resource: rs.origin,
  });
  const ctx = realContext();
  const started = await protocol.start(ctx, { redirectUri: null });
  const key = started.session['dpopKey'];
  t.truthy(key);
  t.deepEqual(await protocol.pollDevice(ctx, { session: started.session }), { status: 'pending' });
  const context = await isolatedContext(browser);
  t.teardown(() => context.close());
  t.is(
    await enterDeviceCode(await context.newPage(), `${server.issuer}/device`, started.userCode!, {
      login: 'dpop-dana',
    }),
    'Sign-in Success',
  );
  const result = await protocol.pollDevice(ctx, { session: started.session });
  if (result.status !== 'approved') return t.fail(`expected approval, got ${result.status}`);
  t.is(result.token.tokenType, 'DPoP');
  t.deepEqual(result.token.dpopKey, key);
  const polls = ctx.http.requests.filter((r) => r.url === `${server.issuer}/token`);
  t.true(polls.length >= 3, 'the first poll was challenged for a nonce, then polled with it');
  t.is(decodeJwt(proofOf(polls[0]!)!).nonce, undefined);
  t.true(polls.slice(1).every((r) => typeof decodeJwt(proofOf(r)!).nonce === 'string'));
  t.deepEqual((await introspect(server.introspectionEndpoint, result.token.accessToken))['cnf'], {
    jkt: await dpopThumbprint(key as never),
  });
  const me = await protocol.fetch(ctx, { token: result.token, request: { url: '/api/me' } });
  t.is(me.status, 200);
  t.is(JSON.parse(me.body).sub, 'dpop-dana');
});
