/**
 * Commands that only use a stored login (a CLI's `logout`, `call`) must never start a new one:
 * resume() loads it or says there is none, and logout() with nothing usable stored returns at
 * once, removing a dead entry, instead of waiting for a browser login nobody will do.
 */
import test from 'ava';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { encodeTokenSet } from '../../src/flow/token-codec.js';
import { createFakeProtocol, nullHttp } from '../helpers/fake-protocol.js';

function setup(stored: Parameters<typeof encodeTokenSet>[0] | null) {
  const server = { approvedCodes: new Set(['good-code']), calls: [] as string[] };
  const protocol = createFakeProtocol(server);
  const store = new MemoryTokenStore();
  if (stored) void store.set(protocol.storageKey, encodeTokenSet(stored));
  const opened: string[] = [];
  const flow = createAuthFlow({
    protocol,
    http: nullHttp,
    receiver: null,
    externalRedirectUri: 'https://app.test/callback',
    browser: { open: async (url) => void opened.push(url) },
    store,
  });
  const states: string[] = [];
  flow.actor.subscribe((s) => states.push(JSON.stringify(s.value)));
  return { flow, store, server, opened, states, key: protocol.storageKey };
}

test('resume() loads a usable stored login without signing in', async (t) => {
  const { flow, server, states } = setup({ accessToken: 'token-for-x', username: 'fake-user' });
  t.teardown(() => flow.stop());
  const result = await flow.resume();
  t.deepEqual(result, { username: 'fake-user', fromStore: true, expiresAt: null, waitedFor: null });
  t.is(flow.state.value, 'authorized');
  t.deepEqual(server.calls, []);
  t.false(states.some((s) => s.includes('signingIn')));
  t.deepEqual(await flow.fetch({ path: '/me' }), { path: '/me', user: 'fake-user' });
});

test('resume() with nothing stored returns null and never asks the provider or opens a browser', async (t) => {
  const { flow, server, opened } = setup(null);
  t.teardown(() => flow.stop());
  t.is(await flow.resume(), null);
  t.is(flow.state.value, 'idle');
  t.deepEqual(server.calls, []);
  t.deepEqual(opened, []);
});

test('logout() with an expired, unrefreshable stored token deletes it and returns without a login', async (t) => {
  const { flow, store, server, opened, key } = setup({ accessToken: 'token-for-x', expiresAt: Date.now() - 1000 });
  t.teardown(() => flow.stop());
  await flow.logout();
  t.is(await store.get(key), null);
  t.is(flow.state.value, 'idle');
  t.deepEqual(server.calls, []);
  t.deepEqual(opened, []);
});

test('logout() with nothing stored returns at once', async (t) => {
  const { flow, server } = setup(null);
  t.teardown(() => flow.stop());
  await flow.logout();
  t.is(flow.state.value, 'idle');
  t.deepEqual(server.calls, []);
});

test('logout() of a stored login loads it, then logs out through the machine', async (t) => {
  const { flow, store, key, states } = setup({ accessToken: 'token-for-x', username: 'fake-user' });
  t.teardown(() => flow.stop());
  await flow.logout();
  t.is(await store.get(key), null);
  t.true(states.includes('{"authorized":{"loggingOut":"attempt"}}'));
});

test('logout() removes an unreadable stored entry', async (t) => {
  const { flow, store, key } = setup(null);
  t.teardown(() => flow.stop());
  await store.set(key, 'not json');
  await flow.logout();
  t.is(await store.get(key), null);
});
