import test from 'ava';
import {
  errors,
  flush,
  REDIRECT_URI,
  REFRESHED_TOKEN,
  START,
  START_DEVICE,
  START_MANUAL,
  startHarness,
  TOKEN,
  TOKEN_WITH_REFRESH,
  FAST_CONFIG,
  LATER,
} from '../helpers/machine-harness.js';

type Harness = ReturnType<typeof startHarness>;

/** A device-grant login, polling: the user code is out, the first poll is pending. */
async function startDeviceWait(): Promise<Harness> {
  const h = startHarness({ config: { ...FAST_CONFIG, mode: 'device' } });
  h.actor.send({ type: 'LOGIN', force: true });
  h.actor.send({ type: 'REDIRECT_READY', redirectUri: null });
  await flush();
  h.controller.pending('startAuthorization').resolve(START_DEVICE);
  await flush();
  return h;
}

async function toAwaitingUser(h: Harness, start: object = START) {
  h.actor.send({ type: 'LOGIN' });
  await flush();
  h.controller.pending('loadToken').resolve(null);
  await flush();
  h.actor.send({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI });
  h.controller.pending('startAuthorization').resolve(start);
  await flush();
}

async function toAuthorized(h: Harness, token: object = TOKEN) {
  await toAwaitingUser(h);
  h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'c' } });
  await flush();
  h.controller.pending('exchangeCode').resolve(token);
  await grantLock(h);
  h.controller.pending('saveToken').resolve(undefined);
  await flush();
  // What the login's save asked of the renewal lock is not what the tests below look at.
  h.controller.lockCommands.length = 0;
}

test('a stored token goes straight to authorized: no receiver, no browser', async (t) => {
  const h = startHarness();
  h.actor.send({ type: 'LOGIN' });
  await flush();
  h.controller.pending('loadToken').resolve(TOKEN);
  await flush();
  t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }));
  t.is(h.controller.receiverStarts, 0);
  t.is(h.controller.calls('openBrowser').length, 0);
  t.is(h.controller.calls('startAuthorization').length, 0);
});

test('a forced login ignores the store and opens the browser', async (t) => {
  const h = startHarness();
  h.actor.send({ type: 'LOGIN', force: true });
  await flush();
  t.is(h.controller.calls('loadToken').length, 0);
  t.true(h.actor.getSnapshot().matches({ signingIn: 'preparing' }));
  h.actor.send({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI });
  h.controller.pending('startAuthorization').resolve(START);
  await flush();
  t.is(h.controller.calls('openBrowser').length, 1);
  t.deepEqual(h.controller.calls('openBrowser')[0]!.input, { url: START.authorizationUrl });
});

test('the full redirect flow: the receiver learns the state, the callback is exchanged, the token saved', async (t) => {
  const h = startHarness();
  const urls: string[] = [];
  h.actor.on('authorizationUrl', (e) => urls.push(e.url));
  await toAwaitingUser(h);
  t.deepEqual(h.controller.expected, [{ type: 'EXPECT', state: 'state-1' }]);
  t.deepEqual(urls, [START.authorizationUrl]);
  t.deepEqual(h.controller.calls('startAuthorization')[0]!.input, { redirectUri: REDIRECT_URI });
  h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'the-code' } });
  await flush();
  t.false(h.controller.receiverOpen, 'the listener is closed as soon as awaitingUser is left');
  t.deepEqual(h.controller.pending('exchangeCode').input, {
    session: START.session,
    callback: { kind: 'redirect', params: { state: 'state-1', code: 'the-code' } },
  });
  h.controller.pending('exchangeCode').resolve(TOKEN);
  await flush();
  t.false(h.controller.has('saveToken'), 'a new login is saved only under the renewal lock');
  await grantLock(h);
  t.deepEqual(h.controller.pending('saveToken').input, { token: TOKEN });
  h.controller.pending('saveToken').resolve(undefined);
  await flush();
  t.false(h.controller.lockWanted, 'the renewal lock is let go once the login is saved');
  t.false(h.controller.loginLockWanted, 'and so is the login lock');
  t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }));
  t.deepEqual(h.actor.getSnapshot().context.token, TOKEN);
  t.is(h.actor.getSnapshot().context.session, null, 'the request token is forgotten once exchanged');
});

