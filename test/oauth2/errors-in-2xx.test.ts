/**
 * RFC 6749 section 5.2 read strictly: a 2xx answer whose body is a well-formed OAuth error is that
 * error, at every endpoint that reads OAuth error bodies (token, refresh, device authorization,
 * device polling, PAR, revocation). GitHub answers HTTP 200 with `error`; others do it too.
 */
import test from 'ava';
import type { HttpResponse } from '../../adapters/contracts.js';
import { AuthError, type AuthErrorCode } from '../../adapters/errors.js';
import { createOAuth2Protocol, type OAuth2DeviceSession, type OAuth2RedirectSession } from '../../src/oauth2/index.js';
import {
  discoveryDocument,
  ISSUER,
  json,
  scriptedContext,
  scriptedHttp,
  type Responder,
} from '../helpers/scripted-http.js';

const REDIRECT = { redirectUri: 'http://127.0.0.1:1234/callback' };

function server(routes: Record<string, Responder>, extra: Record<string, unknown> = {}) {
  return scriptedHttp({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: json(
      200,
      discoveryDocument({
        device_authorization_endpoint: `${ISSUER}/device`,
        pushed_authorization_request_endpoint: `${ISSUER}/par`,
        ...extra,
      }),
    ),
    ...routes,
  });
}

async function codeExchange(answer: HttpResponse): Promise<AuthError> {
  const http = server({ [`POST ${ISSUER}/token`]: answer });
  const ctx = scriptedContext(http);
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read', usePar: 'never' });
  const { session } = await protocol.start(ctx, REDIRECT);
  const s = session as OAuth2RedirectSession;
  const params = { code: 'c', state: s.state, iss: ISSUER };
  return protocol.exchange(ctx, { session, callback: { kind: 'redirect', params } }).then(
    () => {
      throw new Error('the exchange succeeded');
    },
    (error: unknown) => error as AuthError,
  );
}

test('a 200 token answer with an error member is that error, by grant', async (t) => {
  const cases: Array<[Record<string, unknown>, AuthErrorCode]> = [
    [{ error: 'invalid_grant' }, 'ERR_CODE_INVALID'],
    [
      { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' },
      'ERR_CODE_INVALID',
    ],
    [{ error: 'invalid_client' }, 'ERR_INVALID_CLIENT'],
    [{ error: 'incorrect_client_credentials' }, 'ERR_INVALID_CLIENT'],
    [{ error: 'access_denied' }, 'ERR_DECLINED'],
    [{ error: 'unsupported_grant_type' }, 'ERR_PROTOCOL'],
  ];
  for (const [body, code] of cases) {
    const error = await codeExchange(json(200, body));
    t.true(error instanceof AuthError, String(body.error));
    t.is(error.code, code, String(body.error));
    t.is(error.providerCode, body.error as string);
    t.is(error.status, 200);
  }
});

test('a 200 answer whose error member is not a well-formed code is not an error, but no token either', async (t) => {
  const error = await codeExchange(json(200, { error: 'Some Echoed TOKEN-123' }));
  t.is(error.code, 'ERR_BAD_RESPONSE', 'no access_token: the answer is refused, not believed');
  t.false(error.message.includes('TOKEN-123'));
});

test('refresh: a 200 invalid_grant means the refresh token is dead', async (t) => {
  const http = server({ [`POST ${ISSUER}/token`]: json(200, { error: 'invalid_grant' }) });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read' });
  const error = await t.throwsAsync(
    protocol.refresh(scriptedContext(http), { token: { accessToken: 'a', refreshToken: 'r' } }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_TOKEN_INVALID');
});

test('device authorization: a 200 error answer is refused with its code', async (t) => {
  const http = server({ [`POST ${ISSUER}/device`]: json(200, { error: 'device_flow_disabled' }) });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read', mode: 'device' });
  const error = await t.throwsAsync(protocol.start(scriptedContext(http), { redirectUri: null }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_INVALID_CLIENT');
  t.is(error!.providerCode, 'device_flow_disabled');
});

test('device polling: 200 with pending, slow_down (and its new interval), expired_token, access_denied', async (t) => {
  const session: OAuth2DeviceSession = {
    kind: 'oauth2-device',
    state: null,
    deviceCode: 'dc',
    tokenEndpoint: `${ISSUER}/token`,
    issuer: ISSUER,
    expiresAt: Number.MAX_SAFE_INTEGER,
  };
  const poll = async (answer: HttpResponse) => {
    const http = server({ [`POST ${ISSUER}/token`]: answer });
    const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read', mode: 'device' });
    return protocol.pollDevice(scriptedContext(http), { session });
  };
  t.deepEqual(await poll(json(200, { error: 'authorization_pending' })), { status: 'pending' });
  t.deepEqual(await poll(json(200, { error: 'slow_down', interval: 10 })), { status: 'slow_down', intervalMs: 10_000 });
  t.deepEqual(await poll(json(400, { error: 'slow_down' })), { status: 'slow_down' });
  t.deepEqual(
    await poll(json(400, { error: 'slow_down', interval: 'soon' })),
    { status: 'slow_down' },
    'a malformed interval is ignored',
  );
  t.deepEqual(await poll(json(400, { error: 'authorization_pending' }, { 'retry-after': '9' })), {
    status: 'pending',
    retryAfterMs: 9000,
  });
  t.is(
    (await t.throwsAsync(poll(json(200, { error: 'expired_token' })), { instanceOf: AuthError }))!.code,
    'ERR_EXPIRED',
  );
  t.is(
    (await t.throwsAsync(poll(json(200, { error: 'access_denied' })), { instanceOf: AuthError }))!.code,
    'ERR_DECLINED',
  );
  t.is(
    (await t.throwsAsync(poll(json(200, { error: 'incorrect_device_code' })), { instanceOf: AuthError }))!.code,
    'ERR_CODE_INVALID',
  );
});

test('PAR: a 201 with an error member is that error', async (t) => {
  const http = server({ [`POST ${ISSUER}/par`]: json(201, { error: 'invalid_request' }) });
  const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read', usePar: 'always' });
  const error = await t.throwsAsync(protocol.start(scriptedContext(http), REDIRECT), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_INVALID_REQUEST');
});

test('revocation: 200 with an error member fails; an empty or non-error 200 body succeeds', async (t) => {
  const revoke = (answer: HttpResponse) => {
    const http = server({ [`POST ${ISSUER}/revoke`]: answer });
    const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'app', scope: 'read' });
    return protocol.revoke(scriptedContext(http), { token: { accessToken: 'a' } });
  };
  t.is(
    (await t.throwsAsync(revoke(json(200, { error: 'invalid_client' })), { instanceOf: AuthError }))!.code,
    'ERR_INVALID_CLIENT',
  );
  await t.notThrowsAsync(revoke({ status: 200, headers: {}, body: '' }));
  await t.notThrowsAsync(revoke(json(200, {})));
  await t.notThrowsAsync(
    revoke(json(200, { error: 'unsupported_token_type' })),
    'an unknown token type is still nothing more to do',
  );
});
