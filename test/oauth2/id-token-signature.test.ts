/** ID token signatures checked against the issuer's JWKS with jose (RS, PS, ES, EdDSA). */
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import test from 'ava';
import { importJWK, type JWK } from 'jose';
import { AuthError } from '../../adapters/errors.js';
import { decodeJwt } from '../../src/oauth2/id-token.js';
import { MAX_KEYS_TRIED, selectKeys, verifyJwtSignature, type ImportKey } from '../../src/oauth2/id-token-signature.js';
import { createOAuth2Protocol, type OAuth2RedirectSession } from '../../src/oauth2/index.js';
import { discoveryDocument, ISSUER, json, scriptedContext, scriptedHttp } from '../helpers/scripted-http.js';

const NOW = 1_700_000_000_000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function keyPair(alg: string): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('ES'))
    return generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg]! });
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

async function exchangeWith(
  alg: string,
  mutate: (jwt: string) => string = (j) => j,
  jwksAnswers?: Array<Record<string, unknown> | 'CURRENT'>,
) {
  const { privateKey, publicKey } = keyPair(alg);
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' };
  let session!: OAuth2RedirectSession;
  const claims = () => ({
    iss: ISSUER,
    sub: 'u1',
    aud: 'app',
    iat: NOW / 1000,
    exp: NOW / 1000 + 300,
    nonce: session.nonce,
  });
  const http = scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(200, discoveryDocument({ jwks_uri: `${ISSUER}/jwks` })),
    [`GET ${ISSUER}/jwks`]: (jwksAnswers ?? [{ keys: [jwk] }]).map((body) =>
      json(200, body === 'CURRENT' ? { keys: [jwk] } : body),
    ),
    [`POST ${ISSUER}/token`]: () =>
      json(200, {
        access_token: 'A',
        token_type: 'Bearer',
        id_token: mutate(signJwt(alg, 'k1', privateKey, claims())),
      }),
  });
  const ctx = scriptedContext(http, NOW);
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app' });
  session = (await protocol.start(ctx, { redirectUri: 'http://127.0.0.1:1/callback' }))
    .session as OAuth2RedirectSession;
  const run = () =>
    protocol.exchange(ctx, {
      session,
      callback: { kind: 'redirect', params: { code: 'c', state: session.state, iss: ISSUER } },
    });
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

// ---- A hostile key set: bounded work, counted (not timed) ------------------------------------

const HOSTILE_COUNT = 10_000;
/** A 4,096-bit public exponent: legal RSA, ruinous to verify with, far over the 64-bit bound. */
const hugeExponent = Buffer.alloc(512, 0xff).toString('base64url');

function genuine(kid?: string) {
  const { privateKey, publicKey } = keyPair('RS256');
  const jwk = { ...publicKey.export({ format: 'jwk' }), ...(kid ? { kid } : {}) } as JWK;
  const payload = { iss: ISSUER, sub: 'u1', aud: 'app', iat: NOW / 1000, exp: NOW / 1000 + 300 };
  const header = kid ? { alg: 'RS256', kid } : { alg: 'RS256' };
  const input = `${b64(header)}.${b64(payload)}`;
  const jwt = decodeJwt(`${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`);
  return { jwk, jwt };
}

function countingImport() {
  const imported: JWK[] = [];
  const importKey: ImportKey = (jwk, alg) => (imported.push(jwk), importJWK(jwk, alg));
  return { imported, importKey };
}

function keySource(first: JWK[], second: JWK[] = first) {
  const calls: boolean[] = [];
  return { calls, load: async (refresh: boolean) => (calls.push(refresh), refresh ? second : first) };
}

test(`${HOSTILE_COUNT.toLocaleString('en')} keys with huge exponents and no kid: none is imported, the genuine key verifies`, async (t) => {
  const { jwk, jwt } = genuine();
  const hostile = Array.from(
    { length: HOSTILE_COUNT },
    (_, i) => ({ kty: 'RSA', n: jwk.n, e: hugeExponent, kid: `h${i}` }) as JWK,
  );
  const { imported, importKey } = countingImport();
  const keys = keySource([...hostile, jwk]);
  await t.notThrowsAsync(verifyJwtSignature(jwt, keys.load, { importKey }));
  t.deepEqual(imported, [jwk]);
  t.deepEqual(keys.calls, [false]);
});