test('a forged callback is ignored and the flow keeps waiting for the genuine one', async (t) => {
  const h = startHarness();
  let strays = 0;
  h.actor.on('strayCallback', () => strays++);
  await toAwaitingUser(h);
  h.actor.send({ type: 'CALLBACK', params: { state: 'forged', code: 'evil' } });
  h.actor.send({ type: 'CALLBACK', params: { code: 'no-state' } });
  await flush();
  t.true(h.actor.getSnapshot().matches({ signingIn: 'awaitingUser' }));
  t.is(strays, 2);
  t.true(h.controller.receiverOpen);
  h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'good' } });
  await flush();
  t.true(h.actor.getSnapshot().matches('exchanging'));
});

test('manual confirmation is accepted only when there is no state to check', async (t) => {
  const h = startHarness();
  await toAwaitingUser(h);
  h.actor.send({ type: 'USER_CONFIRMED' });
  await flush();
  t.true(
    h.actor.getSnapshot().matches({ signingIn: 'awaitingUser' }),
    'a state was sent, so a bare "I am done" is not enough',
  );

  const manual = startHarness();
  await toAwaitingUser(manual, START_MANUAL);
  manual.actor.send({ type: 'USER_CONFIRMED' });
  await flush();
  t.true(manual.actor.getSnapshot().matches('exchanging'));
  t.deepEqual((manual.controller.pending('exchangeCode').input as { callback: unknown }).callback, {
    kind: 'confirmed',
  });
});

test('a browser that fails to open does not end the flow', async (t) => {
  const h = startHarness();
  let told = 0;
  h.actor.on('browserFailed', () => told++);
  await toAwaitingUser(h);
  h.controller.pending('openBrowser').reject(errors.network);
  await flush();
  t.true(h.actor.getSnapshot().matches({ signingIn: 'awaitingUser' }));
  t.is(h.actor.getSnapshot().context.browser, 'failed');
  t.is(told, 1);
});

test('awaitingUser times out on the simulated clock, and not a moment before', async (t) => {
  const h = startHarness();
  await toAwaitingUser(h);
  h.clock.increment(FAST_CONFIG.userTimeoutMs - 1);
  await flush();
  t.true(h.actor.getSnapshot().matches({ signingIn: 'awaitingUser' }));
  h.clock.increment(1);
  await flush();
  const s = h.actor.getSnapshot();
  t.true(s.matches('failed'));
  t.is(s.context.error?.code, 'ERR_TIMEOUT');
  t.false(h.controller.receiverOpen);
  t.deepEqual(h.controller.live(), [], 'the browser opener was aborted too');
});

test('transient errors are retried with exponential back-off up to the limit, then fail', async (t) => {
  const h = startHarness();
  const retries: Array<{ attempt: number; delayMs: number }> = [];
  h.actor.on('retrying', (e) => retries.push({ attempt: e.attempt, delayMs: e.delayMs }));
  h.actor.send({ type: 'LOGIN', force: true });
  h.actor.send({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI });
  await flush();
  h.controller.pending('startAuthorization').reject(errors.network);
  await flush();
  t.true(h.actor.getSnapshot().matches({ signingIn: { requestingToken: 'backoff' } }));
  h.clock.increment(99);
  await flush();
  t.false(h.controller.has('startAuthorization'), 'no retry before the back-off has passed');
  h.clock.increment(1);
  await flush();
  h.controller.pending('startAuthorization').reject(errors.network);
  await flush();
  h.clock.increment(200);
  await flush();
  h.controller.pending('startAuthorization').reject(errors.network);
  await flush();
  t.deepEqual(retries, [
    { attempt: 1, delayMs: 100 },
    { attempt: 2, delayMs: 200 },
  ]);
  t.is(h.controller.calls('startAuthorization').length, 3);
  t.is(h.actor.getSnapshot().context.error?.code, 'ERR_NETWORK');
});

