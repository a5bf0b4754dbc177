/**
 * One interactive login at a time per account, transition by transition: the login lock is asked
 * for only when no usable login is stored, a busy lock is reported with its holder, the login the
 * other process saved is used after the wait, its absence (declined, failed, holder killed) starts
 * our own, LOGIN { signIn: false } never signs in, and CANCEL, the wait's deadline and a failing
 * lock end the wait. Then the saves: a new login is written under the renewal lock, and a renewal
 * is a compare-and-set that never overwrites a newer login.
 */
import test from 'ava';
import {
  errors,
  FAST_CONFIG,
  flush,
  LATER,
  REDIRECT_URI,
  REFRESHED_TOKEN,
  START,
  startHarness,
  TOKEN,
  TOKEN_WITH_REFRESH,
} from '../helpers/machine-harness.js';

type Harness = ReturnType<typeof startHarness>;

const OTHER_LOGIN = { accessToken: 'at-secret-other', refreshToken: 'rt-secret-other', expiresAt: 50_000 };

/** LOGIN with nothing stored: the machine asks for the login lock and waits. */
async function toWaitingForLogin(event: object = {}, config: object = {}): Promise<Harness> {
  const h = startHarness({ config: { ...FAST_CONFIG, ...config } }, 'manual');
  h.actor.send({ type: 'LOGIN', ...event });
  await flush();
  h.controller.pending('loadToken').resolve(null);
  await flush();
  return h;
}

const value = (h: Harness) => JSON.stringify(h.actor.getSnapshot().value);

test('a stored login is used without asking for the login lock', async (t) => {
  const h = startHarness(undefined, 'manual');
  h.actor.send({ type: 'LOGIN' });
  await flush();
  h.controller.pending('loadToken').resolve(TOKEN);
  await flush();
  t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }));
  t.false(h.controller.loginLockCommands.includes('ACQUIRE'));
});

test('nothing stored: the login lock is asked for before any sign-in; granted at once, the sign-in starts', async (t) => {
  const h = await toWaitingForLogin();
  t.is(value(h), '{"checkingStore":"waitingForLogin"}');
  t.true(h.controller.loginLockWanted);
  t.is(h.controller.receiverStarts, 0, 'no listener, no browser while waiting');
  h.actor.send({ type: 'LOGIN_LOCK_ACQUIRED' });
  await flush();
  t.true(h.actor.getSnapshot().matches('signingIn'));
  t.is(h.controller.calls('loadToken').length, 1, 'nobody else was logging in: no second look');
  t.true(h.controller.loginLockWanted, 'held through the sign-in');
});

test('another process is logging in: its pid is emitted, and the login it saved is used, with no sign-in here', async (t) => {
  const h = await toWaitingForLogin();
  const waits: unknown[] = [];
  h.actor.on('waitingForLogin', (e) => waits.push(e));
  h.actor.send({ type: 'LOGIN_LOCK_BUSY', holder: 4242 });
  await flush();
  t.deepEqual(waits, [{ type: 'waitingForLogin', holder: 4242 }]);
  t.is(value(h), '{"checkingStore":"waitingForLogin"}');
  h.actor.send({ type: 'LOGIN_LOCK_ACQUIRED' });
  await flush();
  t.is(value(h), '{"checkingStore":"rereading"}');
  h.controller.pending('loadToken').resolve(OTHER_LOGIN);
  await flush();
  t.true(h.actor.getSnapshot().matches({ authorized: 'ready' }));
  t.deepEqual(h.actor.getSnapshot().context.token, OTHER_LOGIN);
  t.is(h.controller.receiverStarts, 0, 'no listener was opened');
  t.is(h.controller.calls('openBrowser').length, 0, 'and no browser');
  t.false(h.controller.loginLockWanted, 'the login lock is let go at once');
});

test('the other login left nothing usable (declined, failed, killed): this process signs in itself', async (t) => {
  const h = await toWaitingForLogin();
  h.actor.send({ type: 'LOGIN_LOCK_BUSY', holder: null });
  h.actor.send({ type: 'LOGIN_LOCK_ACQUIRED' });
  await flush();
  h.controller.pending('loadToken').resolve(null);
  await flush();
  t.true(h.actor.getSnapshot().matches('signingIn'));
  h.actor.send({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI });
  h.controller.pending('startAuthorization').resolve(START);
  await flush();
  t.true(h.actor.getSnapshot().matches({ signingIn: 'awaitingUser' }));
  t.true(h.controller.loginLockWanted, 'held while this process waits for its person');
});

