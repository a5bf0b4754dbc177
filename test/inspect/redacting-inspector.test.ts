import test from 'ava';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import type { RedactedInspectionEvent } from '../../src/inspect/inspection-event.js';
import { createRedactingInspector } from '../../src/inspect/redacting-inspector.js';
import { REDACTED } from '../../src/inspect/secret-keys.js';
import { createFakeProtocol, nullHttp } from '../helpers/fake-protocol.js';
import { runSecretFlow } from './run-flow.js';
import { leakedSecrets, USERNAME } from './secret-protocol.js';
import { FLOW_STATES } from '../helpers/flow-states.js';

function rootStates(events: RedactedInspectionEvent[]): string[] {
  const states = events.flatMap((e) =>
    e.type === '@xstate.snapshot' && e.sessionId === e.rootId ? [e.snapshot.stateIds!.join(' ')] : [],
  );
  return states.filter((s, i) => s !== states[i - 1]);
}

test('a whole flow emits every state and event type and no secret', async (t) => {
  const events: RedactedInspectionEvent[] = [];
  await runSecretFlow({ inspect: createRedactingInspector((e) => events.push(e)) });
  const text = JSON.stringify(events);

  t.deepEqual(leakedSecrets(text), []);
  t.deepEqual(rootStates(events), FLOW_STATES);
  for (const type of [
    'LOGIN',
    'REDIRECT_READY',
    'CALLBACK',
    'FETCH',
    'LOGOUT',
    'xstate.done.actor.startAuthorization',
    'xstate.done.actor.exchangeCode',
    'xstate.done.actor.fetchResource',
  ]) {
    t.true(
      events.some((e) => e.type === '@xstate.event' && e.event.type === type),
      type,
    );
  }
  t.deepEqual([...new Set(events.map((e) => e.type))].sort(), [
    '@xstate.action',
    '@xstate.actor',
    '@xstate.event',
    '@xstate.microstep',
    '@xstate.snapshot',
  ]);
  // Plain JSON: nothing is lost by a JSON round trip (no actor objects, no functions).
  t.deepEqual(JSON.parse(text), events);
  t.true(events.every((e, i) => e.seq === i + 1));
});

test('the token in context keeps its keys, with username and expiry visible', async (t) => {
  const events: RedactedInspectionEvent[] = [];
  await runSecretFlow({ inspect: createRedactingInspector((e) => events.push(e)), loginOnly: true }).then((flow) =>
    flow.stop(),
  );
  const ready = events.findLast(
    (e) => e.type === '@xstate.snapshot' && e.snapshot.stateIds?.[0] === 'auth.authorized.ready',
  );
  const token = (ready as unknown as { snapshot: { context: { token: Record<string, unknown> } } }).snapshot.context
    .token;
  t.is(token.accessToken, REDACTED);
  t.is(token.refreshToken, REDACTED);
  t.is(token.idToken, REDACTED);
  t.is(token.username, USERNAME);
  t.is(typeof token.expiresAt, 'number');
  t.is(token.tokenType, 'bearer');
});

test('the session, the callback params and the authorization URL are redacted, keeping their shape', async (t) => {
  const events: RedactedInspectionEvent[] = [];
  await runSecretFlow({ inspect: createRedactingInspector((e) => events.push(e)), loginOnly: true }).then((flow) =>
    flow.stop(),
  );
  const callback = events.find((e) => e.type === '@xstate.event' && e.event.type === 'CALLBACK');
  t.deepEqual((callback as { event: unknown }).event, {
    type: 'CALLBACK',
    params: { code: REDACTED, state: REDACTED },
  });
  const waiting = events.find(
    (e) =>
      e.type === '@xstate.snapshot' && e.snapshot.stateIds?.[0] === 'auth.signingIn.awaitingUser.waitingForRedirect',
  );
  const context = (waiting as { snapshot: { context: Record<string, unknown> } }).snapshot.context;
  t.deepEqual(context.session, { state: REDACTED, verifier: REDACTED, requestToken: REDACTED, consumerKey: REDACTED });
  t.is(
    context.authorizationUrl,
    `https://fake.test/authorize?request_token=${REDACTED}&redirect_uri=${encodeURIComponent('app://done?state=')}${REDACTED}&note=${REDACTED}`,
  );
});

test('fetched results are summarised, not shown', async (t) => {
  const events: RedactedInspectionEvent[] = [];
  await runSecretFlow({ inspect: createRedactingInspector((e) => events.push(e)) });
  const done = events.find((e) => e.type === '@xstate.event' && e.event.type === 'xstate.done.actor.fetchResource');
  const output = (done as unknown as { event: { output: { summary: string; keys: number; bytes: number } } }).event
    .output;
  t.is(output.summary, 'object');
  t.is(output.keys, 3);
  t.true(output.bytes > 10_000);
  t.false(JSON.stringify(events).includes('item 499'));
});

test('a failed flow shows the error code and still no secret', async (t) => {
  const events: RedactedInspectionEvent[] = [];
  await t.throwsAsync(
    runSecretFlow({ inspect: createRedactingInspector((e) => events.push(e)), code: 'SECRET-WRONG-CODE' }),
    { message: /not accepted/ },
  );
  const text = JSON.stringify(events);
  t.deepEqual(leakedSecrets(text), []);
  t.false(text.includes('SECRET-WRONG-CODE'));
  const failed = events.findLast((e) => e.type === '@xstate.snapshot' && e.snapshot.stateIds?.[0] === 'auth.failed');
  t.like((failed as { snapshot: { context: unknown } }).snapshot.context, { error: { code: 'ERR_CODE_INVALID' } });
});

test('the random secrets of the shared fake protocol never appear either', async (t) => {
  const events: RedactedInspectionEvent[] = [];
  const flow = createAuthFlow({
    protocol: createFakeProtocol(),
    http: nullHttp,
    receiver: null,
    inspect: createRedactingInspector((e) => events.push(e)),
  });
  t.teardown(() => flow.stop());
  let state = '';
  flow.on('authorizationUrl', (e) => {
    state = new URL(e.url).searchParams.get('state')!;
    queueMicrotask(() => flow.callback({ code: 'good-code', state }));
  });
  await flow.login();
  const stored = JSON.parse((await flow.store.get('fake:client'))!) as { token: { accessToken: string } };
  const secrets = [state, stored.token.accessToken, stored.token.accessToken.replace('token-for-', ''), 'good-code'];
  const text = JSON.stringify(events);
  for (const secret of secrets) t.false(text.includes(secret), secret);
  t.true(text.includes('fake-user'));
});

test("the host's forward function sees events while the flow runs, in order", async (t) => {
  const seen: string[] = [];
  const inspector = createRedactingInspector((e) => {
    if (e.type === '@xstate.snapshot' && e.sessionId === e.rootId) seen.push(e.snapshot.stateIds!.join(' '));
  });
  await runSecretFlow({
    inspect: inspector,
    beforeCallback: async () => {
      // While the flow waits for the person, the inspector has already reported it.
      t.is(seen.at(-1), 'auth.signingIn.awaitingUser.waitingForRedirect');
    },
  });
  t.is(seen.at(-1), 'auth.idle');
});