test('a server asking to wait longer than allowed fails instead of stalling', async (t) => {
  const h = startHarness();
  h.actor.send({ type: 'LOGIN', force: true });
  h.actor.send({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI });
  await flush();
  h.controller.pending('startAuthorization').reject(errors.rateLimitedLong);
  await flush();
  t.is(h.actor.getSnapshot().context.error?.code, 'ERR_RATE_LIMITED');
});

test('Retry-After sets the back-off when the server gives one', async (t) => {
  const h = startHarness();
  await toAwaitingUser(h);
  h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'c' } });
  await flush();
  h.controller.pending('exchangeCode').reject({ ...errors.network, code: 'ERR_RATE_LIMITED', retryAfterMs: 2_000 });
  await flush();
  h.clock.increment(1_999);
  await flush();
  t.false(h.controller.has('exchangeCode'));
  h.clock.increment(1);
  await flush();
  t.true(h.controller.has('exchangeCode'));
});

test('permanent errors fail at once with their typed error', async (t) => {
  const h = startHarness();
  await toAwaitingUser(h);
  h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'c' } });
  await flush();
  h.controller.pending('exchangeCode').reject(errors.declined);
  await flush();
  const s = h.actor.getSnapshot();
  t.true(s.matches('failed'));
  t.deepEqual(s.context.error, errors.declined);
  t.is(h.controller.calls('exchangeCode').length, 1);
  t.is(s.context.session, null, 'secrets of the attempt are forgotten on failure');
});

test('something thrown that is not an AuthError fails as ERR_UNEXPECTED without its message', async (t) => {
  const h = startHarness();
  h.actor.send({ type: 'LOGIN' });
  await flush();
  h.controller.pending('loadToken').reject(new Error('password=hunter2'));
  await flush();
  const error = h.actor.getSnapshot().context.error;
  t.is(error?.code, 'ERR_UNEXPECTED');
  t.false(JSON.stringify(error).includes('hunter2'));
});

test('RETRY from failed starts again', async (t) => {
  const h = startHarness();
  await toAwaitingUser(h);
  h.clock.increment(FAST_CONFIG.userTimeoutMs);
  await flush();
  t.true(h.actor.getSnapshot().matches('failed'));
  h.actor.send({ type: 'RETRY' });
  await flush();
  t.true(h.actor.getSnapshot().matches('checkingStore'));
  t.is(h.actor.getSnapshot().context.error, null);
  h.controller.pending('loadToken').resolve(null);
  await flush();
  t.true(h.actor.getSnapshot().matches({ signingIn: 'preparing' }));
  t.is(h.controller.receiverStarts, 2);
});

test('LOGOUT runs the logout actor with the token and ends in idle with no token', async (t) => {
  const h = startHarness();
  await toAuthorized(h);
  h.actor.send({ type: 'LOGOUT' });
  await flush();
  t.deepEqual(h.controller.pending('logout').input, { token: TOKEN });
  h.controller.pending('logout').resolve(undefined);
  await flush();
  t.true(h.actor.getSnapshot().matches('idle'));
  t.is(h.actor.getSnapshot().context.token, null);
});

/** Grants the lock the machine asked for, as a Lock adapter would. */
async function grantLock(h: Harness) {
  await flush();
  if (!h.controller.lockWanted) throw new Error('the machine did not ask for the lock');
  h.actor.send({ type: 'LOCK_ACQUIRED' });
  await flush();
}

