/**
 * After login: a dead access token (expired) makes fetch() fail with ERR_TOKEN_INVALID, refresh()
 * gets a new one (the server rotates the refresh token and we keep the new one), and revoke()
 * kills both tokens at the server. Real oidc-provider, real browser login.
 */
import { AuthError } from '../../adapters/errors.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { loginForTokens, realContext } from '../helpers/oauth2-flow.js';
import { CLIENT_ID } from '../helpers/oidc-server.js';
import { oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('an expired access token fails with ERR_TOKEN_INVALID; refresh rotates the refresh token and the new access token works', async (t) => {
  const { server, browser } = t.context;
  const protocol = createOAuth2Protocol({
    issuer: server.issuer,
    clientId: CLIENT_ID,
    resource: `${server.issuer}/api/`,
  });
  const ctx = realContext();
  server.setAccessTokenTtl('carol', 1);
  const token = await loginForTokens(browser, protocol, ctx, 'carol');
  t.true(token.expiresAt! - Date.now() <= 1000);

  // The server counts whole seconds: past expiresAt + 1.1 s the token is dead for certain.
  await sleep(Math.max(0, token.expiresAt! + 1100 - Date.now()));
  const dead = await t.throwsAsync(protocol.fetch(ctx, { token, request: { url: 'me' } }), { instanceOf: AuthError });
  t.is(dead!.code, 'ERR_TOKEN_INVALID');
  t.is(dead!.status, 401);

  server.setAccessTokenTtl('carol', 600);
  const refreshed = await protocol.refresh(ctx, { token });
  t.not(refreshed.accessToken, token.accessToken);
  t.truthy(refreshed.refreshToken);
  t.not(refreshed.refreshToken, token.refreshToken, 'oidc-provider rotates refresh tokens of public clients');
  t.is(refreshed.username, 'carol');
  t.true(refreshed.expiresAt! > Date.now() + 500_000);
  const form = new URLSearchParams(ctx.http.requests.at(-1)!.body);
  t.is(form.get('grant_type'), 'refresh_token');
  t.is(form.get('client_id'), CLIENT_ID);

  const me = await protocol.fetch(ctx, { token: refreshed, request: { url: 'me' } });
  t.is(me.status, 200);
  t.is(JSON.parse(me.body).sub, 'carol');

  // The rotated-away refresh token is spent: using it again is refused as a dead token.
  const replay = await t.throwsAsync(protocol.refresh(ctx, { token }), { instanceOf: AuthError });
  t.is(replay!.code, 'ERR_TOKEN_INVALID');
  t.is(replay!.providerCode, 'invalid_grant');
  t.false(replay!.message.includes(token.refreshToken!));
});

test('after revoke() neither the access token nor the refresh token works', async (t) => {
  const { server, browser } = t.context;
  const protocol = createOAuth2Protocol({ issuer: server.issuer, clientId: CLIENT_ID, resource: server.issuer });
  const ctx = realContext();
  const token = await loginForTokens(browser, protocol, ctx, 'dave');
  t.is((await protocol.fetch(ctx, { token, request: { url: '/api/me' } })).status, 200);

  const before = ctx.http.requests.length;
  await protocol.revoke(ctx, { token });
  const revocations = ctx.http.requests.slice(before).map((r) => new URLSearchParams(r.body));
  t.deepEqual(
    revocations.map((f) => f.get('token_type_hint')),
    ['refresh_token', 'access_token'],
  );
  t.true(ctx.http.requests.slice(before).every((r) => r.url === `${server.issuer}/token/revocation`));

  const afterFetch = await t.throwsAsync(protocol.fetch(ctx, { token, request: { url: '/api/me' } }), {
    instanceOf: AuthError,
  });
  t.is(afterFetch!.code, 'ERR_TOKEN_INVALID');
  const afterRefresh = await t.throwsAsync(protocol.refresh(ctx, { token }), { instanceOf: AuthError });
  t.is(afterRefresh!.code, 'ERR_TOKEN_INVALID');
  // Revoking again is harmless (RFC 7009: unknown tokens are answered with 200).
  await t.notThrowsAsync(protocol.revoke(ctx, { token }));
});
