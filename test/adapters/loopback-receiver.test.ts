/**
 * The loopback receiver under real HTTP requests: every stray or forged request gets a 4xx and
 * the receiver keeps waiting; only the genuine hit settles `callback`.
 */
import test, { type ExecutionContext } from 'ava';
import { request as httpRequest, createServer } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { AuthError } from '../../adapters/errors.js';
import {
  LoopbackReceiver,
  type LoopbackReceiverOptions,
  type LoopbackSession,
} from '../../adapters/loopback-receiver.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so the Host header and method can be anything. */
function send(
  port: number,
  path: string,
  options: { method?: string; host?: string; host6?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: options.host6 ? '::1' : '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { Host: options.host ?? `127.0.0.1:${port}` },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function listen(
  t: ExecutionContext,
  options: LoopbackReceiverOptions = {},
  signal = new AbortController().signal,
): Promise<LoopbackSession> {
  const session = await new LoopbackReceiver(options).listen({ signal });
  t.teardown(() => session.close());
  return session;
}

/** True if `callback` has not settled (checked after the event loop had a chance to settle it). */
async function stillWaiting(session: LoopbackSession): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([
    session.callback.catch(() => 'rejected'),
    new Promise((r) => setImmediate(() => r(marker))),
  ]);
  return winner === marker;
}

test('binds 127.0.0.1 on an ephemeral port and names it in redirectUri', async (t) => {
  const session = await listen(t);
  t.true(session.port > 0);
  t.is(session.redirectUri, `http://127.0.0.1:${session.port}/callback`);
  t.deepEqual(session.addresses, ['127.0.0.1']);
});

test('the genuine hit resolves with all query params and says the tab can be closed', async (t) => {
  const session = await listen(t);
  session.expect('st-123');
  const reply = await send(session.port, '/callback?code=abc&state=st-123&iss=https%3A%2F%2Fas.test');
  t.is(reply.status, 200);
  t.regex(reply.body, /You can close this tab and return to the terminal/);
  t.deepEqual(await session.callback, {
    kind: 'redirect',
    params: { code: 'abc', state: 'st-123', iss: 'https://as.test' },
  });
});

test('every response carries no-store, a deny-all CSP and no-referrer', async (t) => {
  const session = await listen(t);
  session.expect('s');
  for (const path of ['/other', '/callback?state=wrong', '/callback?state=s']) {
    const reply = await send(session.port, path);
    t.is(reply.headers['cache-control'], 'no-store');
    t.is(reply.headers['content-security-policy'], "default-src 'none'");
    t.is(reply.headers['referrer-policy'], 'no-referrer');
    t.regex(String(reply.headers['content-type']), /^text\/html/);
  }
});

test('a hit before expect() is 400 and the receiver keeps waiting', async (t) => {
  const session = await listen(t);
  const reply = await send(session.port, '/callback?code=abc&state=s');
  t.is(reply.status, 400);
  t.regex(reply.body, /not waiting/);
  t.true(await stillWaiting(session));
  session.expect('s');
  t.is((await send(session.port, '/callback?code=abc&state=s')).status, 200);
  t.is((await session.callback).kind, 'redirect');
});

test('wrong and missing state are 400 and ignored', async (t) => {
  const session = await listen(t);
  session.expect('right-state');
  t.is((await send(session.port, '/callback?code=evil&state=wrong-state')).status, 400);
  t.is((await send(session.port, '/callback?code=evil')).status, 400);
  t.is((await send(session.port, '/callback?code=evil&state=')).status, 400);
  t.is((await send(session.port, '/callback?code=evil&state=right-stat')).status, 400);
  t.true(await stillWaiting(session));
  t.is((await send(session.port, '/callback?code=good&state=right-state')).status, 200);
  t.is(((await session.callback) as { params: Record<string, string> }).params['code'], 'good');
});

test('a repeated parameter is 400 (no picking one of two states)', async (t) => {
  const session = await listen(t);
  session.expect('s');
  t.is((await send(session.port, '/callback?state=s&state=x&code=c')).status, 400);
  t.true(await stillWaiting(session));
});

test('expect(null) accepts a hit without state (Pocket redirects carry nothing)', async (t) => {
  const session = await listen(t);
  session.expect(null);
  t.is((await send(session.port, '/callback')).status, 200);
  t.deepEqual(await session.callback, { kind: 'redirect', params: {} });
});

test('other paths are 404, other methods 400; neither settles', async (t) => {
  const session = await listen(t);
  session.expect('s');
  t.is((await send(session.port, '/favicon.ico')).status, 404);
  t.is((await send(session.port, '/callback/extra?state=s')).status, 404);
  t.is((await send(session.port, '/callback?state=s', { method: 'POST' })).status, 400);
  t.is((await send(session.port, '/callback?state=s', { method: 'PUT' })).status, 400);
  t.true(await stillWaiting(session));
});

test('a Host header other than the loopback names of this port is 400 (DNS rebinding)', async (t) => {
  const session = await listen(t);
  session.expect('s');
  for (const host of [
    'evil.example',
    `evil.example:${session.port}`,
    '127.0.0.1',
    `127.0.0.1:${session.port + 1}`,
    `localhost.evil:${session.port}`,
  ]) {
    t.is((await send(session.port, '/callback?state=s', { host })).status, 400, host);
  }
  t.true(await stillWaiting(session));
  t.is((await send(session.port, '/callback?state=s', { host: `localhost:${session.port}` })).status, 200);
});