test('a 401 while fetching with no refresh token: under the lock, re-read, then compare-and-delete and a new login is asked for', async (t) => {
  const h = startHarness();
  await toAuthorized(h);
  h.actor.send({ type: 'FETCH', id: 'f1', request: { path: '/v3/get' } });
  await flush();
  h.controller.pending('fetchResource').reject(errors.tokenInvalid);
  await grantLock(h);
  h.controller.pending('rereadToken').resolve({ stored: TOKEN, renewed: false });
  await flush();
  t.is(h.controller.calls('refreshToken').length, 0);
  t.deepEqual(h.controller.pending('clearToken').input, { token: TOKEN }, 'the refused token is what may be deleted');
  t.true(h.controller.lockWanted, 'the entry is cleared while the lock is held');
  h.controller.pending('clearToken').resolve(undefined);
  await flush();
  const s = h.actor.getSnapshot();
  t.true(s.matches('failed'));
  t.is(s.context.error?.code, 'ERR_TOKEN_INVALID');
  t.regex(s.context.error?.message ?? '', /log in again/i);
  t.is(s.context.token, null);
  t.false(h.controller.lockActorAlive, 'leaving fetching let the lock go');
});

test('a 401 with a refresh token: under the lock, re-read, refresh once, save, release, repeat the call', async (t) => {
  const h = startHarness();
  const results: unknown[] = [];
  h.actor.on('fetched', (e) => results.push(e));
  await toAuthorized(h, TOKEN_WITH_REFRESH);
  h.actor.send({ type: 'FETCH', id: 'f1', request: { url: '/me' } });
  await flush();
  h.controller.pending('fetchResource').reject(errors.tokenInvalid);
  await flush();
  t.is(h.controller.calls('refreshToken').length, 0, 'no refresh before the lock is held');
  await grantLock(h);
  t.deepEqual(h.controller.pending('rereadToken').input, { token: TOKEN_WITH_REFRESH, refreshSkewMs: 60_000 });
  h.controller.pending('rereadToken').resolve({ stored: TOKEN_WITH_REFRESH, renewed: false });
  await flush();
  t.deepEqual(h.controller.pending('refreshToken').input, { token: TOKEN_WITH_REFRESH });
  h.controller.pending('refreshToken').resolve(REFRESHED_TOKEN);
  await flush();
  t.deepEqual(h.controller.pending('saveRenewedToken').input, {
    token: REFRESHED_TOKEN,
    renewedFrom: TOKEN_WITH_REFRESH,
  });
  t.true(h.controller.lockWanted, 'saved while the lock is held');
  h.controller.pending('saveRenewedToken').resolve({ saved: true });
  await flush();
  t.false(h.controller.lockWanted, 'released before the call is repeated');
  t.deepEqual(h.controller.pending('fetchResource').input, { token: REFRESHED_TOKEN, request: { url: '/me' } });
  // A second 401 after a refresh is not refreshed again: the login is dead.
  h.controller.pending('fetchResource').reject(errors.tokenInvalid);
  await grantLock(h);
  h.controller.pending('rereadToken').resolve({ stored: REFRESHED_TOKEN, renewed: false });
  await flush();
  t.is(h.controller.calls('refreshToken').length, 1);
  h.controller.pending('clearToken').resolve(undefined);
  await flush();
  t.is(h.actor.getSnapshot().context.error?.code, 'ERR_TOKEN_INVALID');
  t.deepEqual(results, []);
});

test('a token within the skew window is renewed before the call: nothing is sent with it', async (t) => {
  const h = startHarness();
  await toAuthorized(h, TOKEN_WITH_REFRESH);
  // expiresAt 10 000, default skew 60 s: at 0 it is already inside the window.
  h.actor.send({ type: 'FETCH', id: 'f1', request: { url: '/me' }, now: 0 });
  await grantLock(h);
  t.is(h.controller.calls('fetchResource').length, 0);
  h.controller.pending('rereadToken').resolve({ stored: TOKEN_WITH_REFRESH, renewed: false });
  await flush();
  h.controller.pending('refreshToken').resolve(REFRESHED_TOKEN);
  await flush();
  h.controller.pending('saveRenewedToken').resolve({ saved: true });
  await flush();
  t.deepEqual(
    h.controller.calls('fetchResource').map((c) => c.input),
    [{ token: REFRESHED_TOKEN, request: { url: '/me' } }],
  );
});

