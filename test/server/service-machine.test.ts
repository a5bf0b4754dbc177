/**
 * The login service runs the login statechart without the invocations a server has no use for
 * (the account's login lock, the redirect receiver, the browser opener, the save's lock holder),
 * without the steps that only waited for them, and without the delays that could never fire
 * there. The same states; the actors, delays and steps of a login are counted from XState's own
 * inspection events. Memory stores and a fake protocol.
 */
import test from 'ava';
import { createActor, type AnyStateNode, type InspectionEvent } from 'xstate';
import { MemoryLock } from '../../adapters/memory-lock.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { cryptoRandom, systemClock } from '../../adapters/system-clock.js';
import { authMachine } from '../../machines/auth-machine.js';
import { renewalLockKey } from '../../src/flow/lock-keys.js';
import { encodeFlowRecord, decodeFlowRecord } from '../../src/server/flow-record.js';
import { bindUser, provideServiceMachine } from '../../src/server/service-machine.js';
import { createFakeProtocol, nullHttp } from '../helpers/fake-protocol.js';

const REDIRECT_URI = 'https://app.example/oauth/callback';

function stateIds(node: AnyStateNode): string[] {
  return [node.id, ...Object.values(node.states).flatMap((child) => stateIds(child as AnyStateNode))];
}

function serviceMachine(tokens = new MemoryTokenStore(), lock = new MemoryLock(), lockTimeoutMs = 5_000) {
  return provideServiceMachine(createFakeProtocol(), {
    http: nullHttp,
    externalRedirectUri: REDIRECT_URI,
    tokens,
    lock,
    clock: systemClock,
    random: cryptoRandom,
    storeTimeoutMs: 5_000,
    lockTimeoutMs,
  });
}

/** The ids of the actors created and the delays scheduled while `run` goes on. */
function recorder() {
  const actors: string[] = [];
  const delays: string[] = [];
  /** The state value after each microstep of a machine actor. */
  const microsteps: unknown[] = [];
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.microstep') microsteps.push((event.snapshot as unknown as { value: unknown }).value);
    if (event.type === '@xstate.actor') actors.push((event.actorRef as unknown as { id: string }).id);
    if (event.type === '@xstate.action' && event.action.type === 'xstate.raise') {
      const params = event.action.params as { delay?: number; event?: { type: string } } | undefined;
      if (params?.delay !== undefined) delays.push(params.event?.type ?? '?');
    }
  };
  return { actors, delays, microsteps, inspect };
}

/** Whether `key` is free: a free MemoryLock grants at once; a held one waits until the abort. */
async function isFree(lock: MemoryLock, key: string): Promise<boolean> {
  const probe = new AbortController();
  const taken = lock.acquire(key, { signal: probe.signal });
  await new Promise((resolve) => setImmediate(resolve));
  probe.abort();
  try {
    await (await taken).release();
    return true;
  } catch {
    return false;
  }
}

test('the service statechart has every state of the login statechart, by the same ids', (t) => {
  t.deepEqual(stateIds(serviceMachine().root).sort(), stateIds(authMachine.root).sort());
});