test('LOGIN { signIn: false }: the login another process completes is used; none means ERR_NOT_LOGGED_IN, never a sign-in', async (t) => {
  const used = await toWaitingForLogin({ signIn: false });
  used.actor.send({ type: 'LOGIN_LOCK_BUSY', holder: 7 });
  used.actor.send({ type: 'LOGIN_LOCK_ACQUIRED' });
  await flush();
  used.controller.pending('loadToken').resolve(OTHER_LOGIN);
  await flush();
  t.true(used.actor.getSnapshot().matches({ authorized: 'ready' }));

  for (const busy of [true, false]) {
    const h = await toWaitingForLogin({ signIn: false, force: true });
    if (busy) h.actor.send({ type: 'LOGIN_LOCK_BUSY', holder: 7 });
    h.actor.send({ type: 'LOGIN_LOCK_ACQUIRED' });
    await flush();
    if (busy) h.controller.pending('loadToken').resolve(null);
    await flush();
    const s = h.actor.getSnapshot();
    t.true(s.matches('failed'), `busy ${busy}`);
    t.is(s.context.error?.code, 'ERR_NOT_LOGGED_IN');
    t.is(h.controller.receiverStarts, 0, 'never a listener');
    t.false(h.controller.loginLockWanted, 'the lock is let go on failing');
  }
});

test('--force waits for a login in progress, then signs in itself (never two approval pages at once)', async (t) => {
  const h = startHarness({ config: FAST_CONFIG }, 'manual');
  h.actor.send({ type: 'LOGIN', force: true });
  await flush();
  t.is(h.controller.calls('loadToken').length, 0, 'a forced login does not read the store');
  t.is(value(h), '{"checkingStore":"waitingForLogin"}');
  h.actor.send({ type: 'LOGIN_LOCK_BUSY', holder: 99 });
  await flush();
  t.is(h.controller.receiverStarts, 0);
  h.actor.send({ type: 'LOGIN_LOCK_ACQUIRED' });
  await flush();
  t.true(h.actor.getSnapshot().matches('signingIn'));
});

test('waiting for another login ends with CANCEL, with its deadline, or with the lock failing', async (t) => {
  for (const how of ['cancel', 'timeout', 'failed'] as const) {
    const h = await toWaitingForLogin({}, { loginWaitMs: 9_000 });
    h.actor.send({ type: 'LOGIN_LOCK_BUSY', holder: 1 });
    await flush();
    if (how === 'cancel') h.actor.send({ type: 'CANCEL' });
    if (how === 'timeout') {
      h.clock.increment(8_999);
      await flush();
      t.is(value(h), '{"checkingStore":"waitingForLogin"}', 'not a moment before the deadline');
      h.clock.increment(1);
    }
    if (how === 'failed') h.actor.send({ type: 'LOGIN_LOCK_FAILED', error: errors.storage });
    await flush();
    const s = h.actor.getSnapshot();
    t.true(s.matches(how === 'cancel' ? 'idle' : 'failed'), how);
    if (how === 'timeout') t.is(s.context.error?.code, 'ERR_TIMEOUT');
    if (how === 'failed') t.is(s.context.error?.code, 'ERR_STORAGE');
    const commands = h.controller.loginLockCommands;
    t.deepEqual(commands.slice(commands.indexOf('ACQUIRE')), ['ACQUIRE', 'RELEASE'], `${how}: the wait is abandoned`);
  }
});

test('the wait defaults to the user timeout', async (t) => {
  const h = await toWaitingForLogin();
  h.clock.increment(FAST_CONFIG.userTimeoutMs - 1);
  await flush();
  t.true(h.actor.getSnapshot().matches('checkingStore'));
  h.clock.increment(1);
  await flush();
  t.is(h.actor.getSnapshot().context.error?.code, 'ERR_TIMEOUT');
});

test('the login lock is held until the new login is saved, and let go when the attempt fails or is cancelled', async (t) => {
  for (const end of ['saved', 'declined', 'cancel'] as const) {
    const h = await toWaitingForLogin();
    h.actor.send({ type: 'LOGIN_LOCK_ACQUIRED' });
    await flush();
    h.actor.send({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI });
    h.controller.pending('startAuthorization').resolve(START);
    await flush();
    h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'c' } });
    await flush();
    if (end === 'cancel') h.actor.send({ type: 'CANCEL' });
    if (end === 'declined') h.controller.pending('exchangeCode').reject(errors.declined);
    if (end === 'saved') {
      h.controller.pending('exchangeCode').resolve(TOKEN);
      await flush();
      t.true(h.controller.loginLockWanted, 'held while the login is saved');
      h.actor.send({ type: 'LOCK_ACQUIRED' });
      await flush();
      h.controller.pending('saveToken').resolve(undefined);
    }
    await flush();
    t.false(h.controller.loginLockWanted, end);
    t.is(h.controller.loginLockCommands.at(-1), 'RELEASE');
  }
});

