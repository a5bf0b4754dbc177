import test from 'ava';
import { createHash } from 'node:crypto';
import { AuthError } from '../../adapters/errors.js';
import { createPocketProtocol, redirectUriWithState } from '../../src/pocket/protocol.js';
import { FakePocketHttp, formReply, jsonReply, pocketErrorReply } from '../helpers/pocket-fake-http.js';
import { ACCESS_TOKEN, BASE_URL, CONSUMER_KEY, REQUEST_TOKEN, containsSecret, protocolContext } from './fixtures.js';

const LOOPBACK_REDIRECT = 'http://127.0.0.1:53682/callback';

function protocol() {
  return createPocketProtocol({ consumerKey: CONSUMER_KEY, baseUrl: BASE_URL, timeoutMs: 4000 });
}

test('start posts consumer_key and the redirect URI with our state, in JSON with the Pocket headers', async (t) => {
  const http = new FakePocketHttp({ '/v3/oauth/request': jsonReply({ code: REQUEST_TOKEN, state: null }) });
  const controller = new AbortController();
  const { session, authorizationUrl } = await protocol().start(protocolContext(http, controller.signal), {
    redirectUri: LOOPBACK_REDIRECT,
  });

  t.is(http.requests.length, 1);
  const [request] = http.requests;
  t.is(request!.method, 'POST');
  t.is(request!.url, `${BASE_URL}/v3/oauth/request`);
  t.deepEqual(request!.headers, { 'Content-Type': 'application/json; charset=UTF8', 'X-Accept': 'application/json' });
  t.is(request!.timeoutMs, 4000);
  t.is(request!.signal, controller.signal);

  // 16 random bytes -> 22 base64url characters.
  t.regex(session.state!, /^[A-Za-z0-9_-]{22}$/);
  const sentRedirect = `${LOOPBACK_REDIRECT}?state=${session.state}`;
  t.deepEqual(request!.json, { consumer_key: CONSUMER_KEY, redirect_uri: sentRedirect });
  t.deepEqual(session, { state: session.state, requestToken: REQUEST_TOKEN, redirectUri: sentRedirect });

  const url = new URL(authorizationUrl);
  t.is(url.origin + url.pathname, `${BASE_URL}/auth/authorize`);
  t.is(url.searchParams.get('request_token'), REQUEST_TOKEN);
  t.is(url.searchParams.get('redirect_uri'), sentRedirect);
  // The redirect URI is one encoded parameter: its own "?" and "=" do not leak into ours.
  t.true(authorizationUrl.includes(`redirect_uri=${encodeURIComponent(sentRedirect)}`));
  t.false(authorizationUrl.includes('?state='));
  t.false(authorizationUrl.includes(CONSUMER_KEY));
});

test('start makes a fresh state each time from the RandomSource', async (t) => {
  const http = new FakePocketHttp({ '/v3/oauth/request': jsonReply({ code: REQUEST_TOKEN }) });
  const pocket = protocol();
  const ctx = protocolContext(http);
  const first = await pocket.start(ctx, { redirectUri: LOOPBACK_REDIRECT });
  const second = await pocket.start(ctx, { redirectUri: LOOPBACK_REDIRECT });
  t.not(first.session.state, second.session.state);
});

test('state is appended to a redirect URI that already has a query, before any fragment', (t) => {
  t.is(redirectUriWithState('http://127.0.0.1:1/cb', 'abc'), 'http://127.0.0.1:1/cb?state=abc');
  t.is(redirectUriWithState('http://127.0.0.1:1/cb?x=1', 'abc'), 'http://127.0.0.1:1/cb?x=1&state=abc');
  t.is(redirectUriWithState('http://127.0.0.1:1/cb?', 'abc'), 'http://127.0.0.1:1/cb?state=abc');
  t.is(redirectUriWithState('http://127.0.0.1:1/cb#top', 'abc'), 'http://127.0.0.1:1/cb?state=abc#top');
});

test('manual mode (no redirect URI) sends the fallback page on the Pocket base URL and has no state', async (t) => {
  const http = new FakePocketHttp({ '/v3/oauth/request': jsonReply({ code: REQUEST_TOKEN }) });
  const pocket = createPocketProtocol({
    consumerKey: CONSUMER_KEY,
    baseUrl: `${BASE_URL}/`,
    redirectPath: '/auth/done',
  });
  const { session, authorizationUrl } = await pocket.start(protocolContext(http), { redirectUri: null });
  t.is(session.state, null);
  t.is(session.redirectUri, `${BASE_URL}/auth/done`);
  t.is(http.requests[0]!.json.redirect_uri, `${BASE_URL}/auth/done`);
  t.is(new URL(authorizationUrl).searchParams.get('redirect_uri'), `${BASE_URL}/auth/done`);
});