test('a token far from expiry is sent without taking the lock; a skew of 0 sends it until it expires', async (t) => {
  const h = startHarness({ config: { ...FAST_CONFIG, refreshSkewMs: 0 } });
  await toAuthorized(h, TOKEN_WITH_REFRESH);
  h.actor.send({ type: 'FETCH', id: 'f1', request: {}, now: 9_999 });
  await flush();
  t.deepEqual(
    h.controller.lockCommands.filter((c) => c === 'ACQUIRE'),
    [],
  );
  t.is(h.controller.calls('fetchResource').length, 1);
});

test('another process already renewed the token: it is used as stored, without spending the refresh token', async (t) => {
  const h = startHarness();
  await toAuthorized(h, TOKEN_WITH_REFRESH);
  h.actor.send({ type: 'FETCH', id: 'f1', request: { url: '/me' }, now: LATER });
  await grantLock(h);
  h.controller.pending('rereadToken').resolve({ stored: REFRESHED_TOKEN, renewed: true });
  await flush();
  t.is(h.controller.calls('refreshToken').length, 0);
  t.false(h.controller.lockWanted);
  t.deepEqual(h.controller.pending('fetchResource').input, { token: REFRESHED_TOKEN, request: { url: '/me' } });
});

test('the stored login vanished while waiting for the lock: failed, nothing refreshed or deleted', async (t) => {
  const h = startHarness();
  await toAuthorized(h, TOKEN_WITH_REFRESH);
  h.actor.send({ type: 'FETCH', id: 'f1', request: {}, now: LATER });
  await grantLock(h);
  h.controller.pending('rereadToken').resolve({ stored: null, renewed: false });
  await flush();
  t.true(h.actor.getSnapshot().matches('failed'));
  t.is(h.actor.getSnapshot().context.error?.code, 'ERR_TOKEN_INVALID');
  t.is(h.controller.calls('refreshToken').length + h.controller.calls('clearToken').length, 0);
});

test('REFRESH renews a stale token and answers with no call; a fresh one is answered at once', async (t) => {
  const h = startHarness();
  const answers: unknown[] = [];
  h.actor.on('fetched', (e) => answers.push(e));
  await toAuthorized(h, TOKEN_WITH_REFRESH);
  h.actor.send({ type: 'REFRESH', id: 'r1', now: 0 - 100_000 });
  await flush();
  t.deepEqual(answers, [{ type: 'fetched', id: 'r1', result: null }]);
  t.deepEqual(h.controller.lockCommands, []);
  h.actor.send({ type: 'REFRESH', id: 'r2', now: LATER });
  await grantLock(h);
  h.controller.pending('rereadToken').resolve({ stored: TOKEN_WITH_REFRESH, renewed: false });
  await flush();
  h.controller.pending('refreshToken').resolve(REFRESHED_TOKEN);
  await flush();
  h.controller.pending('saveRenewedToken').resolve({ saved: true });
  await flush();
  t.is(h.controller.calls('fetchResource').length, 0);
  t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }));
  t.deepEqual(h.actor.getSnapshot().context.token, REFRESHED_TOKEN);
  t.deepEqual(answers[1], { type: 'fetched', id: 'r2', result: null });
});

