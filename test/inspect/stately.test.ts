import test from 'ava';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { AuthError } from '../../adapters/errors.js';
import { createStatelyInspect } from '../../src/inspect/stately.js';
import { runSecretFlow } from './run-flow.js';
import { leakedSecrets, USERNAME } from './secret-protocol.js';

interface StatelyMessage {
  type: string;
  sessionId: string;
  name?: string;
  definition?: string;
  event?: { type: string };
  snapshot?: { value?: unknown; context?: { token?: Record<string, unknown> | null } };
}

/** A local stand-in for the Stately receiver: collects what the inspector sends. */
async function startReceiver() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const messages: StatelyMessage[] = [];
  const waiters: { done: (m: StatelyMessage) => boolean; resolve: () => void }[] = [];
  server.on('connection', (socket) =>
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as StatelyMessage;
      messages.push(message);
      for (const waiter of [...waiters]) if (waiter.done(message)) waiter.resolve();
    }),
  );
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    messages,
    raw: () => messages.map((m) => JSON.stringify(m)).join('\n'),
    waitFor: (done: (m: StatelyMessage) => boolean) => new Promise<void>((resolve) => waiters.push({ done, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

test('the Stately WebSocket inspector receives the states and events of a flow, and no secret', async (t) => {
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const connected = once(receiver.server, 'connection');
  const stately = await createStatelyInspect({ kind: 'websocket', url: receiver.url });
  t.teardown(() => stately.stop());
  await connected;

  // The last root snapshot of the flow: back in idle after the logout.
  const finished = receiver.waitFor(
    (m) => m.type === '@xstate.snapshot' && m.event?.type === 'xstate.done.actor.logout',
  );
  await runSecretFlow({ inspect: stately.inspect });
  await finished;

  t.deepEqual(leakedSecrets(receiver.raw()), []);
  const root = receiver.messages.find((m) => m.type === '@xstate.actor' && m.name === 'auth');
  t.truthy(root, 'the machine is announced under its own name');
  t.true(root!.definition!.includes('waitingForRedirect'), 'with its definition, so Stately can draw it');
  const values = receiver.messages
    .filter((m) => m.type === '@xstate.snapshot' && m.sessionId === root!.sessionId)
    .map((m) => JSON.stringify(m.snapshot!.value));
  for (const value of [
    '{"checkingStore":"reading"}',
    '{"signingIn":"preparing"}',
    '{"signingIn":{"awaitingUser":"waitingForRedirect"}}',
    '{"exchanging":"attempt"}',
    '{"authorized":{"saving":"writing"}}',
    '{"authorized":"ready"}',
  ]) {
    t.true(values.includes(value), value);
  }
  const events = new Set(receiver.messages.filter((m) => m.type === '@xstate.event').map((m) => m.event!.type));
  for (const type of ['LOGIN', 'CALLBACK', 'FETCH', 'LOGOUT']) t.true(events.has(type), type);
  const ready = receiver.messages.find(
    (m) => m.type === '@xstate.snapshot' && JSON.stringify(m.snapshot?.value) === '{"authorized":"ready"}',
  );
  t.like(ready!.snapshot!.context!.token, { accessToken: '[redacted]', username: USERNAME });
});

test('without @statelyai/inspect installed, a clear ERR_CONFIG says what to install', async (t) => {
  const missing = Object.assign(new Error("Cannot find package '@statelyai/inspect'"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  const error = await t.throwsAsync(
    createStatelyInspect({
      kind: 'websocket',
      url: 'ws://127.0.0.1:1',
      importModule: async () => Promise.reject(missing),
    }),
  );
  t.true(error instanceof AuthError);
  t.is((error as AuthError).code, 'ERR_CONFIG');
  t.regex(error!.message, /npm install --save-dev @statelyai\/inspect/);
});

test('a package without the inspector factories is refused with ERR_CONFIG', async (t) => {
  const error = await t.throwsAsync(
    createStatelyInspect({ kind: 'websocket', url: 'ws://127.0.0.1:1', importModule: async () => ({}) }),
  );
  t.is((error as AuthError).code, 'ERR_CONFIG');
});
