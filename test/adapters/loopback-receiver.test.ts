/**
 * The loopback receiver under real HTTP requests: every stray or forged request gets a 4xx and
 * the receiver keeps waiting; only the genuine hit settles `callback`.
 */
import test, { type ExecutionContext } from 'ava';
import { request as httpRequest, createServer } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import type { RedirectOutcome, StrayErrorRedirect } from '../../adapters/contracts.js';
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

/**
 * The genuine hit: its page is held until the outcome is told, so send it, wait for the callback,
 * tell the outcome, then read the page.
 */
async function genuine(
  session: LoopbackSession,
  path: string,
  outcome: RedirectOutcome = { kind: 'authorized' },
  options: { host?: string; host6?: boolean } = {},
): Promise<Reply> {
  const reply = send(session.port, path, options);
  await session.callback;
  await session.complete(outcome);
  return reply;
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
  const reply = await genuine(session, '/callback?code=abc&state=st-123&iss=https%3A%2F%2Fas.test');
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
    const reply = path === '/callback?state=s' ? await genuine(session, path) : await send(session.port, path);
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
  t.is((await genuine(session, '/callback?code=abc&state=s')).status, 200);
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
  t.is((await genuine(session, '/callback?code=good&state=right-state')).status, 200);
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
  t.is((await genuine(session, '/callback')).status, 200);
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
  t.is(
    (await genuine(session, '/callback?state=s', { kind: 'authorized' }, { host: `localhost:${session.port}` })).status,
    200,
  );
});

test('an oversized URL is 414', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const reply = await send(session.port, `/callback?state=s&junk=${'a'.repeat(9000)}`);
  t.is(reply.status, 414);
  t.true(await stillWaiting(session));
});

test('script in params is escaped in the outcome page and in the 404 page', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const script = '<script>alert(1)</script>';
  const notFound = await send(session.port, `/${encodeURIComponent(script)}`);
  t.false(notFound.body.includes('<script>'));
  const reply = await genuine(session, `/callback?state=s&error=${encodeURIComponent(script)}`, {
    kind: 'declined',
    providerCode: script,
  });
  t.is(reply.status, 200);
  t.false(reply.body.includes('<script>'));
  t.true(reply.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  t.regex(reply.body, /Access was declined/);
});

test('an OAuth error with the right state is the genuine callback; its page waits for the outcome', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const reply = await genuine(session, '/callback?error=access_denied&state=s', {
    kind: 'declined',
    providerCode: 'access_denied',
  });
  t.regex(reply.body, /<title>Access declined<\/title>/);
  t.regex(reply.body, /the provider said: access_denied/);
  t.deepEqual(await session.callback, { kind: 'redirect', params: { error: 'access_denied', state: 's' } });
});

test('from the genuine callback on the listener takes no new connection; the page still waits', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const first = send(session.port, '/callback?code=1&state=s');
  t.deepEqual(await session.callback, { kind: 'redirect', params: { code: '1', state: 's' } });
  await t.throwsAsync(send(session.port, '/callback?code=2&state=s'), { code: 'ECONNREFUSED' });
  t.true(session.open, 'the held request keeps the session open');
  await session.complete({ kind: 'authorized' });
  t.is((await first).status, 200);
  t.false(session.open);
});

/** Resolves with the page, or with `pending` if it has not come by the time the callback settled and a turn passed. */
async function pageOrPending(reply: Promise<Reply>): Promise<Reply | 'pending'> {
  return Promise.race([reply, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 50))]);
}

test('the page says "complete" only once told so, never on the redirect alone', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const reply = send(session.port, '/callback?code=c&state=s');
  await session.callback;
  t.is(await pageOrPending(reply), 'pending', 'no page before the outcome');
  await session.complete({ kind: 'authorized' });
  const page = await reply;
  t.regex(page.body, /<title>Login complete<\/title>/);
  await session.complete({ kind: 'declined' });
  t.false(session.open, 'complete() closes the session; a second outcome changes nothing');
});