test('waiting for the lock ends with CANCEL, with the lockTimeout delay, or with the lock failing; the login stays', async (t) => {
  for (const how of ['cancel', 'timeout', 'failed'] as const) {
    const h = startHarness({ config: { ...FAST_CONFIG, lockTimeoutMs: 5_000 } });
    const failures: Array<{ error: { code: string } }> = [];
    h.actor.on('fetchFailed', (e) => failures.push(e as never));
    await toAuthorized(h, TOKEN_WITH_REFRESH);
    h.actor.send({ type: 'FETCH', id: 'f1', request: {}, now: LATER });
    await flush();
    t.true(h.controller.lockWanted);
    if (how === 'cancel') h.actor.send({ type: 'CANCEL' });
    if (how === 'timeout') h.clock.increment(5_000);
    if (how === 'failed') h.actor.send({ type: 'LOCK_FAILED', error: errors.storage });
    await flush();
    t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }), how);
    t.false(h.controller.lockActorAlive, `${how}: the wait was abandoned`);
    t.is(failures[0]?.error.code, { cancel: 'ERR_CANCELLED', timeout: 'ERR_TIMEOUT', failed: 'ERR_STORAGE' }[how]);
    t.is(h.controller.calls('rereadToken').length, 0);
  }
});

test('a fetch error that is not about the token is reported and the login stays', async (t) => {
  const h = startHarness();
  const failures: unknown[] = [];
  h.actor.on('fetchFailed', (e) => failures.push(e));
  await toAuthorized(h);
  h.actor.send({ type: 'FETCH', id: 'f9', request: {} });
  await flush();
  h.controller
    .pending('fetchResource')
    .reject({ code: 'ERR_INVALID_REQUEST', message: 'Bad parameter.', retryable: false });
  await flush();
  t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }));
  t.deepEqual(failures, [
    {
      type: 'fetchFailed',
      id: 'f9',
      error: { code: 'ERR_INVALID_REQUEST', message: 'Bad parameter.', retryable: false },
    },
  ]);
});

test('the device grant polls at the interval, slows down by 5 s on slow_down, and ends authorized', async (t) => {
  const h = await startDeviceWait();
  t.is(h.actor.getSnapshot().context.userCode, 'ABCD-EFGH');
  h.controller.pending('pollDevice').resolve({ status: 'pending' });
  await flush();
  h.clock.increment(4_999);
  await flush();
  t.false(h.controller.has('pollDevice'));
  h.clock.increment(1);
  await flush();
  h.controller.pending('pollDevice').resolve({ status: 'slow_down' });
  await flush();
  h.clock.increment(9_999);
  await flush();
  t.false(h.controller.has('pollDevice'), 'slow_down adds 5 s to the interval');
  h.clock.increment(1);
  await flush();
  h.controller.pending('pollDevice').resolve({ status: 'approved', token: TOKEN });
  await grantLock(h);
  h.controller.pending('saveToken').resolve(undefined);
  await flush();
  t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }));
});

test('the device code expiry ends the wait with ERR_EXPIRED', async (t) => {
  const h = await startDeviceWait();
  for (let i = 0; i < 6; i++) {
    if (h.controller.has('pollDevice')) h.controller.pending('pollDevice').resolve({ status: 'pending' });
    await flush();
    h.clock.increment(5_000);
    await flush();
  }
  t.is(h.actor.getSnapshot().context.error?.code, 'ERR_EXPIRED');
  t.deepEqual(h.controller.live(), []);
});

const cancellable: Array<[string, (h: Harness) => Promise<void>]> = [
  ['checkingStore', async (h) => void h.actor.send({ type: 'LOGIN' })],
  ['signingIn.preparing', async (h) => void h.actor.send({ type: 'LOGIN', force: true })],
  [
    'signingIn.requestingToken',
    async (h) => {
      h.actor.send({ type: 'LOGIN', force: true });
      h.actor.send({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI });
    },
  ],
  ['signingIn.awaitingUser', async (h) => toAwaitingUser(h)],
  [
    'exchanging',
    async (h) => {
      await toAwaitingUser(h);
      h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'c' } });
    },
  ],
  [
    'authorized.saving',
    async (h) => {
      await toAwaitingUser(h);
      h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'c' } });
      await flush();
      h.controller.pending('exchangeCode').resolve(TOKEN);
    },
  ],
];

