import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { isLoopbackHost, normalizeBaseUrl, resolvePocketConfig } from '../../src/pocket/config.js';
import { createPocketProtocol } from '../../src/pocket/protocol.js';
import { CONSUMER_KEY } from './fixtures.js';

test('defaults: getpocket.com over https, 15 s, fallback page "/"', (t) => {
  t.deepEqual(resolvePocketConfig({ consumerKey: CONSUMER_KEY }), {
    consumerKey: CONSUMER_KEY,
    baseUrl: 'https://getpocket.com',
    redirectPath: '/',
    timeoutMs: 15_000,
  });
});

test('a base URL keeps its path prefix and loses trailing slashes', (t) => {
  t.is(normalizeBaseUrl('http://127.0.0.1:4000/pocket/'), 'http://127.0.0.1:4000/pocket');
  t.is(normalizeBaseUrl('https://pocket.example.org'), 'https://pocket.example.org');
});

test('plain http is refused unless the host is loopback', (t) => {
  for (const url of ['http://127.0.0.1:1', 'http://127.8.9.10', 'http://localhost:3000', 'http://[::1]:8080']) {
    t.notThrows(() => normalizeBaseUrl(url), url);
  }
  for (const url of ['http://getpocket.com', 'http://10.0.0.1', 'http://127.0.0.1.example.com']) {
    const error = t.throws(() => normalizeBaseUrl(url), { instanceOf: AuthError });
    t.is(error!.code, 'ERR_INSECURE_URL', url);
  }
});

test('isLoopbackHost knows the loopback names', (t) => {
  t.true(isLoopbackHost('127.0.0.1'));
  t.true(isLoopbackHost('[::1]'));
  t.true(isLoopbackHost('LOCALHOST'));
  t.false(isLoopbackHost('128.0.0.1'));
  t.false(isLoopbackHost('localhost.evil.com'));
});

test('bad settings are ERR_CONFIG and never mention the key', (t) => {
  const cases = [
    { consumerKey: '' },
    { consumerKey: CONSUMER_KEY, baseUrl: 'not a url' },
    { consumerKey: CONSUMER_KEY, baseUrl: 'ftp://getpocket.com' },
    { consumerKey: CONSUMER_KEY, baseUrl: 'https://getpocket.com/?x=1' },
    { consumerKey: CONSUMER_KEY, redirectPath: 'done' },
    { consumerKey: CONSUMER_KEY, redirectPath: '//evil.example/' },
    { consumerKey: CONSUMER_KEY, timeoutMs: 0 },
  ];
  for (const options of cases) {
    const error = t.throws(() => createPocketProtocol(options), { instanceOf: AuthError });
    t.is(error!.code, 'ERR_CONFIG', JSON.stringify({ ...options, consumerKey: '…' }));
    t.false(error!.message.includes(CONSUMER_KEY));
  }
});
