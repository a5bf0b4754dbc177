import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { readRateLimits, retryAfterMs } from '../../src/pocket/rate-limit.js';
import { decodePocketAnswer, encodePocketRequest } from '../../src/pocket/wire.js';

const json = (body: string, contentType = 'application/json') => ({
  status: 200,
  headers: { 'content-type': contentType },
  body,
});

test('encodePocketRequest: POST, JSON body, Pocket headers, deadline, signal, size limit', (t) => {
  const signal = new AbortController().signal;
  const request = encodePocketRequest(
    { baseUrl: 'https://getpocket.com', timeoutMs: 100, signal, maxBodyBytes: 10 },
    '/v3/get',
    { a: 1 },
  );
  t.deepEqual(request, {
    method: 'POST',
    url: 'https://getpocket.com/v3/get',
    headers: { 'Content-Type': 'application/json; charset=UTF8', 'X-Accept': 'application/json' },
    body: '{"a":1}',
    timeoutMs: 100,
    signal,
    maxBodyBytes: 10,
  });
});

test('decode: JSON object, and form fields only where allowed', (t) => {
  t.deepEqual(decodePocketAnswer(json('{"code":"x"}'), { allowForm: false }), { code: 'x' });
  const form = {
    status: 200,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'access_token=a&username=b%40c',
  };
  t.deepEqual(decodePocketAnswer(form, { allowForm: true }), { access_token: 'a', username: 'b@c' });
  // Without a content type, a form-looking body is still read at the OAuth endpoints.
  t.deepEqual(decodePocketAnswer({ status: 200, headers: {}, body: 'code=abc' }, { allowForm: true }), { code: 'abc' });
  const error = t.throws(() => decodePocketAnswer(form, { allowForm: false }), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
});

const BAD_BODIES: [string, string, string | undefined][] = [
  ['malformed JSON', '{"status":1,', 'application/json'],
  ['truncated JSON without content type', '{"list":', undefined],
  ['HTML error page', '<!DOCTYPE html><html><body>Maintenance</body></html>', 'text/html; charset=UTF-8'],
  ['HTML served as JSON', '<html>oops</html>', 'application/json'],
  ['JSON array', '[1,2]', 'application/json'],
  ['JSON null', 'null', 'application/json'],
  ['empty body', '   ', 'application/json'],
  ['plain text', 'hello', 'text/plain'],
];

for (const [name, body, contentType] of BAD_BODIES) {
  test(`decode: ${name} is ERR_BAD_RESPONSE and its text is not copied`, (t) => {
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    const error = t.throws(() => decodePocketAnswer({ status: 200, headers, body }, { allowForm: false }), {
      instanceOf: AuthError,
    });
    t.is(error!.code, 'ERR_BAD_RESPONSE');
    t.is(error!.status, 200);
    if (body.trim().length > 4) t.false(error!.message.includes(body.trim()));
  });
}

test('readRateLimits reads both budgets and skips bad numbers', (t) => {
  t.deepEqual(
    readRateLimits({
      'x-limit-user-limit': '320',
      'x-limit-user-remaining': '319',
      'x-limit-user-reset': '3600',
      'x-limit-key-limit': '10000',
      'x-limit-key-remaining': 'lots',
      'x-limit-key-reset': ' 42 ',
    }),
    { user: { limit: 320, remaining: 319, resetSeconds: 3600 }, key: { limit: 10000, resetSeconds: 42 } },
  );
  t.deepEqual(readRateLimits({ 'content-type': 'application/json' }), {});
});

test('retryAfterMs prefers the exhausted budget, then Retry-After, then any reset', (t) => {
  t.is(
    retryAfterMs({
      'x-limit-user-remaining': '3',
      'x-limit-user-reset': '10',
      'x-limit-key-remaining': '0',
      'x-limit-key-reset': '99',
    }),
    99_000,
  );
  t.is(
    retryAfterMs({
      'x-limit-user-remaining': '0',
      'x-limit-user-reset': '10',
      'x-limit-key-remaining': '0',
      'x-limit-key-reset': '99',
    }),
    10_000,
  );
  t.is(retryAfterMs({ 'retry-after': '7', 'x-limit-user-reset': '10' }), 7_000);
  t.is(retryAfterMs({ 'x-limit-key-reset': '5' }), 5_000);
  t.is(retryAfterMs({}), undefined);
});