for (const [state, reach] of cancellable) {
  test(`CANCEL in ${state} aborts every actor it started and closes the listener`, async (t) => {
    const h = startHarness();
    await reach(h);
    await flush();
    const [outer, inner] = state.split('.');
    t.true(h.actor.getSnapshot().matches((inner ? { [outer!]: inner } : outer) as never));
    const started = h.controller.invocations.length;
    h.actor.send({ type: 'CANCEL' });
    await flush();
    t.true(h.actor.getSnapshot().matches('idle'));
    t.deepEqual(h.controller.live(), [], 'nothing left running');
    t.true(h.controller.invocations.slice(0, started).every((i) => i.settled || i.signal.aborted));
    t.false(h.controller.receiverOpen);
    t.is(h.actor.getSnapshot().context.token, null);
  });
}

test('CANCEL while fetching aborts the call but keeps the login', async (t) => {
  const h = startHarness();
  const failures: string[] = [];
  h.actor.on('fetchFailed', (e) => failures.push(e.error.code));
  await toAuthorized(h);
  h.actor.send({ type: 'FETCH', id: 'f1', request: {} });
  await flush();
  const call = h.controller.pending('fetchResource');
  h.actor.send({ type: 'CANCEL' });
  await flush();
  t.true(call.signal.aborted);
  t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }));
  t.deepEqual(failures, ['ERR_CANCELLED']);
});

test('a keychain that fails on save ends in failed with ERR_STORAGE and no token in memory', async (t) => {
  const h = startHarness();
  await toAwaitingUser(h);
  h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'c' } });
  await flush();
  h.controller.pending('exchangeCode').resolve(TOKEN);
  await grantLock(h);
  h.controller.pending('saveToken').reject(errors.storage);
  await flush();
  t.is(h.actor.getSnapshot().context.error?.code, 'ERR_STORAGE');
  t.is(h.actor.getSnapshot().context.token, null);
});

test('a successful fetch is emitted with the id of its request', async (t) => {
  const h = startHarness();
  const results: unknown[] = [];
  h.actor.on('fetched', (e) => results.push(e));
  await toAuthorized(h);
  h.actor.send({ type: 'FETCH', id: 'f7', request: { count: 10 } });
  await flush();
  t.deepEqual(h.controller.pending('fetchResource').input, { token: TOKEN, request: { count: 10 } });
  h.controller.pending('fetchResource').resolve({ items: 3 });
  await flush();
  t.deepEqual(results, [{ type: 'fetched', id: 'f7', result: { items: 3 } }]);
  t.is(h.actor.getSnapshot().context.pendingFetch, null);
});

test('a transient logout failure is retried with back-off; a lasting one ends in failed with no token', async (t) => {
  const h = startHarness();
  await toAuthorized(h);
  h.actor.send({ type: 'LOGOUT' });
  await flush();
  h.controller.pending('logout').reject(errors.network);
  await flush();
  t.true(h.actor.getSnapshot().matches({ authorized: { loggingOut: 'backoff' } }));
  h.clock.increment(100);
  await flush();
  h.controller.pending('logout').resolve(undefined);
  await flush();
  t.true(h.actor.getSnapshot().matches('idle'));
  t.is(h.controller.calls('logout').length, 2);

  const lasting = startHarness();
  await toAuthorized(lasting);
  lasting.actor.send({ type: 'LOGOUT' });
  for (let i = 0; i < FAST_CONFIG.maxAttempts; i++) {
    await flush();
    lasting.controller.pending('logout').reject(errors.network);
    await flush();
    lasting.clock.increment(1_000);
  }
  await flush();
  t.is(lasting.actor.getSnapshot().context.error?.code, 'ERR_NETWORK');
  t.is(lasting.actor.getSnapshot().context.token, null);
  t.is(lasting.controller.calls('logout').length, FAST_CONFIG.maxAttempts);
});