const OUTCOME_PAGES: Array<[RedirectOutcome, RegExp, RegExp]> = [
  [{ kind: 'declined' }, /Access declined/, /Access was declined, so nothing was saved/],
  [
    { kind: 'failed', code: 'ERR_CODE_INVALID', providerCode: 'invalid_grant' },
    /Login failed/,
    /no longer accepted this approval .*\(ERR_CODE_INVALID\) \(the provider said: invalid_grant\)/,
  ],
  [{ kind: 'failed', code: 'ERR_PROTOCOL' }, /Login failed/, /the token exchange did not succeed \(ERR_PROTOCOL\)/],
  [{ kind: 'cancelled' }, /Return to your terminal/, /Return to your terminal to see how the login ended/],
];

for (const [outcome, title, text] of OUTCOME_PAGES) {
  test(`the ${outcome.kind} outcome page${'code' in outcome ? ` (${outcome.code})` : ''}`, async (t) => {
    const session = await listen(t);
    session.expect('s');
    const page = await genuine(session, '/callback?code=c&state=s', outcome);
    t.is(page.status, 200);
    t.regex(page.body, title);
    t.regex(page.body, text);
    t.notRegex(page.body, /complete/i);
  });
}

test('a provider code with control characters or markup is cleaned and escaped on the page', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const page = await genuine(session, '/callback?state=s', {
    kind: 'failed',
    code: 'ERR_PROTOCOL',
    providerCode: 'bad\u001b[31m"<b>',
  });
  t.false(page.body.includes('\u001b'));
  t.false(page.body.includes('<b>'));
  t.regex(page.body, /bad\?\[31m\?&lt;b&gt;/);
});

test('without an outcome, the page turns neutral after the bounded wait', async (t) => {
  const session = await listen(t, { outcomeWaitMs: 100 });
  session.expect('s');
  const reply = await send(session.port, '/callback?code=c&state=s');
  t.regex(reply.body, /<title>Return to your terminal<\/title>/);
  t.notRegex(reply.body, /complete/i);
  await session.complete({ kind: 'authorized' });
  t.false(session.open);
});

test('close() and an aborted listen signal answer a held page with the neutral one at once', async (t) => {
  const session = await listen(t);
  session.expect('s');
  const reply = send(session.port, '/callback?code=c&state=s');
  await session.callback;
  await session.close();
  t.regex((await reply).body, /Return to your terminal/);

  const controller = new AbortController();
  const aborted = await listen(t, {}, controller.signal);
  aborted.expect('s');
  const second = send(aborted.port, '/callback?code=c&state=s');
  await aborted.callback;
  controller.abort();
  t.regex((await second).body, /Return to your terminal/);
});

test('an error redirect without the right state is told to the host, repeated on the page, and ignored', async (t) => {
  const strays: StrayErrorRedirect[] = [];
  const session = await new LoopbackReceiver().listen({
    signal: new AbortController().signal,
    onStrayError: (stray) => strays.push(stray),
  });
  t.teardown(() => session.close());
  session.expect('s');
  const description = 'The user denied\u001b]0;owned\u0007 <img src=x>';
  for (const state of ['', '&state=wrong']) {
    const reply = await send(
      session.port,
      `/callback?error=access_denied&error_description=${encodeURIComponent(description)}${state}`,
    );
    t.is(reply.status, 400);
    t.regex(reply.body, /The provider answered with the error &quot;access_denied&quot;/);
    t.regex(reply.body, /keeps waiting/);
    t.notRegex(reply.body, /state does not match/);
    t.false(reply.body.includes('<img'));
    t.false(reply.body.includes('\u001b'));
  }
  t.deepEqual(strays, [
    { error: 'access_denied', errorDescription: 'The user denied?]0;owned? <img src=x>' },
    { error: 'access_denied', errorDescription: 'The user denied?]0;owned? <img src=x>' },
  ]);
  t.true(await stillWaiting(session));
  // A stray without `error` is not reported: there is nothing the provider said.
  await send(session.port, '/callback?code=x');
  t.is(strays.length, 2);
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
  t.is((await genuine(session, '/oauth/done?x=1')).status, 200);
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
    const reply = await genuine(
      session,
      '/callback?state=s',
      { kind: 'authorized' },
      {
        host6: true,
        host: `[::1]:${session.port}`,
      },
    );
    t.is(reply.status, 200);
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
