/**
 * One table of cases, run against both HTTP clients and a real node:http server on loopback.
 */
import test from 'ava';
import { once } from 'node:events';
import { inspect } from 'node:util';
import type { HttpClient, HttpRequest } from '../../adapters/contracts.js';
import { AuthError, type AuthErrorCode } from '../../adapters/errors.js';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { FetchHttpClient } from '../../adapters/http-fetch.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/http-test-server.js';

const SECRET = 'sEcReT-7f3a9c';
const clients: Array<[string, () => HttpClient]> = [
  ['axios', () => new AxiosHttpClient()],
  ['fetch', () => new FetchHttpClient()],
];

async function withServer(t: { teardown(fn: () => Promise<void>): void }): Promise<TestServer> {
  const server = await startTestServer();
  t.teardown(() => server.close());
  return server;
}

/** A request that carries the secret in its query and body, so every failure can be checked. */
function secretRequest(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: 'POST',
    url: `${url}${url.includes('?') ? '&' : '?'}access_token=${SECRET}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `code=${SECRET}`,
    timeoutMs: 5000,
    ...extra,
  };
}

/** Asserts an AuthError with `code` that names host:port and never shows the secret. */
async function failsWith(
  t: import('ava').ExecutionContext,
  promise: Promise<unknown>,
  code: AuthErrorCode,
  hostPort: string,
): Promise<AuthError> {
  const error = await t.throwsAsync(promise, { instanceOf: AuthError });
  t.is(error!.code, code, error!.message);
  t.true(error!.message.includes(hostPort), `message names ${hostPort}: ${error!.message}`);
  t.false(inspect(error, { depth: 10 }).includes(SECRET), 'secret leaked into the error');
  t.false(JSON.stringify(error).includes(SECRET));
  t.false(error!.message.includes('access_token'), 'query leaked into the message');
  return error!;
}

for (const [name, makeClient] of clients) {
  test(`${name}: JSON body, headers and query round-trip`, async (t) => {
    const server = await withServer(t);
    const response = await makeClient().send({
      method: 'POST',
      url: `${server.origin}/echo?x=1`,
      headers: { 'Content-Type': 'application/json; charset=UTF-8', 'X-Accept': 'application/json' },
      body: JSON.stringify({ consumer_key: 'k', redirect_uri: 'r' }),
      timeoutMs: 5000,
    });
    t.is(response.status, 200);
    t.is(response.headers['content-type'], 'application/json');
    t.is(response.headers['x-multi'], 'a, b');
    for (const key of Object.keys(response.headers)) t.is(key, key.toLowerCase());
    const echoed = JSON.parse(response.body);
    t.is(echoed.method, 'POST');
    t.deepEqual(JSON.parse(echoed.body), { consumer_key: 'k', redirect_uri: 'r' });
    t.is(echoed.headers['x-accept'], 'application/json');
    t.is(echoed.headers['content-type'], 'application/json; charset=UTF-8');
    t.is(echoed.query, '?x=1');
  });

  test(`${name}: form body round-trips unchanged`, async (t) => {
    const server = await withServer(t);
    const form = new URLSearchParams({ grant_type: 'authorization_code', code: 'a b&c', verifier: 'ü' }).toString();
    const response = await makeClient().send({
      method: 'POST',
      url: `${server.origin}/echo`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
      timeoutMs: 5000,
    });
    const echoed = JSON.parse(response.body);
    t.is(echoed.body, form);
    t.is(echoed.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  test(`${name}: 4xx and 5xx resolve with their body`, async (t) => {
    const server = await withServer(t);
    const client = makeClient();
    for (const code of [400, 401, 403, 404, 429, 500, 503]) {
      const response = await client.send({
        method: 'GET',
        url: `${server.origin}/status?code=${code}`,
        timeoutMs: 5000,
      });
      t.is(response.status, code);
      t.is(response.body, `status ${code}`);
    }
  });

  test(`${name}: connection refused -> ERR_NETWORK, retryable`, async (t) => {
    const port = await closedPort();
    const error = await failsWith(
      t,
      makeClient().send(secretRequest(`http://127.0.0.1:${port}/x`)),
      'ERR_NETWORK',
      `127.0.0.1:${port}`,
    );
    t.true(error.retryable);
    t.regex(error.message, /refused/);
  });

  test(`${name}: reset mid-body -> ERR_NETWORK`, async (t) => {
    const server = await withServer(t);
    const error = await failsWith(
      t,
      makeClient().send(secretRequest(`${server.origin}/reset-mid-body`)),
      'ERR_NETWORK',
      `127.0.0.1:${server.port}`,
    );
    t.true(error.retryable);
    t.regex(error.message, /reset/);
  });

  test(`${name}: no headers before the deadline -> ERR_TIMEOUT`, async (t) => {
    const server = await withServer(t);
    const error = await failsWith(
      t,
      makeClient().send(secretRequest(`${server.origin}/stall-headers`, { timeoutMs: 300 })),
      'ERR_TIMEOUT',
      `127.0.0.1:${server.port}`,
    );
    t.true(error.retryable);
  });

  test(`${name}: headers then a body that never ends -> ERR_TIMEOUT`, async (t) => {
    const server = await withServer(t);
    await failsWith(
      t,
      makeClient().send(secretRequest(`${server.origin}/stall-body`, { timeoutMs: 300 })),
      'ERR_TIMEOUT',
      `127.0.0.1:${server.port}`,
    );
  });

  test(`${name}: streamed body over the limit -> ERR_RESPONSE_TOO_LARGE`, async (t) => {
    const server = await withServer(t);
    await failsWith(
      t,
      makeClient().send(secretRequest(`${server.origin}/big-chunked`, { maxBodyBytes: 64 * 1024 })),
      'ERR_RESPONSE_TOO_LARGE',
      `127.0.0.1:${server.port}`,
    );
  });

  test(`${name}: declared Content-Length over the limit -> ERR_RESPONSE_TOO_LARGE`, async (t) => {
    const server = await withServer(t);
    await failsWith(
      t,
      makeClient().send(secretRequest(`${server.origin}/big-declared`, { maxBodyBytes: 1024 })),
      'ERR_RESPONSE_TOO_LARGE',
      `127.0.0.1:${server.port}`,
    );
  });

  test(`${name}: the client-wide limit applies when the request sets none`, async (t) => {
    const server = await withServer(t);
    const Client = name === 'axios' ? AxiosHttpClient : FetchHttpClient;
    const client = new Client({ maxBodyBytes: 1000 });
    await failsWith(
      t,
      client.send(secretRequest(`${server.origin}/big-chunked`)),
      'ERR_RESPONSE_TOO_LARGE',
      `127.0.0.1:${server.port}`,
    );
    const small = await client.send({ method: 'GET', url: `${server.origin}/status?code=200`, timeoutMs: 5000 });
    t.is(small.body, 'status 200');
  });

  test(`${name}: a redirect to another host -> ERR_REDIRECT_REFUSED, not followed`, async (t) => {
    const server = await withServer(t);
    const seen: string[] = [];
    server.events.on('request', (path: string) => seen.push(path));
    const error = await failsWith(
      t,
      makeClient().send(secretRequest(`${server.origin}/redirect-other-host`)),
      'ERR_REDIRECT_REFUSED',
      `127.0.0.1:${server.port}`,
    );
    t.is(error.status, 302);
    t.deepEqual(seen, ['/redirect-other-host']);
  });

  test(`${name}: same-origin redirects are followed (303 turns POST into GET)`, async (t) => {
    const server = await withServer(t);
    const client = makeClient();
    const followed = await client.send({ method: 'GET', url: `${server.origin}/redirect-same`, timeoutMs: 5000 });
    t.is(followed.status, 200);
    t.is(JSON.parse(followed.body).query, '?after=redirect');
    const seeOther = await client.send({
      method: 'POST',
      url: `${server.origin}/see-other`,
      body: 'a=1',
      headers: { 'Content-Type': 'text/plain' },
      timeoutMs: 5000,
    });
    const echoed = JSON.parse(seeOther.body);
    t.is(echoed.method, 'GET');
    t.is(echoed.body, '');
  });

  test(`${name}: more than 3 same-origin redirects -> ERR_REDIRECT_REFUSED`, async (t) => {
    const server = await withServer(t);
    let hits = 0;
    server.events.on('request', () => hits++);
    await failsWith(
      t,
      makeClient().send(secretRequest(`${server.origin}/redirect-loop`)),
      'ERR_REDIRECT_REFUSED',
      `127.0.0.1:${server.port}`,
    );
    t.is(hits, 4);
  });

  test(`${name}: aborting mid-request -> ERR_CANCELLED`, async (t) => {
    const server = await withServer(t);
    const controller = new AbortController();
    const arrived = once(server.events, 'request');
    const pending = makeClient().send(secretRequest(`${server.origin}/stall-headers`, { signal: controller.signal }));
    await arrived;
    controller.abort();
    const error = await failsWith(t, pending, 'ERR_CANCELLED', `127.0.0.1:${server.port}`);
    t.false(error.retryable);
  });

  test(`${name}: aborting while the body streams -> ERR_CANCELLED`, async (t) => {
    const server = await withServer(t);
    const controller = new AbortController();
    const arrived = once(server.events, 'request');
    const pending = makeClient().send(secretRequest(`${server.origin}/stall-body`, { signal: controller.signal }));
    await arrived;
    setTimeout(() => controller.abort(), 50);
    await failsWith(t, pending, 'ERR_CANCELLED', `127.0.0.1:${server.port}`);
  });

  test(`${name}: an already aborted signal -> ERR_CANCELLED without a request`, async (t) => {
    const server = await withServer(t);
    let hits = 0;
    server.events.on('request', () => hits++);
    await failsWith(
      t,
      makeClient().send(secretRequest(`${server.origin}/echo`, { signal: AbortSignal.abort() })),
      'ERR_CANCELLED',
      `127.0.0.1:${server.port}`,
    );
    t.is(hits, 0);
  });

  test(`${name}: a non-http URL is refused as ERR_CONFIG`, async (t) => {
    const error = await t.throwsAsync(
      makeClient().send({ method: 'GET', url: `file:///etc/passwd?${SECRET}`, timeoutMs: 1000 }),
      { instanceOf: AuthError },
    );
    t.is(error!.code, 'ERR_CONFIG');
    t.false(error!.message.includes(SECRET));
  });
}