test('start accepts a form-encoded answer', async (t) => {
  const http = new FakePocketHttp({ '/v3/oauth/request': formReply({ code: REQUEST_TOKEN }) });
  const { session } = await protocol().start(protocolContext(http), { redirectUri: LOOPBACK_REDIRECT });
  t.is(session.requestToken, REQUEST_TOKEN);
});

test('start without a code in the answer is ERR_BAD_RESPONSE', async (t) => {
  const http = new FakePocketHttp({ '/v3/oauth/request': jsonReply({ state: null }) });
  const error = await t.throwsAsync(protocol().start(protocolContext(http), { redirectUri: LOOPBACK_REDIRECT }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
});

function startedSession(state: string | null = 'STATE123') {
  return { state, requestToken: REQUEST_TOKEN, redirectUri: `${LOOPBACK_REDIRECT}?state=${state}` };
}

test('exchange posts consumer_key and the request token as code, and reads a JSON answer', async (t) => {
  const http = new FakePocketHttp({
    '/v3/oauth/authorize': jsonReply({ access_token: ACCESS_TOKEN, username: 'pocketuser' }),
  });
  const token = await protocol().exchange(protocolContext(http), {
    session: startedSession(),
    callback: { kind: 'redirect', params: { state: 'STATE123' } },
  });
  t.deepEqual(token, { accessToken: ACCESS_TOKEN, username: 'pocketuser' });
  const [request] = http.requests;
  t.is(request!.method, 'POST');
  t.is(request!.url, `${BASE_URL}/v3/oauth/authorize`);
  t.deepEqual(request!.headers, { 'Content-Type': 'application/json; charset=UTF8', 'X-Accept': 'application/json' });
  t.deepEqual(request!.json, { consumer_key: CONSUMER_KEY, code: REQUEST_TOKEN });
});

test('exchange reads a form-encoded answer', async (t) => {
  const http = new FakePocketHttp({
    '/v3/oauth/authorize': formReply({ access_token: ACCESS_TOKEN, username: 'name with spaces@example.com' }),
  });
  const token = await protocol().exchange(protocolContext(http), {
    session: startedSession(null),
    callback: { kind: 'confirmed' },
  });
  t.deepEqual(token, { accessToken: ACCESS_TOKEN, username: 'name with spaces@example.com' });
});

test('exchange without an access_token is ERR_BAD_RESPONSE and echoes nothing', async (t) => {
  const http = new FakePocketHttp({ '/v3/oauth/authorize': jsonReply({ username: 'x' }) });
  const error = await t.throwsAsync(
    protocol().exchange(protocolContext(http), { session: startedSession(), callback: { kind: 'confirmed' } }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_BAD_RESPONSE');
  t.false(containsSecret(error));
});

test('exchange refuses a redirect whose state is not ours, before calling Pocket', async (t) => {
  const http = new FakePocketHttp({ '/v3/oauth/authorize': jsonReply({ access_token: ACCESS_TOKEN }) });
  const error = await t.throwsAsync(
    protocol().exchange(protocolContext(http), {
      session: startedSession(),
      callback: { kind: 'redirect', params: { state: 'forged' } },
    }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_STATE_MISMATCH');
  t.is(http.requests.length, 0);
});

test('exchange with a session that is not a Pocket session is ERR_CONFIG', async (t) => {
  const http = new FakePocketHttp({});
  const error = await t.throwsAsync(
    protocol().exchange(protocolContext(http), { session: { state: null }, callback: { kind: 'confirmed' } }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_CONFIG');
});

test('a 158 at exchange is ERR_DECLINED with a message for the person and no request token', async (t) => {
  const http = new FakePocketHttp({ '/v3/oauth/authorize': pocketErrorReply(403, '158', 'User rejected code.') });
  const error = await t.throwsAsync(
    protocol().exchange(protocolContext(http), { session: startedSession(), callback: { kind: 'confirmed' } }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_DECLINED');
  t.is(error!.message, 'Access was declined in the browser (or not yet approved).');
  t.false(containsSecret(error));
});

test('storageKey is "pocket:" and a 16-hex SHA-256 prefix of the consumer key, never the key', (t) => {
  const pocket = protocol();
  const expected = createHash('sha256').update(CONSUMER_KEY).digest('hex').slice(0, 16);
  t.is(pocket.storageKey, `pocket:${expected}`);
  t.false(pocket.storageKey.includes(CONSUMER_KEY));
  t.not(createPocketProtocol({ consumerKey: 'another-key' }).storageKey, pocket.storageKey);
});

test('Pocket has no refresh and no revoke; mode is redirect', (t) => {
  const pocket = protocol();
  t.is(pocket.name, 'pocket');
  t.is(pocket.mode, 'redirect');
  t.is(pocket.refresh, undefined);
  t.is(pocket.revoke, undefined);
  t.is(pocket.pollDevice, undefined);
});

test('fetch get sends both secrets and the params, and returns typed items', async (t) => {
  const http = new FakePocketHttp({
    '/v3/get': jsonReply({
      status: 1,
      complete: 1,
      list: { '7': { item_id: '7', favorite: '1', time_added: '1514493110', sort_id: 0 } },
      error: null,
      search_meta: { search_type: 'normal' },
      since: 1700000000,
    }),
  });
  const controller = new AbortController();
  const answer = await protocol().fetch(protocolContext(http, controller.signal), {
    token: { accessToken: ACCESS_TOKEN },
    request: { kind: 'get', params: { contentType: 'article', count: 10 } },
  });
  t.is(answer.kind, 'get');
  if (answer.kind !== 'get') return;
  t.is(answer.result.items[0]!.itemId, '7');
  t.true(answer.result.items[0]!.favorite);
  const [request] = http.requests;
  t.is(request!.url, `${BASE_URL}/v3/get`);
  t.is(request!.method, 'POST');
  t.is(request!.signal, controller.signal);
  t.is(request!.timeoutMs, 4000);
  t.deepEqual(request!.json, {
    consumer_key: CONSUMER_KEY,
    access_token: ACCESS_TOKEN,
    contentType: 'article',
    count: 10,
  });
});

test('fetch add and send go to /v3/add and /v3/send', async (t) => {
  const http = new FakePocketHttp({
    '/v3/add': jsonReply({ item: { item_id: '9', normal_url: 'http://example.com/' }, status: 1 }),
    '/v3/send': jsonReply({ action_results: [true], action_errors: [null], status: 1 }),
  });
  const ctx = protocolContext(http);
  const token = { accessToken: ACCESS_TOKEN };
  const added = await protocol().fetch(ctx, {
    token,
    request: { kind: 'add', url: 'http://example.com/', tags: ['a'] },
  });
  t.is(added.kind, 'add');
  t.deepEqual(http.to('/v3/add')[0]!.json, {
    consumer_key: CONSUMER_KEY,
    access_token: ACCESS_TOKEN,
    url: 'http://example.com/',
    tags: 'a',
  });
  const sent = await protocol().fetch(ctx, {
    token,
    request: { kind: 'send', actions: [{ action: 'archive', itemId: '9' }] },
  });
  t.is(sent.kind, 'send');
  if (sent.kind === 'send') t.true(sent.result.ok);
});

test('a dead token at fetch is ERR_TOKEN_INVALID without the token in the message', async (t) => {
  const http = new FakePocketHttp({
    '/v3/get': pocketErrorReply(401, '107', 'A valid access token is required to access the requested API endpoint.'),
  });
  const error = await t.throwsAsync(
    protocol().fetch(protocolContext(http), { token: { accessToken: ACCESS_TOKEN }, request: { kind: 'get' } }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_TOKEN_INVALID');
  t.false(containsSecret(error));
});

test('a cancelled signal reaches the HttpClient, whose ERR_CANCELLED comes through unchanged', async (t) => {
  const controller = new AbortController();
  const http = new FakePocketHttp({
    '/v3/oauth/request': (request) => {
      controller.abort();
      t.true(request.signal!.aborted);
      throw new AuthError('ERR_CANCELLED', 'The operation was cancelled.');
    },
  });
  const error = await t.throwsAsync(
    protocol().start(protocolContext(http, controller.signal), { redirectUri: LOOPBACK_REDIRECT }),
    {
      instanceOf: AuthError,
    },
  );
  t.is(error!.code, 'ERR_CANCELLED');
});

test('a non-AuthError from the HttpClient is wrapped without copying its message', async (t) => {
  const http = new FakePocketHttp({
    '/v3/oauth/request': () => {
      throw new Error(`socket hang up consumer_key=${CONSUMER_KEY}`);
    },
  });
  const error = await t.throwsAsync(protocol().start(protocolContext(http), { redirectUri: LOOPBACK_REDIRECT }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_UNEXPECTED');
  t.false(error!.message.includes(CONSUMER_KEY));
});
