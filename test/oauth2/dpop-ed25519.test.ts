/**
 * DPoP with a server that lists only `Ed25519`, the fully-specified name of EdDSA over Ed25519
 * (RFC 9864), as oidc-provider 9 can: the real provider checks every proof against that list, so a
 * login, a resource call and a refresh succeed only with Ed25519 proofs.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { dpopThumbprint } from '../../src/oauth2/dpop.js';
import { startDpopResourceServer } from '../helpers/dpop-resource.js';
import { browserLogin, realContext } from '../helpers/oauth2-flow.js';
import { CLIENT_ID, RESOURCE_SERVER_CLIENT } from '../helpers/oidc-server.js';
import { oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite({ dpop: { required: true, algs: ['Ed25519'] } });

test('a server that takes only Ed25519: the key and every proof use it, and the bound token works and refreshes', async (t) => {
  const { server, browser } = t.context;
  const rs = await startDpopResourceServer({
    introspectionEndpoint: server.introspectionEndpoint,
    ...RESOURCE_SERVER_CLIENT,
    requireNonce: false,
  });
  t.teardown(() => rs.close());
  const protocol = createOAuth2Protocol({ issuer: server.issuer, clientId: CLIENT_ID, resource: rs.origin });
  const ctx = realContext();

  const { started, params } = await browserLogin(browser, protocol, ctx, { login: 'ed-alice' });
  const key = started.session['dpopKey'] as { alg: string; privateJwk: Record<string, string> } | undefined;
  t.is(key?.alg, 'Ed25519');
  t.like(key?.privateJwk, { kty: 'OKP', crv: 'Ed25519' });
  const token = await protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params } });
  t.is(token.tokenType, 'DPoP');

  const me = await protocol.fetch(ctx, { token, request: { url: '/api/me' } });
  t.is(me.status, 200);
  t.is(JSON.parse(me.body).sub, 'ed-alice');
  const refreshed = await protocol.refresh(ctx, { token });
  t.is(refreshed.tokenType, 'DPoP');
  t.not(refreshed.accessToken, token.accessToken);

  const proofs = ctx.http.requests.map((r) => r.headers?.['dpop']).filter((p): p is string => p !== undefined);
  t.true(proofs.length >= 3, 'token, resource and refresh requests carried proofs');
  for (const proof of proofs) t.is(decodeProtectedHeader(proof).alg, 'Ed25519');
  t.is(new Set(proofs.map((p) => decodeJwt(p).jti)).size, proofs.length);
  t.is(
    await dpopThumbprint(key as never),
    await dpopThumbprint(refreshed.dpopKey as never),
    'the refresh keeps the same key',
  );
});
