/**
 * Every error row of both tables in pocket-api.md, sent as the real service sent it, must come
 * out as the right AuthError: code, status, providerCode, retryable, and a message with no secret.
 */
import test from 'ava';
import type { AuthErrorCode } from '../../adapters/errors.js';
import { AuthError } from '../../adapters/errors.js';
import { getItems } from '../../src/pocket/data.js';
import { pocketError } from '../../src/pocket/errors.js';
import { createPocketProtocol } from '../../src/pocket/protocol.js';
import { FakePocketHttp, limitHeaders, pocketErrorReply, type FakeReply } from '../helpers/pocket-fake-http.js';
import { ACCESS_TOKEN, BASE_URL, CONSUMER_KEY, REQUEST_TOKEN, containsSecret, protocolContext } from './fixtures.js';

interface Row {
  endpoint: 'request' | 'authorize' | 'data';
  status: number;
  providerCode?: string;
  xError?: string;
  headers?: Record<string, string>;
  expected: AuthErrorCode;
  retryable: boolean;
  retryAfterMs?: number;
}

const OAUTH_ROWS: Row[] = [
  {
    endpoint: 'request',
    status: 400,
    providerCode: '138',
    xError: 'Missing consumer key.',
    expected: 'ERR_INVALID_CLIENT',
    retryable: false,
  },
  {
    endpoint: 'request',
    status: 400,
    providerCode: '140',
    xError: 'Missing redirect url.',
    expected: 'ERR_INVALID_REQUEST',
    retryable: false,
  },
  {
    endpoint: 'request',
    status: 403,
    providerCode: '152',
    xError: 'Invalid consumer key.',
    expected: 'ERR_INVALID_CLIENT',
    retryable: false,
  },
  {
    endpoint: 'request',
    status: 500,
    providerCode: '199',
    xError: 'Pocket server issue.',
    expected: 'ERR_SERVER',
    retryable: true,
  },
  {
    endpoint: 'request',
    status: 502,
    providerCode: '199',
    xError: 'Pocket server issue.',
    expected: 'ERR_SERVER',
    retryable: true,
  },
  {
    endpoint: 'request',
    status: 503,
    providerCode: '199',
    xError: 'Pocket server issue.',
    expected: 'ERR_SERVER',
    retryable: true,
  },
  {
    endpoint: 'authorize',
    status: 400,
    providerCode: '138',
    xError: 'Missing consumer key.',
    expected: 'ERR_INVALID_CLIENT',
    retryable: false,
  },
  {
    endpoint: 'authorize',
    status: 403,
    providerCode: '152',
    xError: 'Invalid consumer key.',
    expected: 'ERR_INVALID_CLIENT',
    retryable: false,
  },
  {
    endpoint: 'authorize',
    status: 400,
    providerCode: '181',
    xError: 'Invalid redirect uri.',
    expected: 'ERR_INVALID_REQUEST',
    retryable: false,
  },
  {
    endpoint: 'authorize',
    status: 400,
    providerCode: '182',
    xError: 'Missing code.',
    expected: 'ERR_INVALID_REQUEST',
    retryable: false,
  },
  {
    endpoint: 'authorize',
    status: 400,
    providerCode: '185',
    xError: 'Code not found.',
    expected: 'ERR_CODE_INVALID',
    retryable: false,
  },
  {
    endpoint: 'authorize',
    status: 403,
    providerCode: '158',
    xError: 'User rejected code.',
    expected: 'ERR_DECLINED',
    retryable: false,
  },
  {
    endpoint: 'authorize',
    status: 403,
    providerCode: '159',
    xError: 'Already used code.',
    expected: 'ERR_CODE_INVALID',
    retryable: false,
  },
  {
    endpoint: 'authorize',
    status: 500,
    providerCode: '199',
    xError: 'Pocket server issue.',
    expected: 'ERR_SERVER',
    retryable: true,
  },
  {
    endpoint: 'authorize',
    status: 503,
    providerCode: '199',
    xError: 'Pocket server issue.',
    expected: 'ERR_SERVER',
    retryable: true,
  },
];

