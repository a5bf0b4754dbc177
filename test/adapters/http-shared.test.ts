import test from 'ava';
import { describeTarget, isSameOrigin, mapFailure, normaliseHeaders } from '../../adapters/http-shared.js';

const url = new URL('https://api.example.test/v3/oauth/request?consumer_key=SECRET');
const live = new AbortController().signal;

test('describeTarget names host and port, filling in the default port', (t) => {
  t.is(describeTarget(url), 'api.example.test:443');
  t.is(describeTarget(new URL('http://[::1]:8080/x')), '[::1]:8080');
  t.is(describeTarget(new URL('http://h/x')), 'h:80');
});

test('isSameOrigin compares scheme, host and port', (t) => {
  const base = new URL('http://127.0.0.1:9000/a');
  t.true(isSameOrigin(base, new URL('/b?c=1', base)));
  t.false(isSameOrigin(base, new URL('http://localhost:9000/b')));
  t.false(isSameOrigin(base, new URL('http://127.0.0.1:9001/b')));
  t.false(isSameOrigin(new URL('https://h/a'), new URL('http://h/a')));
});

test('normaliseHeaders lower-cases names and joins repeats', (t) => {
  t.deepEqual(
    normaliseHeaders([
      ['Set-Cookie', ['a=1', 'b=2']],
      ['X-A', '1'],
      ['x-a', '2'],
      ['X-Gone', undefined],
      ['Content-Length', 5],
    ]),
    {
      'set-cookie': 'a=1, b=2',
      'x-a': '1, 2',
      'content-length': '5',
    },
  );
});

test('mapFailure reads codes from the cause chain and never copies a message', (t) => {
  const dns = mapFailure(
    Object.assign(new Error('getaddrinfo ENOTFOUND SECRET'), { code: 'ENOTFOUND' }),
    url,
    live,
    1000,
  );
  t.is(dns.code, 'ERR_NETWORK');
  t.true(dns.retryable);
  t.regex(dns.message, /api\.example\.test:443.*resolved/);
  const undici = mapFailure(
    new TypeError('fetch failed SECRET', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
    url,
    live,
    1000,
  );
  t.regex(undici.message, /reset/);
  const tls = mapFailure(Object.assign(new Error('SECRET'), { code: 'CERT_HAS_EXPIRED' }), url, live, 1000);
  t.false(tls.retryable);
  const hangUp = mapFailure(new Error('socket hang up'), url, live, 1000);
  t.regex(hangUp.message, /reset/);
  const timeout = mapFailure(Object.assign(new Error('SECRET'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), url, live, 1000);
  t.is(timeout.code, 'ERR_TIMEOUT');
  const unknown = mapFailure(new Error('weird SECRET'), url, live, 1000);
  t.is(unknown.code, 'ERR_NETWORK');
  for (const error of [dns, undici, tls, hangUp, timeout, unknown]) {
    t.false(error.message.includes('SECRET'));
    t.is(error.cause, undefined);
  }
});
