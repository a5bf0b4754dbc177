/**
 * flow.fetch is typed by the request: a protocol whose answers are tagged with their request's
 * kind gives the answer of that kind (no switch, no throw at the caller), and an answer of another
 * kind is refused at run time rather than handed over under the wrong type.
 */
import test from 'ava';
import { isAuthError } from '../../adapters/errors.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { createAuthFlow, type AnswerTo } from '../../src/flow/auth-flow.js';
import { encodeTokenSet } from '../../src/flow/token-codec.js';
import type { AuthProtocol } from '../../src/protocol.js';
import { nullHttp } from '../helpers/fake-protocol.js';

type Req = { kind: 'count'; of: string } | { kind: 'echo'; text: string };
type Res = { kind: 'count'; result: number } | { kind: 'echo'; result: string };

function flowWith(answer: (request: Req) => Res) {
  const protocol: AuthProtocol<Req, Res> = {
    name: 'tagged',
    storageKey: 'tagged:client',
    mode: 'redirect',
    start: async () => ({ session: { state: null }, authorizationUrl: 'https://tagged.test/' }),
    exchange: async () => ({ accessToken: 'a' }),
    fetch: async (_ctx, { request }) => answer(request),
  };
  const store = new MemoryTokenStore();
  void store.set(protocol.storageKey, encodeTokenSet({ accessToken: 'a' }));
  return createAuthFlow({
    protocol,
    http: nullHttp,
    receiver: null,
    externalRedirectUri: 'https://app.test/cb',
    store,
  });
}

const honest = (request: Req): Res =>
  request.kind === 'count' ? { kind: 'count', result: request.of.length } : { kind: 'echo', result: request.text };

test('each request kind resolves to the answer of its own kind, typed as such', async (t) => {
  const flow = flowWith(honest);
  t.teardown(() => flow.stop());
  await flow.login();
  const counted = await flow.fetch({ kind: 'count', of: 'abcd' });
  const length: number = counted.result; // a type error if the answer were the union
  const echoed = await flow.fetch({ kind: 'echo', text: 'hi' });
  const text: string = echoed.result;
  t.is(length, 4);
  t.is(text, 'hi');
});

test('an answer of another kind is refused with ERR_UNEXPECTED', async (t) => {
  const flow = flowWith(() => ({ kind: 'echo', result: 'not a count' }));
  t.teardown(() => flow.stop());
  await flow.login();
  const error = await t.throwsAsync(flow.fetch({ kind: 'count', of: 'x' }));
  t.true(isAuthError(error, 'ERR_UNEXPECTED'));
});

test('AnswerTo: tagged answers narrow by kind; untagged ones pass through', (t) => {
  const narrowed: AnswerTo<Res, { kind: 'count'; of: string }> = { kind: 'count', result: 1 };
  const plain: AnswerTo<{ status: number }, { path: string }> = { status: 200 };
  // @ts-expect-error: an echo answer is not the answer to a count request.
  const wrong: AnswerTo<Res, { kind: 'count'; of: string }> = { kind: 'echo', result: 'x' };
  t.deepEqual([narrowed, plain, wrong], [{ kind: 'count', result: 1 }, { status: 200 }, { kind: 'echo', result: 'x' }]);
});