const DATA_ROWS: Row[] = [
  {
    endpoint: 'data',
    status: 400,
    providerCode: '130',
    xError: 'Invalid request, please refer to API documentation.',
    expected: 'ERR_INVALID_REQUEST',
    retryable: false,
  },
  {
    endpoint: 'data',
    status: 401,
    providerCode: '107',
    xError: 'A valid access token is required to access the requested API endpoint.',
    expected: 'ERR_TOKEN_INVALID',
    retryable: false,
  },
  {
    endpoint: 'data',
    status: 401,
    providerCode: '136',
    xError: 'Invalid consumer key.',
    expected: 'ERR_TOKEN_INVALID',
    retryable: false,
  },
  {
    endpoint: 'data',
    status: 401,
    providerCode: '137',
    xError: 'Consumer key and access token do not match.',
    expected: 'ERR_TOKEN_INVALID',
    retryable: false,
  },
  {
    endpoint: 'data',
    status: 403,
    providerCode: '150',
    xError: 'Endpoint forbidden for this key.',
    expected: 'ERR_FORBIDDEN',
    retryable: false,
  },
  {
    endpoint: 'data',
    status: 403,
    providerCode: '151',
    xError: 'The provided keys do not have proper permission.',
    expected: 'ERR_FORBIDDEN',
    retryable: false,
  },
  {
    endpoint: 'data',
    status: 403,
    headers: limitHeaders([320, 0, 1234], [10000, 9000, 3000]),
    expected: 'ERR_RATE_LIMITED',
    retryable: true,
    retryAfterMs: 1_234_000,
  },
  {
    endpoint: 'data',
    status: 503,
    providerCode: '199',
    xError: 'Pocket server issue.',
    expected: 'ERR_SERVER',
    retryable: true,
  },
];

function reply(row: Row): FakeReply {
  return pocketErrorReply(row.status, row.providerCode, row.xError, row.headers);
}

