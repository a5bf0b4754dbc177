/**
 * Hostile requests at the REAL loopback listener during a REAL Pocket login against the
 * emulator (approval 'page', decided from the test): forged, repeated, misdirected, huge,
 * scripted, rebound and slow requests are all turned away while the flow keeps waiting; the
 * genuine callback still completes the login, and the listener is closed afterwards.
 */
import { connect, type Socket } from 'node:net';
import test from 'ava';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { LoopbackReceiver } from '../../adapters/loopback-receiver.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { startPocketEmulator } from '../../src/pocket/emulator/index.js';
import { createPocketProtocol } from '../../src/pocket/index.js';
import { portRefuses } from './helpers/matrix.js';

/** Sends raw bytes, returns whatever comes back before the server closes (or `waitMs`). */
function raw(port: number, request: string, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const done = () => (clearTimeout(timer), socket.destroy(), resolve(text));
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('end', done);
    socket.on('error', done);
    socket.write(request);
  });
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

test('the listener turns away every hostile request, keeps waiting, completes on the genuine callback and closes', async (t) => {
  const emulator = await startPocketEmulator({ approval: 'page' });
  t.teardown(() => emulator.close());
  const store = new MemoryTokenStore();
  const protocol = createPocketProtocol({ consumerKey: emulator.consumerKey, baseUrl: emulator.url, timeoutMs: 5000 });
  const flow = createAuthFlow({
    protocol,
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver({ requestTimeoutMs: 1500 }),
    store,
    config: { userTimeoutMs: 20_000 },
  });
  t.teardown(() => flow.stop());
  const strays: Array<string | null> = [];
  flow.on('strayCallback', (e) => strays.push(e.providerError));
  const urlShown = new Promise<string>((resolve) => flow.on('authorizationUrl', (e) => resolve(e.url)));
  const login = flow.login();

  const authorizationUrl = new URL(await urlShown);
  const requestToken = authorizationUrl.searchParams.get('request_token')!;
  const genuine = new URL(authorizationUrl.searchParams.get('redirect_uri')!);
  const state = genuine.searchParams.get('state')!;
  const port = Number(genuine.port);
  const get = (target: string, host = `127.0.0.1:${port}`) =>
    raw(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

  // Slow clients first: half a request each, held open through the whole login.
  const slow: Socket[] = [];
  const slowClosed: Array<Promise<void>> = [];
  for (const partial of [
    `GET /callback?state=${state}&code=x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`,
    'GET /call',
    '',
  ]) {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    slowClosed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    socket.write(partial);
    slow.push(socket);
  }

  const script = '<script>alert(document.cookie)</script>';
  const hostile: Array<[string, () => Promise<string>, number]> = [
    ['missing state', () => get('/callback?code=forged'), 400],
    ['wrong state', () => get('/callback?state=forged-state&code=forged'), 400],
    ['state as a prefix', () => get(`/callback?state=${state}x`), 400],
    ['state twice', () => get(`/callback?state=${state}&state=${state}`), 400],
    ['other path', () => get(`/other?state=${state}`), 404],
    ['path with a script', () => get(`/${encodeURIComponent(script)}?state=${state}`), 404],
    [
      'script in parameters',
      () => get(`/callback?state=${encodeURIComponent(script)}&error=${encodeURIComponent(script)}`),
      400,
    ],
    ['huge query string', () => get(`/callback?state=${state}&pad=${'A'.repeat(12_000)}`), 414],
    ['header block over the limit', () => get(`/callback?pad=${'B'.repeat(40_000)}`), 431],
    ['Host not loopback', () => get(`/callback?state=${state}&code=x`, `evil.example:${port}`), 400],
    ['Host of another port', () => get(`/callback?state=${state}&code=x`, `127.0.0.1:${port + 1}`), 400],
    [
      'POST with the real state',
      () =>
        raw(
          port,
          `POST /callback?state=${state}&code=x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        ),
      400,
    ],
    ['absolute-form target', () => get(`http://evil.example/callback?state=${state}`), 400],
  ];
  for (const [name, send, expected] of hostile) {
    const response = await send();
    t.is(statusOf(response), expected, name);
    t.false(response.includes('<script'), `${name}: the page echoes a raw <script>`);
  }
  t.is(flow.state.value, 'awaitingUser', 'the flow keeps waiting through the hostile requests');

  // The person approves, the browser comes back: the genuine callback completes the login.
  t.true(emulator.decide(requestToken, 'approve'));
  const answer = await get(`${genuine.pathname}${genuine.search}`);
  t.is(statusOf(answer), 200);
  const result = await login;
  t.is(result.username, emulator.username);
  t.is(flow.state.value, 'authorized');
  t.not(await store.get(protocol.storageKey), null);
  t.deepEqual(
    strays,
    [script],
    'of the forged hits only the error redirect reached the machine, as a stray it reports and never trusts',
  );

  // Afterwards: the listener is closed, a repeated callback finds nobody, slow clients were cut off.
  t.true(await portRefuses(port), 'the listener is closed');
  t.is(statusOf(await get(`${genuine.pathname}${genuine.search}`)), 0, 'a repeated callback is not answered');
  await Promise.all(slowClosed);
  t.true(slow.every((s) => s.destroyed));
});
