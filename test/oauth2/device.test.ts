/**
 * The device authorization grant (RFC 8628) against the real provider, with Chromium typing the
 * user code on the provider's pages; and the polling answers (pending, slow_down, errors) against
 * a scripted HttpClient.
 */
import type { HttpRequest, HttpResponse } from '../../adapters/contracts.js';
import { AuthError, type AuthErrorCode } from '../../adapters/errors.js';
import { ManualClock, seededRandom } from '../../adapters/system-clock.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { realContext } from '../helpers/oauth2-flow.js';
import { enterDeviceCode, isolatedContext } from '../helpers/oidc-browser.js';
import { CLIENT_ID, type OidcServer } from '../helpers/oidc-server.js';
import { oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite();

function deviceProtocol(server: OidcServer) {
  return createOAuth2Protocol({ issuer: server.issuer, clientId: CLIENT_ID, mode: 'device', resource: server.issuer });
}

test('device grant: user code typed in Chromium, polling pending until approved, tokens work', async (t) => {
  const { server, browser } = t.context;
  const protocol = deviceProtocol(server);
  t.is(protocol.mode, 'device');
  const ctx = realContext();
  const started = await protocol.start(ctx, { redirectUri: null });
  t.truthy(started.userCode);
  t.true(started.authorizationUrl.startsWith(`${server.issuer}/device`));
  t.is(started.pollIntervalMs, 5000, 'no interval from the server: RFC 8628 default of 5 s');
  t.true(started.expiresInMs! > 0);
  t.is(started.session.state, null);
  const deviceCode = started.session.deviceCode as string;
  t.false(started.authorizationUrl.includes(deviceCode));

  t.deepEqual(await protocol.pollDevice(ctx, { session: started.session }), { status: 'pending' });

  const context = await isolatedContext(browser);
  t.teardown(() => context.close());
  const page = await context.newPage();
  // The plain verification URI, so the code is typed the way a person would.
  const verificationUri = `${server.issuer}/device`;
  t.is(await enterDeviceCode(page, verificationUri, started.userCode!, { login: 'erin' }), 'Sign-in Success');

  const result = await protocol.pollDevice(ctx, { session: started.session });
  if (result.status !== 'approved') return t.fail(`expected approval, got ${result.status}`);
  t.is(result.token.username, 'erin');
  t.truthy(result.token.refreshToken);
  const poll = new URLSearchParams(ctx.http.requests.filter((r) => r.url === `${server.issuer}/token`).at(-1)!.body);
  t.true(
    ctx.http.requests.some((r) => r.url === `${server.issuer}/jwks`),
    'the ID token signature was checked',
  );
  t.is(poll.get('grant_type'), 'urn:ietf:params:oauth:grant-type:device_code');
  t.is(poll.get('device_code'), deviceCode);
  const me = await protocol.fetch(ctx, { token: result.token, request: { url: '/api/me' } });
  t.is(JSON.parse(me.body).sub, 'erin');
});

test('device grant aborted on the confirmation page: the next poll fails with ERR_DECLINED', async (t) => {
  const { server, browser } = t.context;
  const protocol = deviceProtocol(server);
  const ctx = realContext();
  const started = await protocol.start(ctx, { redirectUri: null });
  const context = await isolatedContext(browser);
  t.teardown(() => context.close());
  const page = await context.newPage();
  await enterDeviceCode(page, started.authorizationUrl.split('?')[0]!, started.userCode!, { abort: true });
  const error = await t.throwsAsync(protocol.pollDevice(ctx, { session: started.session }), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_DECLINED');
  t.is(error!.providerCode, 'access_denied');
});

// ---- scripted server ---------------------------------------------------------------------

const ISSUER = 'https://as.example';
const DISCOVERY = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  device_authorization_endpoint: `${ISSUER}/device_authorization`,
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Answers discovery and device start; token polls get the scripted answers in order. */
function scripted(polls: HttpResponse[], deviceResponse: unknown = {}) {
  const requests: HttpRequest[] = [];
  const http = {
    async send(request: HttpRequest): Promise<HttpResponse> {
      requests.push(request);
      if (request.url.endsWith('/.well-known/openid-configuration')) return json(200, DISCOVERY);
      if (request.url === DISCOVERY.device_authorization_endpoint) {
        return json(200, {
          device_code: 'DEVICE-CODE-SECRET',
          user_code: 'WDJB-MJHT',
          verification_uri: `${ISSUER}/device`,
          verification_uri_complete: `${ISSUER}/device?user_code=WDJB-MJHT`,
          expires_in: 600,
          interval: 7,
          ...(deviceResponse as object),
        });
      }
      if (request.url === DISCOVERY.token_endpoint) return polls.shift() ?? json(500, {});
      return json(404, {});
    },
  };
  const clock = new ManualClock(1_000_000);
  return { requests, clock, ctx: { http, random: seededRandom(7), clock, signal: new AbortController().signal } };
}

const protocol = createOAuth2Protocol({ issuer: ISSUER, clientId: 'cli', mode: 'device', scope: 'read' });

test('start: user code, verification_uri_complete, the server interval and lifetime', async (t) => {
  const { ctx, requests } = scripted([]);
  const started = await protocol.start(ctx, { redirectUri: null });
  t.is(started.userCode, 'WDJB-MJHT');
  t.is(started.authorizationUrl, `${ISSUER}/device?user_code=WDJB-MJHT`);
  t.is(started.pollIntervalMs, 7000);
  t.is(started.expiresInMs, 600_000);
  t.is(started.session.expiresAt, 1_000_000 + 600_000);
  const form = new URLSearchParams(requests[1]!.body);
  t.is(form.get('client_id'), 'cli');
  t.is(form.get('scope'), 'read');
});

test('start falls back to verification_uri when there is no complete URI', async (t) => {
  const { ctx } = scripted([], { verification_uri_complete: undefined, interval: undefined });
  const started = await protocol.start(ctx, { redirectUri: null });
  t.is(started.authorizationUrl, `${ISSUER}/device`);
  t.is(started.pollIntervalMs, 5000);
});

test('each poll is one request: pending, slow_down, then approved', async (t) => {
  const { ctx, requests } = scripted([
    json(400, { error: 'authorization_pending' }),
    json(400, { error: 'slow_down' }),
    json(200, { access_token: 'AT', token_type: 'Bearer', expires_in: 60 }),
  ]);
  const { session } = await protocol.start(ctx, { redirectUri: null });
  const before = requests.length;
  t.deepEqual(await protocol.pollDevice(ctx, { session }), { status: 'pending' });
  t.deepEqual(await protocol.pollDevice(ctx, { session }), { status: 'slow_down' });
  const approved = await protocol.pollDevice(ctx, { session });
  t.deepEqual(approved, {
    status: 'approved',
    token: { accessToken: 'AT', tokenType: 'Bearer', expiresAt: 1_000_000 + 60_000 },
  });
  t.is(requests.length - before, 3);
});

test('poll errors: access_denied -> ERR_DECLINED, expired_token -> ERR_EXPIRED, 503 -> retryable ERR_SERVER, 429 -> ERR_RATE_LIMITED', async (t) => {
  const cases: Array<[HttpResponse, AuthErrorCode, boolean]> = [
    [json(400, { error: 'access_denied' }), 'ERR_DECLINED', false],
    [json(400, { error: 'expired_token' }), 'ERR_EXPIRED', false],
    [json(503, { error: 'temporarily_unavailable' }), 'ERR_SERVER', true],
    [json(429, {}, { 'retry-after': '3' }), 'ERR_RATE_LIMITED', true],
    [{ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>bad gateway</html>' }, 'ERR_SERVER', true],
  ];
  for (const [response, code, retryable] of cases) {
    const { ctx } = scripted([response]);
    const { session } = await protocol.start(ctx, { redirectUri: null });
    const error = await t.throwsAsync(protocol.pollDevice(ctx, { session }), { instanceOf: AuthError });
    t.is(error!.code, code);
    t.is(error!.retryable, retryable);
    t.false(error!.message.includes('DEVICE-CODE-SECRET'));
    if (code === 'ERR_RATE_LIMITED') t.is(error!.retryAfterMs, 3000);
  }
});

test('a device code past its lifetime is not polled at all', async (t) => {
  const { ctx, clock, requests } = scripted([json(400, { error: 'authorization_pending' })]);
  const { session } = await protocol.start(ctx, { redirectUri: null });
  clock.advance(600_000);
  const count = requests.length;
  const error = await t.throwsAsync(protocol.pollDevice(ctx, { session }), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_EXPIRED');
  t.is(requests.length, count);
});