/** Drives one row through the public entry point for its endpoint. */
async function failWith(row: Row): Promise<unknown> {
  const path = { request: '/v3/oauth/request', authorize: '/v3/oauth/authorize', data: '/v3/get' }[row.endpoint];
  const http = new FakePocketHttp({ [path]: reply(row) });
  const pocket = createPocketProtocol({ consumerKey: CONSUMER_KEY, baseUrl: BASE_URL });
  const ctx = protocolContext(http);
  try {
    if (row.endpoint === 'request') await pocket.start(ctx, { redirectUri: 'http://127.0.0.1:9/cb' });
    else if (row.endpoint === 'authorize') {
      await pocket.exchange(ctx, {
        session: { state: null, requestToken: REQUEST_TOKEN, redirectUri: 'http://127.0.0.1:9/cb' },
        callback: { kind: 'confirmed' },
      });
    } else await getItems({ http, baseUrl: BASE_URL }, { consumerKey: CONSUMER_KEY, accessToken: ACCESS_TOKEN });
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

for (const row of [...OAUTH_ROWS, ...DATA_ROWS]) {
  const label = `${row.endpoint} ${row.status} ${row.providerCode ?? '(no code)'} -> ${row.expected}`;
  test(label, async (t) => {
    const error = await failWith(row);
    t.true(error instanceof AuthError);
    const authError = error as AuthError;
    t.is(authError.code, row.expected);
    t.is(authError.status, row.status);
    t.is(authError.providerCode, row.providerCode);
    t.is(authError.retryable, row.retryable);
    t.is(authError.retryAfterMs, row.retryAfterMs);
    t.false(containsSecret(authError), 'no secret in what a person or a log sees');
    // A message for a person: a sentence, not Pocket's raw header text.
    t.regex(authError.message, /\.$/);
    if (row.xError) t.false(authError.message.includes(row.xError));
  });
}

test('every provider code gets its own actionable message, and 152 says to check the consumer key', async (t) => {
  const error = (await failWith(OAUTH_ROWS[2]!)) as AuthError;
  t.is(
    error.message,
    'Pocket does not recognise this consumer key. Check that it is the one Pocket issued for your app.',
  );
  const messages = new Set<string>();
  for (const row of [...OAUTH_ROWS, ...DATA_ROWS].filter((r) => r.providerCode && r.providerCode !== '199')) {
    messages.add(((await failWith(row)) as AuthError).message);
  }
  // 14 distinct codes (138 and 152 appear at both OAuth endpoints with the same message).
  t.is(messages.size, 14);
});

const NO_SECRETS_HEADERS = { 'content-type': 'text/html' };

test('403 with no code and the key budget exhausted waits for the key reset', (t) => {
  const error = pocketError(
    {
      status: 403,
      headers: { ...NO_SECRETS_HEADERS, ...lower(limitHeaders([320, 100, 50], [10000, 0, 900])) },
      body: '403 Forbidden',
    },
    'data',
  );
  t.is(error.code, 'ERR_RATE_LIMITED');
  t.is(error.retryAfterMs, 900_000);
  t.true(error.retryable);
  t.regex(error.message, /consumer key/);
  t.regex(error.message, /900 s/);
});

test('429 is ERR_RATE_LIMITED, with Retry-After when no X-Limit header says more', (t) => {
  const error = pocketError({ status: 429, headers: { 'retry-after': '30' }, body: '' }, 'data');
  t.is(error.code, 'ERR_RATE_LIMITED');
  t.is(error.status, 429);
  t.is(error.retryAfterMs, 30_000);
  t.true(error.retryable);
  const withLimits = pocketError(
    { status: 429, headers: lower(limitHeaders([320, 0, 60], [10000, 5, 10])), body: '' },
    'data',
  );
  t.is(withLimits.retryAfterMs, 60_000);
});

test('429 with no hints at all is still ERR_RATE_LIMITED, without retryAfterMs', (t) => {
  const error = pocketError({ status: 429, headers: {}, body: '' }, 'request');
  t.is(error.code, 'ERR_RATE_LIMITED');
  t.is(error.retryAfterMs, undefined);
});

test('a plain 403 with budget left and no code is not a rate limit', (t) => {
  const error = pocketError(
    { status: 403, headers: lower(limitHeaders([320, 5, 60], [10000, 5, 60])), body: '' },
    'data',
  );
  t.is(error.code, 'ERR_PROTOCOL');
});

test('a 5xx without X-Error-Code is a retryable ERR_SERVER', (t) => {
  const error = pocketError(
    { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad gateway</html>' },
    'data',
  );
  t.is(error.code, 'ERR_SERVER');
  t.true(error.retryable);
  t.is(error.providerCode, undefined);
});

test('a bare 401 on a data call means the token is dead', (t) => {
  t.is(pocketError({ status: 401, headers: {}, body: '' }, 'data').code, 'ERR_TOKEN_INVALID');
  t.is(pocketError({ status: 401, headers: {}, body: '' }, 'authorize').code, 'ERR_PROTOCOL');
});

test("an unknown code is ERR_PROTOCOL naming the code but not Pocket's X-Error text", (t) => {
  const error = pocketError(
    { status: 400, headers: { 'x-error-code': '999', 'x-error': `Echoing ${CONSUMER_KEY}.` }, body: '400 Bad Request' },
    'data',
  );
  t.is(error.code, 'ERR_PROTOCOL');
  t.is(error.providerCode, '999');
  t.regex(error.message, /999/);
  t.false(containsSecret(error));
});

test('error headers on a 200 still make it an error: headers decide, not the body', async (t) => {
  const http = new FakePocketHttp({
    '/v3/oauth/authorize': {
      status: 200,
      headers: { 'X-Error-Code': '159', 'X-Error': 'Already used code.', 'Content-Type': 'application/json' },
      body: JSON.stringify({ access_token: ACCESS_TOKEN }),
    },
  });
  const pocket = createPocketProtocol({ consumerKey: CONSUMER_KEY, baseUrl: BASE_URL });
  const error = await t.throwsAsync(
    pocket.exchange(protocolContext(http), {
      session: { state: null, requestToken: REQUEST_TOKEN, redirectUri: 'x' },
      callback: { kind: 'confirmed' },
    }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_CODE_INVALID');
});

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