test('a forced LOGIN while logged in, and RETRY of a forced one, go through the login lock', async (t) => {
  const h = startHarness({ config: FAST_CONFIG }, 'manual');
  h.actor.send({ type: 'LOGIN' });
  await flush();
  h.controller.pending('loadToken').resolve(TOKEN);
  await flush();
  h.actor.send({ type: 'LOGIN', force: true });
  await flush();
  t.is(value(h), '{"checkingStore":"waitingForLogin"}');
  t.is(h.actor.getSnapshot().context.token, null, 'the old token is dropped from memory');
  h.actor.send({ type: 'LOGIN_LOCK_FAILED', error: errors.storage });
  await flush();
  h.actor.send({ type: 'RETRY' });
  await flush();
  t.is(value(h), '{"checkingStore":"waitingForLogin"}');
  // (Resting states also send RELEASE on entry: a no-op when nothing is held.)
  t.deepEqual(h.controller.loginLockCommands.slice(-4), ['RELEASE', 'ACQUIRE', 'RELEASE', 'ACQUIRE']);
});

/** Logged in with a refreshable token, then a stale FETCH refreshed under the renewal lock. */
async function toSavingRenewal(): Promise<Harness> {
  const h = startHarness();
  h.actor.send({ type: 'LOGIN' });
  await flush();
  h.controller.pending('loadToken').resolve(TOKEN_WITH_REFRESH);
  await flush();
  h.actor.send({ type: 'FETCH', id: 'f1', request: { url: '/me' }, now: LATER });
  await flush();
  h.actor.send({ type: 'LOCK_ACQUIRED' });
  await flush();
  h.controller.pending('rereadToken').resolve({ stored: TOKEN_WITH_REFRESH, renewed: false });
  await flush();
  h.controller.pending('refreshToken').resolve(REFRESHED_TOKEN);
  await flush();
  return h;
}

test('a renewal is saved by compare-and-set against the token it was made from', async (t) => {
  const h = await toSavingRenewal();
  t.deepEqual(h.controller.pending('saveRenewedToken').input, {
    token: REFRESHED_TOKEN,
    renewedFrom: TOKEN_WITH_REFRESH,
  });
  t.true(h.controller.lockWanted, 'under the renewal lock');
  h.controller.pending('saveRenewedToken').resolve({ saved: true });
  await flush();
  t.deepEqual(h.controller.pending('fetchResource').input, { token: REFRESHED_TOKEN, request: { url: '/me' } });
  t.is(h.actor.getSnapshot().context.renewedFrom, null);
});

test('a newer login saved meanwhile wins over the renewal: it is used, and the call goes on with it', async (t) => {
  const h = await toSavingRenewal();
  h.controller.pending('saveRenewedToken').resolve({ saved: false, stored: OTHER_LOGIN });
  await flush();
  t.deepEqual(h.controller.pending('fetchResource').input, { token: OTHER_LOGIN, request: { url: '/me' } });
});

test('a logout meanwhile: the renewal is not saved back, the login is reported gone', async (t) => {
  const h = await toSavingRenewal();
  h.controller.pending('saveRenewedToken').resolve({ saved: false, stored: null });
  await flush();
  const s = h.actor.getSnapshot();
  t.true(s.matches('failed'));
  t.is(s.context.error?.code, 'ERR_TOKEN_INVALID');
  t.is(s.context.token, null);
});

test('a new login is saved only once the renewal lock is held; a lock that fails or never comes ends the attempt', async (t) => {
  for (const how of ['failed', 'timeout'] as const) {
    const h = await toWaitingForLogin({}, { lockTimeoutMs: 4_000 });
    h.actor.send({ type: 'LOGIN_LOCK_ACQUIRED' });
    await flush();
    h.actor.send({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI });
    h.controller.pending('startAuthorization').resolve(START);
    await flush();
    h.actor.send({ type: 'CALLBACK', params: { state: 'state-1', code: 'c' } });
    await flush();
    h.controller.pending('exchangeCode').resolve(TOKEN);
    await flush();
    t.is(value(h), '{"authorized":{"saving":"acquiringLock"}}');
    t.false(h.controller.has('saveToken'));
    if (how === 'failed') h.actor.send({ type: 'LOCK_FAILED', error: errors.storage });
    else h.clock.increment(4_000);
    await flush();
    const s = h.actor.getSnapshot();
    t.true(s.matches('failed'), how);
    t.is(s.context.error?.code, how === 'failed' ? 'ERR_STORAGE' : 'ERR_TIMEOUT');
    t.false(h.controller.lockActorAlive);
    t.false(h.controller.loginLockWanted);
  }
});
