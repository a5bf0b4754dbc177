import test from 'ava';
import { assertPocketError, JSON_HEADERS, postForm, postJson, requestToken, startEmulator } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:9/done';
const TOKEN_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{6}$/;

test('the default consumer key has the real shape; issued keys are distinct', async (t) => {
  const emulator = await startEmulator(t);
  t.regex(emulator.consumerKey, /^\d{5}-[0-9a-f]{24}$/);
  const other = emulator.issueConsumerKey({ appName: 'Other' });
  t.regex(other, /^\d{5}-[0-9a-f]{24}$/);
  t.not(other, emulator.consumerKey);
  t.regex(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('request answers JSON with X-Accept, echoing state, and a 30-char request token', async (t) => {
  const emulator = await startEmulator(t);
  const response = await postJson(emulator, '/v3/oauth/request', {
    consumer_key: emulator.consumerKey,
    redirect_uri: REDIRECT,
    state: 'abc',
  });
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
  t.is(response.headers.get('x-limit-user-limit'), null);
  t.is(response.headers.get('x-limit-key-limit'), null);
  const body = (await response.json()) as { code: string; state: string | null };
  t.is(body.code.length, 30);
  t.regex(body.code, TOKEN_SHAPE);
  t.is(body.state, 'abc');
  const noState = (await (
    await postJson(emulator, '/v3/oauth/request', { consumer_key: emulator.consumerKey, redirect_uri: REDIRECT })
  ).json()) as Record<string, unknown>;
  t.deepEqual(Object.keys(noState).sort(), ['code', 'state']);
  t.is(noState.state, null);
});

test('request and authorize answer form-encoded without X-Accept', async (t) => {
  const emulator = await startEmulator(t, { approval: 'auto-approve' });
  const response = await postForm(emulator, '/v3/oauth/request', {
    consumer_key: emulator.consumerKey,
    redirect_uri: REDIRECT,
  });
  t.is(response.status, 200);
  const text = await response.text();
  t.regex(text, /^code=[0-9a-f-]{30}$/);
  const code = new URLSearchParams(text).get('code')!;
  t.is((await fetch(emulator.authorizeUrl(code, REDIRECT), { redirect: 'manual' })).status, 302);
  const exchange = await postForm(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code });
  const answer = new URLSearchParams(await exchange.text());
  t.regex(answer.get('access_token') ?? '', TOKEN_SHAPE);
  t.is(answer.get('username'), 'demo');
  t.is(exchange.headers.get('x-limit-user-limit'), null);
});

for (const charset of ['UTF8', 'utf8', 'utf-8', 'UTF-8']) {
  test(`JSON bodies with charset=${charset} are accepted`, async (t) => {
    const emulator = await startEmulator(t);
    const response = await postJson(
      emulator,
      '/v3/oauth/request',
      { consumer_key: emulator.consumerKey, redirect_uri: REDIRECT },
      {
        'Content-Type': `application/json; charset=${charset}`,
        'X-Accept': 'application/json',
      },
    );
    t.is(response.status, 200);
    t.regex(((await response.json()) as { code: string }).code, TOKEN_SHAPE);
  });
}

test('request errors: 138, 140, 152, 199', async (t) => {
  const emulator = await startEmulator(t);
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/request', { redirect_uri: REDIRECT }),
    400,
    '138',
    'Missing consumer key.',
  );
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/request', { consumer_key: emulator.consumerKey }),
    400,
    '140',
    'Missing redirect url.',
  );
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/request', {
      consumer_key: '12345-000000000000000000000000',
      redirect_uri: REDIRECT,
    }),
    403,
    '152',
    'Invalid consumer key.',
  );
  emulator.failNext('/v3/oauth/request', { status: 503 });
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/request', { consumer_key: emulator.consumerKey, redirect_uri: REDIRECT }),
    503,
    '199',
    'Pocket server issue.',
  );
  emulator.failNext('/v3/oauth/request', { status: 502 });
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/request', { consumer_key: emulator.consumerKey, redirect_uri: REDIRECT }),
    502,
    '199',
    'Pocket server issue.',
  );
  // The fault was used up: the next call works.
  t.is(
    (await postJson(emulator, '/v3/oauth/request', { consumer_key: emulator.consumerKey, redirect_uri: REDIRECT }))
      .status,
    200,
  );
});

test('authorize errors: 138, 152, 182, 185, 181, 199', async (t) => {
  const emulator = await startEmulator(t);
  const code = await requestToken(emulator, REDIRECT);
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', { code }),
    400,
    '138',
    'Missing consumer key.',
  );
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', { consumer_key: '99999-ffffffffffffffffffffffff', code }),
    403,
    '152',
    'Invalid consumer key.',
  );
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey }),
    400,
    '182',
    'Missing code.',
  );
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', {
      consumer_key: emulator.consumerKey,
      code: 'dcba4321-dcba-4321-dcba-4321dc',
    }),
    400,
    '185',
    'Code not found.',
  );
  // A code is bound to the key that asked for it.
  const otherKey = emulator.issueConsumerKey();
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', { consumer_key: otherKey, code }),
    400,
    '185',
    'Code not found.',
  );
  emulator.decide(code, 'approve');
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', {
      consumer_key: emulator.consumerKey,
      code,
      redirect_uri: 'http://evil.example/',
    }),
    400,
    '181',
    'Invalid redirect uri.',
  );
  emulator.failNext('/v3/oauth/authorize', { status: 500 });
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code }),
    500,
    '199',
    'Pocket server issue.',
  );
  // None of the failures spent the code.
  t.is((await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code })).status, 200);
});

test('158 before approval, a token after approval, then 159 on reuse', async (t) => {
  const emulator = await startEmulator(t);
  const code = await requestToken(emulator, REDIRECT);
  const exchange = () => postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code });
  await assertPocketError(t, await exchange(), 403, '158', 'User rejected code.');
  t.true(emulator.decide(code, 'approve'));
  const first = await exchange();
  t.is(first.status, 200);
  const body = (await first.json()) as { access_token: string; username: string };
  t.regex(body.access_token, TOKEN_SHAPE);
  t.is(body.username, 'demo');
  await assertPocketError(t, await exchange(), 403, '159', 'Already used code.');
  await assertPocketError(t, await exchange(), 403, '159', 'Already used code.');
});

test('158 after a decline, and it stays declined', async (t) => {
  const emulator = await startEmulator(t, { approval: 'auto-decline' });
  const code = await requestToken(emulator, REDIRECT);
  const page = await fetch(emulator.authorizeUrl(code, REDIRECT), { redirect: 'manual' });
  t.is(page.status, 302);
  t.is(page.headers.get('location'), REDIRECT);
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code }),
    403,
    '158',
    'User rejected code.',
  );
  t.false(emulator.decide(code, 'approve'));
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code }),
    403,
    '158',
    'User rejected code.',
  );
});

test('an unparseable JSON body reads as no parameters (138)', async (t) => {
  const emulator = await startEmulator(t);
  const response = await fetch(`${emulator.url}/v3/oauth/request`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: '{"consumer_key":',
  });
  await assertPocketError(t, response, 400, '138', 'Missing consumer key.');
});