test(`${HOSTILE_COUNT.toLocaleString('en')} well-formed wrong keys: at most ${MAX_KEYS_TRIED} are imported, then the token is refused`, async (t) => {
  const { jwt } = genuine();
  const wrong = genuine().jwk;
  const hostile = Array.from({ length: HOSTILE_COUNT }, () => wrong);
  const { imported, importKey } = countingImport();
  const error = await t.throwsAsync(verifyJwtSignature(jwt, keySource(hostile).load, { importKey }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
  t.is(imported.length, MAX_KEYS_TRIED);
});

test('a kid that names none of the keys refetches once and imports nothing', async (t) => {
  const { jwt } = genuine('wanted');
  const other = genuine().jwk;
  const others = Array.from({ length: HOSTILE_COUNT }, (_, i) => ({ ...other, kid: `other${i}` }) as JWK);
  const { imported, importKey } = countingImport();
  const keys = keySource(others);
  const error = await t.throwsAsync(verifyJwtSignature(jwt, keys.load, { importKey }), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
  t.deepEqual(keys.calls, [false, true]);
  t.deepEqual(imported, []);
});

test('oversized RSA moduli and exponents, and oversized curve points, are dropped before import', (t) => {
  const { jwk } = genuine('k');
  const header = { alg: 'RS256', kid: 'k' };
  t.deepEqual(selectKeys([jwk], header), [jwk]);
  t.deepEqual(selectKeys([{ ...jwk, e: hugeExponent }], header), []);
  t.deepEqual(selectKeys([{ ...jwk, n: 'A'.repeat(20_000) }], header), []);
  t.deepEqual(selectKeys([{ ...jwk, n: undefined }], header), []);
  const ec = { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43), kid: 'k' } as JWK;
  t.deepEqual(selectKeys([ec], { alg: 'ES256', kid: 'k' }), [ec]);
  t.deepEqual(selectKeys([{ ...ec, x: 'A'.repeat(100_000) }], { alg: 'ES256', kid: 'k' }), []);
  // Selection by what the header asks: curve, use, key_ops, alg; unsupported algorithms select nothing.
  t.deepEqual(selectKeys([ec], { alg: 'ES384', kid: 'k' }), []);
  t.deepEqual(selectKeys([{ ...jwk, use: 'enc' }], header), []);
  t.deepEqual(selectKeys([{ ...jwk, key_ops: ['encrypt'] }], header), []);
  t.deepEqual(selectKeys([{ ...jwk, alg: 'PS256' }], header), []);
  t.deepEqual(selectKeys([jwk], { alg: 'HS256', kid: 'k' }), []);
  t.deepEqual(selectKeys([jwk], { alg: '__proto__', kid: 'k' }), []);
});

test('a cancelled login stops before importing the next key', async (t) => {
  const { jwk, jwt } = genuine();
  const abort = new AbortController();
  abort.abort();
  const { imported, importKey } = countingImport();
  const error = await t.throwsAsync(
    verifyJwtSignature(jwt, keySource([jwk]).load, { importKey, signal: abort.signal }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_CANCELLED');
  t.deepEqual(imported, []);
});

test(`through the protocol: a JWKS of ${HOSTILE_COUNT.toLocaleString('en')} huge-exponent keys beside the real one still logs in`, async (t) => {
  const hostile = Array.from({ length: HOSTILE_COUNT }, () => ({ kty: 'RSA', n: 'AQAB', e: hugeExponent, kid: 'k1' }));
  const login = await exchangeWith('RS256', undefined, [{ keys: hostile }, 'CURRENT']);
  t.is((await login.run()).username, 'u1');
  // The hostile keys share the token's kid, so the set matched nothing usable and was fetched again.
  t.is(login.http.requests.filter((r) => r.url.endsWith('/jwks')).length, 2);
});