test('a hosted login builds no receiver, browser opener or lock-holding actor, takes no step that only waited for them, and sets no timer it would only clear', async (t) => {
  const tokens = new MemoryTokenStore();
  const lock = new MemoryLock();
  const machine = serviceMachine(tokens, lock);
  const begun = recorder();
  const first = createActor(machine, { input: { config: {} }, inspect: begun.inspect });
  bindUser(first, 'fake:client|user:ada', 'login');
  first.start();
  const waiting = new Promise<void>((resolve) =>
    first.subscribe((s) => s.matches({ signingIn: { awaitingUser: 'waitingForRedirect' } }) && resolve()),
  );
  first.send({ type: 'LOGIN', force: true });
  await waiting;
  const snapshot = first.getSnapshot();
  t.is(
    new URL(snapshot.context.authorizationUrl ?? 'https://invalid/').searchParams.get('redirect_uri'),
    REDIRECT_URI,
    'startAuthorization was given the host redirect URI without a receiver',
  );
  t.deepEqual(
    begun.microsteps.map((value) => JSON.stringify(value)),
    ['{"signingIn":{"requestingToken":"attempt"}}', '{"signingIn":{"awaitingUser":"waitingForRedirect"}}'],
    'begin: straight to requestingToken (no login lock, no receiver), then straight to waitingForRedirect',
  );
  const record = encodeFlowRecord({ userId: 'ada', snapshot: first.getPersistedSnapshot() });
  first.stop();
  t.deepEqual(begun.actors.slice(1), ['startAuthorization'], 'begin: the root and startAuthorization only');
  t.deepEqual(begun.delays, [], 'no loginWaitTimeout or userTimeout timer');

  const completed = recorder();
  const second = createActor(machine, {
    snapshot: decodeFlowRecord(record, 'memory').snapshot as never,
    input: { config: {} },
    inspect: completed.inspect,
  });
  bindUser(second, 'fake:client|user:ada', 'login');
  second.start();
  const ready = new Promise<void>((resolve) =>
    second.subscribe((s) => s.matches({ authorized: 'ready' }) && resolve()),
  );
  second.send({ type: 'CALLBACK', params: { state: snapshot.context.session?.state ?? '', code: 'good-code' } });
  await ready;
  second.stop();
  t.deepEqual(completed.actors.slice(1), ['exchangeCode', 'saveToken'], 'the save takes the lock itself');
  t.deepEqual(completed.delays, [], 'no lockTimeout timer: the save bounds its own wait for the lock');
  t.truthy(await tokens.get('fake:client|user:ada'), 'the login was saved');
  t.true(await isFree(lock, renewalLockKey('fake:client|user:ada')), 'the save let the lock go');
});

test('the CLI statechart still invokes the receiver, the browser opener and the login lock', async (t) => {
  const seen = recorder();
  const actor = createActor(authMachine, { input: { config: {} }, inspect: seen.inspect });
  actor.start();
  actor.send({ type: 'LOGIN', force: true });
  await Promise.resolve();
  t.true(seen.actors.includes('loginLock'));
  t.true(seen.actors.includes('receiver'));
  actor.stop();
});

/** A service machine's actor at waitingForRedirect for `user`, and the callback that completes it. */
async function begunLogin(machine: ReturnType<typeof serviceMachine>, key: string) {
  const first = createActor(machine, { input: { config: {} } });
  bindUser(first, key, 'login');
  first.start();
  const waiting = new Promise<void>((resolve) =>
    first.subscribe((s) => s.matches({ signingIn: { awaitingUser: 'waitingForRedirect' } }) && resolve()),
  );
  first.send({ type: 'LOGIN', force: true });
  await waiting;
  const state = first.getSnapshot().context.session?.state ?? '';
  const record = encodeFlowRecord({ userId: 'ada', snapshot: first.getPersistedSnapshot() });
  first.stop();
  const second = createActor(machine, {
    snapshot: decodeFlowRecord(record, 'memory').snapshot as never,
    input: { config: {} },
  });
  bindUser(second, key, 'login');
  const settled = new Promise<string>((resolve) =>
    second.subscribe((s) => {
      if (s.matches({ authorized: 'ready' })) resolve('ready');
      else if (s.matches('failed')) resolve(s.context.error?.code ?? '?');
    }),
  );
  second.start();
  second.send({ type: 'CALLBACK', params: { state, code: 'good-code' } });
  return { settled, actor: second };
}

test("a completed login is saved only once the user's lock is free (a renewal elsewhere holds it)", async (t) => {
  const tokens = new MemoryTokenStore();
  const lock = new MemoryLock();
  const key = 'fake:client|user:ada';
  const renewal = await lock.acquire(renewalLockKey(key), { signal: new AbortController().signal });
  const { settled, actor } = await begunLogin(serviceMachine(tokens, lock), key);
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  t.true(actor.getSnapshot().matches({ authorized: { saving: 'writing' } }), 'waiting for the lock in writing');
  t.is(await tokens.get(key), null, 'nothing written while another holds the lock');
  await renewal.release();
  t.is(await settled, 'ready');
  t.truthy(await tokens.get(key));
  actor.stop();
});

test('a lock held past lockTimeoutMs fails the save with ERR_TIMEOUT, and nothing is written', async (t) => {
  const tokens = new MemoryTokenStore();
  const lock = new MemoryLock();
  const key = 'fake:client|user:ada';
  await lock.acquire(renewalLockKey(key), { signal: new AbortController().signal });
  const machine = serviceMachine(tokens, lock, 30);
  const { settled, actor } = await begunLogin(machine, key);
  t.is(await settled, 'ERR_TIMEOUT');
  t.is(await tokens.get(key), null);
  actor.stop();
});
