/**
 * The login service runs the login statechart without the invocations a server has no use for
 * (the account's login lock, the redirect receiver, the browser opener) and without the two
 * delays that could never fire there. Same states, same transitions otherwise; the actors a login
 * builds are counted from XState's own inspection events. Memory stores and a fake protocol.
 */
import test from 'ava';
import { createActor, type AnyStateNode, type InspectionEvent } from 'xstate';
import { MemoryLock } from '../../adapters/memory-lock.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { cryptoRandom, systemClock } from '../../adapters/system-clock.js';
import { authMachine } from '../../machines/auth-machine.js';
import { encodeFlowRecord, decodeFlowRecord } from '../../src/server/flow-record.js';
import { bindUser, provideServiceMachine } from '../../src/server/service-machine.js';
import { createFakeProtocol, nullHttp } from '../helpers/fake-protocol.js';

const REDIRECT_URI = 'https://app.example/oauth/callback';

function stateIds(node: AnyStateNode): string[] {
  return [node.id, ...Object.values(node.states).flatMap((child) => stateIds(child as AnyStateNode))];
}

function serviceMachine(tokens = new MemoryTokenStore()) {
  return provideServiceMachine(createFakeProtocol(), {
    http: nullHttp,
    externalRedirectUri: REDIRECT_URI,
    tokens,
    lock: new MemoryLock(),
    clock: systemClock,
    random: cryptoRandom,
    storeTimeoutMs: 5_000,
    lockTimeoutMs: 5_000,
  });
}

/** The ids of the actors created and the delays scheduled while `run` goes on. */
function recorder() {
  const actors: string[] = [];
  const delays: string[] = [];
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.actor') actors.push((event.actorRef as unknown as { id: string }).id);
    if (event.type === '@xstate.action' && event.action.type === 'xstate.raise') {
      const params = event.action.params as { delay?: number; event?: { type: string } } | undefined;
      if (params?.delay !== undefined) delays.push(params.event?.type ?? '?');
    }
  };
  return { actors, delays, inspect };
}

test('the service statechart has every state of the login statechart, by the same ids', (t) => {
  t.deepEqual(stateIds(serviceMachine().root).sort(), stateIds(authMachine.root).sort());
});

test('a hosted login builds no receiver, browser opener or login-lock actor, and sets no timer it would only clear', async (t) => {
  const tokens = new MemoryTokenStore();
  const machine = serviceMachine(tokens);
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
  t.is(snapshot.context.redirectUri, REDIRECT_URI, 'preparing took the host redirect URI without a receiver');
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
  t.deepEqual(completed.actors.slice(1), ['exchangeCode', 'lock', 'saveToken']);
  t.deepEqual(completed.delays, ['xstate.after.lockTimeout.auth.authorized.saving.acquiringLock']);
  t.truthy(await tokens.get('fake:client|user:ada'), 'the login was saved');
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
