/**
 * Flows in other processes reporting to one inspector (`authmachine inspect` + `--inspect`):
 * the ingest door checks who sends, and what arrives is already redacted.
 */
import test from 'ava';
import { startInspectorServer } from '../../src/inspect/inspector-server.js';
import { createRemoteInspector } from '../../src/inspect/remote-inspector.js';
import { INGEST_KEY_HEADER } from '../../src/inspect/ingest.js';
import { runSecretFlow } from './run-flow.js';
import { leakedSecrets } from './secret-protocol.js';

const KEY = 'test-ingest-key-0123456789';

test('a remote flow shows up step by step, redacted before it left the process', async (t) => {
  const server = await startInspectorServer({ ingestKey: KEY });
  t.teardown(() => server.close());
  const remote = createRemoteInspector({ url: server.url, key: KEY });
  await runSecretFlow({ inspect: remote.inspect });
  await remote.flush();
  const states = server.steps().map((step) => step.stateIds.join(','));
  t.true(states[0] === 'auth.idle');
  t.true(states.includes('auth.signingIn.awaitingUser.waitingForRedirect'));
  t.true(states.includes('auth.authorized.ready'));
  t.deepEqual(leakedSecrets(JSON.stringify(server.steps())), []);
});

const post = (url: string, headers: Record<string, string>, body: string) =>
  fetch(new URL('ingest', url), { method: 'POST', headers, body }).then((r) => r.status);

test('the ingest door wants the key, JSON and a list of inspection events', async (t) => {
  const server = await startInspectorServer({ ingestKey: KEY });
  t.teardown(() => server.close());
  const json = { 'content-type': 'application/json' };
  t.is(await post(server.url, json, '[]'), 403, 'no key');
  t.is(await post(server.url, { ...json, [INGEST_KEY_HEADER]: 'wrong' }, '[]'), 403, 'wrong key');
  t.is(
    await post(server.url, { 'content-type': 'text/plain', [INGEST_KEY_HEADER]: KEY }, '[]'),
    415,
    'a form post from a web page',
  );
  t.is(await post(server.url, { ...json, [INGEST_KEY_HEADER]: KEY }, '{"type":"x"}'), 400, 'not a list');
  t.is(
    await post(server.url, { ...json, [INGEST_KEY_HEADER]: KEY }, '[{"type":"@xstate.snapshot"}]'),
    400,
    'not events',
  );
  t.is(await post(server.url, { ...json, [INGEST_KEY_HEADER]: KEY }, '[]'), 204);
  t.deepEqual(server.steps(), []);
});

test('without an ingest key there is no ingest door', async (t) => {
  const server = await startInspectorServer();
  t.teardown(() => server.close());
  t.is(await post(server.url, { 'content-type': 'application/json', [INGEST_KEY_HEADER]: KEY }, '[]'), 405);
});

test('a closed inspector never breaks the flow that reports to it', async (t) => {
  const server = await startInspectorServer({ ingestKey: KEY });
  const remote = createRemoteInspector({ url: server.url, key: KEY });
  await server.close();
  const flow = await runSecretFlow({ inspect: remote.inspect });
  await remote.flush();
  t.is(flow.state.value, 'idle', 'login, fetch and logout all went through');
});