test('an oversized URL is 414', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const reply = await send(session.port, `/callback?state=s&junk=${'a'.repeat(9000)}`);
  t.is(reply.status, 414);
  t.true(await stillWaiting(session));
});

test('script in params is escaped in the error page and in the 404 page', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const script = '<script>alert(1)</script>';
  const notFound = await send(session.port, `/${encodeURIComponent(script)}`);
  t.false(notFound.body.includes('<script>'));
  const reply = await send(
    session.port,
    `/callback?state=s&error=${encodeURIComponent(script)}&error_description=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`,
  );
  t.is(reply.status, 200);
  t.false(reply.body.includes('<script>'));
  t.false(reply.body.includes('<img'));
  t.true(reply.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  t.regex(reply.body, /not completed/);
});

test('an OAuth error with the right state is the genuine callback', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const reply = await send(session.port, '/callback?error=access_denied&state=s');
  t.regex(reply.body, /login was not completed/i);
  t.deepEqual(await session.callback, { kind: 'redirect', params: { error: 'access_denied', state: 's' } });
});

test('a second hit after the callback is 400 "already used"', async (t) => {
  const session = await listen(t);
  session.expect('s');
  t.is((await send(session.port, '/callback?code=1&state=s')).status, 200);
  const second = await send(session.port, '/callback?code=2&state=s');
  t.is(second.status, 400);
  t.regex(second.body, /already/);
  t.deepEqual(await session.callback, { kind: 'redirect', params: { code: '1', state: 's' } });
});

test('close() frees the port, rejects a pending callback with ERR_CANCELLED and is idempotent', async (t) => {
  const session = await listen(t);
  const port = session.port;
  // An idle keep-alive connection must not hold the server open.
  const idle = connect(port, '127.0.0.1');
  await once(idle, 'connect');
  await session.close();
  await session.close();
  const error = await t.throwsAsync(session.callback, { instanceOf: AuthError });
  t.is(error!.code, 'ERR_CANCELLED');
  const again = createServer();
  again.listen(port, '127.0.0.1');
  await once(again, 'listening');
  await new Promise<void>((resolve) => again.close(() => resolve()));
  idle.destroy();
  t.pass();
});

test('a fixed port is honoured, and a taken port is ERR_LISTENER', async (t) => {
  const first = await listen(t);
  const second = await listen(t, { port: first.port }).catch((error: unknown) => error);
  t.true(second instanceof AuthError);
  t.is((second as AuthError).code, 'ERR_LISTENER');
  t.regex((second as AuthError).message, new RegExp(`127\\.0\\.0\\.1:${first.port}`));
  await first.close();
  const reused = await listen(t, { port: first.port });
  t.is(reused.port, first.port);
});

test('aborting the listen signal closes the server and rejects callback with ERR_CANCELLED', async (t) => {
  const controller = new AbortController();
  const session = await listen(t, {}, controller.signal);
  session.expect('s');
  controller.abort();
  const error = await t.throwsAsync(session.callback, { instanceOf: AuthError });
  t.is(error!.code, 'ERR_CANCELLED');
  await t.throwsAsync(send(session.port, '/callback?state=s'), { code: 'ECONNREFUSED' });
});

test('an already aborted signal refuses to listen', async (t) => {
  const error = await t.throwsAsync(new LoopbackReceiver().listen({ signal: AbortSignal.abort() }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_CANCELLED');
});

test('a custom path is served instead of /callback', async (t) => {
  const session = await new LoopbackReceiver().listen({ signal: new AbortController().signal, path: '/oauth/done' });
  t.teardown(() => session.close());
  t.is(session.redirectUri, `http://127.0.0.1:${session.port}/oauth/done`);
  session.expect(null);
  t.is((await send(session.port, '/callback')).status, 404);
  t.is((await send(session.port, '/oauth/done?x=1')).status, 200);
});

test('a client that never finishes its headers is cut off by the request timeout', async (t) => {
  const session = await listen(t, { requestTimeoutMs: 300 });
  const slow = connect(session.port, '127.0.0.1');
  t.teardown(() => slow.destroy());
  await once(slow, 'connect');
  slow.write(`GET /callback?state=s HTTP/1.1\r\nHost: 127.0.0.1:${session.port}\r\n`);
  let reply = '';
  slow.on('data', (chunk) => (reply += chunk));
  const started = Date.now();
  await once(slow, 'close');
  t.true(Date.now() - started < 5000);
  t.regex(reply, /^HTTP\/1\.1 408/);
});

test('the ipv6 option binds [::1] on the same port exactly when the machine has IPv6 loopback', async (t) => {
  const probe = createServer();
  const hasIpv6 = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => resolve(true));
  });
  if (probe.listening) await new Promise<void>((resolve) => probe.close(() => resolve()));
  const session = await listen(t, { ipv6: true });
  t.deepEqual(session.addresses, hasIpv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1']);
  if (hasIpv6) {
    session.expect('s');
    t.is((await send(session.port, '/callback?state=s', { host6: true, host: `[::1]:${session.port}` })).status, 200);
  }
});

test('the session says it is open until close(), including while a connection is held', async (t) => {
  const session = await listen(t);
  t.true(session.open);
  const socket = connect({ host: '127.0.0.1', port: session.port });
  await once(socket, 'connect');
  await session.close();
  t.false(session.open, 'close() ends the server and destroys held connections');
  socket.destroy();
});
