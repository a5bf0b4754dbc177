/** ID token signatures checked against the issuer's JWKS with node:crypto (RS, PS, ES, EdDSA). */
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { createOAuth2Protocol, type OAuth2RedirectSession } from '../../src/oauth2/index.js';
import { discoveryDocument, ISSUER, json, scriptedContext, scriptedHttp } from '../helpers/scripted-http.js';

const NOW = 1_700_000_000_000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function keyPair(alg: string): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('ES')) return generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg]! });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function signJwt(alg: string, kid: string, privateKey: KeyObject, payload: Record<string, unknown>): string {
  const input = `${b64({ alg, kid })}.${b64(payload)}`;
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const key = alg.startsWith('PS')
    ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
    : alg.startsWith('ES')
      ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
      : privateKey;
  return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`;
}

async function exchangeWith(alg: string, mutate: (jwt: string) => string = (j) => j, jwksAnswers?: Array<Record<string, unknown> | 'CURRENT'>) {
  const { privateKey, publicKey } = keyPair(alg);
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' };
  let session!: OAuth2RedirectSession;
  const claims = () => ({ iss: ISSUER, sub: 'u1', aud: 'app', iat: NOW / 1000, exp: NOW / 1000 + 300, nonce: session.nonce });
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(200, discoveryDocument({ jwks_uri: `${ISSUER}/jwks` })),
    [`GET ${ISSUER}/jwks`]: (jwksAnswers ?? [{ keys: [jwk] }]).map((body) => json(200, body === 'CURRENT' ? { keys: [jwk] } : body)),
    [`POST ${ISSUER}/token`]: () => json(200, { access_token: 'A', token_type: 'Bearer', id_token: mutate(signJwt(alg, 'k1', privateKey, claims())) }),
  });
  const ctx = scriptedContext(http, NOW);
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
  session = (await protocol.start(ctx, { redirectUri: 'http://127.0.0.1:1/callback' })).session as OAuth2RedirectSession;
  const run = () => protocol.exchange(ctx, { session, callback: { kind: 'redirect', params: { code: 'c', state: session.state, iss: ISSUER } } });
  return { run, http };
}

for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) {
  test(`${alg}: a genuine signature verifies, a tampered payload does not`, async (t) => {
    t.is((await (await exchangeWith(alg)).run()).username, 'u1');
    const tampered = await exchangeWith(alg, (jwt) => {
      const [h, , s] = jwt.split('.');
      return `${h}.${b64({ iss: ISSUER, sub: 'admin', aud: 'app', iat: NOW / 1000, exp: NOW / 1000 + 300 })}.${s}`;
    });
    const error = await t.throwsAsync(tampered.run(), { instanceOf: AuthError });
    t.is(error!.code, 'ERR_BAD_RESPONSE');
  });
}

test('an unknown kid refetches the JWKS once (key rotation), then fails if still unknown', async (t) => {
  const rotated = await exchangeWith('RS256', undefined, [{ keys: [] }, 'CURRENT']);
  await t.notThrowsAsync(rotated.run());
  t.is(rotated.http.requests.filter((r) => r.url.endsWith('/jwks')).length, 2);
  const never = await exchangeWith('RS256', undefined, [{ keys: [] }]);
  const error = await t.throwsAsync(never.run(), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
  t.is(never.http.requests.filter((r) => r.url.endsWith('/jwks')).length, 2);
});

test('symmetric or unknown algorithms are refused', async (t) => {
  const hs = await exchangeWith('RS256', (jwt) => {
    const [, p, s] = jwt.split('.');
    return `${b64({ alg: 'HS256', kid: 'k1' })}.${p}.${s}`;
  });
  t.is((await t.throwsAsync(hs.run(), { instanceOf: AuthError }))!.code, 'ERR_BAD_RESPONSE');
});
