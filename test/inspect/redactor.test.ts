import test from 'ava';
import { createRedactor, redactValue, scrubQueryParams } from '../../src/inspect/redactor.js';
import { isDeniedKey, REDACTED } from '../../src/inspect/secret-keys.js';

test('denied keys are redacted at any depth, in any spelling, keeping the other keys', (t) => {
  const out = redactValue({
    token: {
      accessToken: 'at-1234567',
      refresh_token: 'rt-1234567',
      idToken: 'id-1234567',
      username: 'demo',
      expiresAt: 1_700_000_000_000,
    },
    nested: [
      { deep: { 'Client-Secret': 'cs-1234567', consumerKey: 'ck-1234567', nonce: 'n-1234567', password: 'pw' } },
    ],
  });
  t.deepEqual(out, {
    token: {
      accessToken: REDACTED,
      refresh_token: REDACTED,
      idToken: REDACTED,
      username: 'demo',
      expiresAt: 1_700_000_000_000,
    },
    nested: [{ deep: { 'Client-Secret': REDACTED, consumerKey: REDACTED, nonce: REDACTED, password: REDACTED } }],
  });
});

test('session and callback params keep their keys but hide every value', (t) => {
  const out = redactValue({
    session: { state: 's-1234567', requestToken: 'rq-1234567', interval: 5, nested: { x: 'y' } },
    callback: { kind: 'redirect', params: { code: 'c-1234567', iss: 'https://issuer.test' } },
  });
  t.deepEqual(out, {
    session: { state: REDACTED, requestToken: REDACTED, interval: REDACTED, nested: { x: REDACTED } },
    callback: { kind: 'redirect', params: { code: REDACTED, iss: REDACTED } },
  });
});

test('an AuthError code under "code" is shown; any other code is not', (t) => {
  t.deepEqual(redactValue({ error: { code: 'ERR_DECLINED', message: 'no' } }), {
    error: { code: 'ERR_DECLINED', message: 'no' },
  });
  t.deepEqual(redactValue({ code: 'ERR_NOT_A_REAL_CODE' }), { code: REDACTED });
  t.false(isDeniedKey('code', 'ERR_TIMEOUT'));
  t.true(isDeniedKey('code', 'abc'));
});

test('"token" holding a string is a secret; holding a token set it is a folder', (t) => {
  t.deepEqual(redactValue({ token: 'tok-1234567' }), { token: REDACTED });
  t.true(isDeniedKey('pocketAccessToken', 'x'));
  t.false(isDeniedKey('tokenType', 'bearer'));
  t.false(isDeniedKey('username', 'demo'));
});

test('a secret seen under a denied key is cut out of every later string', (t) => {
  const redactor = createRedactor();
  redactor.redact({ session: { requestToken: 'REQ-TOKEN-SECRET' } });
  t.is(
    redactor.redact('opened https://x.test/a?x=REQ-TOKEN-SECRET') as string,
    `opened https://x.test/a?x=${REDACTED}`,
  );
  t.is(redactor.scrub('path/REQ-TOKEN-SECRET/z'), `path/${REDACTED}/z`);
  // URL-encoded forms too.
  redactor.learn({ state: 'a b/c+d=1' });
  t.is(redactor.scrub(`back=${encodeURIComponent('a b/c+d=1')}`), `back=${REDACTED}`);
});

test('a secret is cut out of a string in the same value even when its key comes later', (t) => {
  const out = redactValue({ url: 'https://x.test/?n=LATE-SECRET-1', session: { verifier: 'LATE-SECRET-1' } });
  t.deepEqual(out, { url: `https://x.test/?n=${REDACTED}`, session: { verifier: REDACTED } });
});

test('denied query parameters are cut out of URLs, fragments and form bodies', (t) => {
  t.is(
    scrubQueryParams(
      'https://p.test/auth?request_token=abc&redirect_uri=http%3A%2F%2F127.0.0.1&state=xyz#access_token=t1&x=1',
    ),
    `https://p.test/auth?request_token=${REDACTED}&redirect_uri=http%3A%2F%2F127.0.0.1&state=${REDACTED}#access_token=${REDACTED}&x=1`,
  );
  t.is(
    scrubQueryParams('code=abc&code_verifier=def&grant_type=authorization_code'),
    `code=${REDACTED}&code_verifier=${REDACTED}&grant_type=authorization_code`,
  );
  t.is(scrubQueryParams('nothing to see'), 'nothing to see');
});

test('short secrets are redacted by key but not scrubbed out of other strings', (t) => {
  const redactor = createRedactor();
  t.deepEqual(redactor.redact({ code: 'ab', text: 'ab cd' }), { code: REDACTED, text: 'ab cd' });
});

test('output is plain JSON: actor refs become ids, functions vanish, cycles and errors are safe', (t) => {
  const actorRef = { sessionId: 'x:3', id: 'receiver', send() {}, getSnapshot() {} };
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const error = Object.assign(new Error('leaked SECRET in message'), { code: 'E_SOMETHING' });
  const out = redactValue({ to: actorRef, fn: () => 1, cyclic, error, when: new Date(0), tags: new Set(['a']) });
  t.deepEqual(out, {
    to: { sessionId: 'x:3', id: 'receiver' },
    cyclic: { name: 'loop', self: '[circular]' },
    error: { name: 'Error' },
    when: '1970-01-01T00:00:00.000Z',
    tags: ['a'],
  });
  t.notThrows(() => JSON.stringify(out));
});

test('summarise gives shape and size, nothing of the content', (t) => {
  const redactor = createRedactor();
  t.deepEqual(redactor.summarise({ a: 'SECRET', b: 1 }), { summary: 'object', keys: 2, bytes: 20 });
  t.deepEqual(redactor.summarise([1, 2, 3]), { summary: 'array', items: 3, bytes: 7 });
  t.is(redactor.summarise(null), null);
});
