import test from 'ava';
import { ManualClock } from '../../../adapters/system-clock.js';
import { assertPocketError, getList, JSON_HEADERS, postJson, startEmulator } from './helpers.js';

const LIMIT_HEADERS = [
  'x-limit-user-limit',
  'x-limit-user-remaining',
  'x-limit-user-reset',
  'x-limit-key-limit',
  'x-limit-key-remaining',
  'x-limit-key-reset',
];

test('400 / 130 for a bad parameter, with X-Limit headers', async (t) => {
  const emulator = await startEmulator(t);
  const token = emulator.issueAccessToken();
  for (const bad of [
    { state: 'nope' },
    { sort: 'random' },
    { count: -1 },
    { count: 'ten' },
    { detailType: 'full' },
    { favorite: 2 },
    { contentType: 'audio' },
    { since: 'yesterday' },
  ]) {
    const response = await postJson(emulator, '/v3/get', {
      consumer_key: emulator.consumerKey,
      access_token: token,
      ...bad,
    });
    for (const header of LIMIT_HEADERS) t.truthy(response.headers.get(header), header);
    await assertPocketError(t, response, 400, '130', 'Invalid request, please refer to API documentation.');
  }
  const badJson = await fetch(`${emulator.url}/v3/get`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: '{"consumer_key":"x",',
  });
  await assertPocketError(t, badJson, 400, '130', 'Invalid request, please refer to API documentation.');
  const noUrl = await postJson(emulator, '/v3/add', { consumer_key: emulator.consumerKey, access_token: token });
  await assertPocketError(t, noUrl, 400, '130', 'Invalid request, please refer to API documentation.');
  const noActions = await postJson(emulator, '/v3/send', {
    consumer_key: emulator.consumerKey,
    access_token: token,
    actions: 'not json',
  });
  await assertPocketError(t, noActions, 400, '130', 'Invalid request, please refer to API documentation.');
});

test('401 / 107 for a missing or unknown access token', async (t) => {
  const emulator = await startEmulator(t);
  for (const path of ['/v3/get', '/v3/add', '/v3/send'] as const) {
    await assertPocketError(
      t,
      await postJson(emulator, path, { consumer_key: emulator.consumerKey }),
      401,
      '107',
      'A valid access token is required to access the requested API endpoint.',
    );
    await assertPocketError(
      t,
      await postJson(emulator, path, {
        consumer_key: emulator.consumerKey,
        access_token: 'dcba4321-dcba-4321-dcba-4321dc',
      }),
      401,
      '107',
      'A valid access token is required to access the requested API endpoint.',
    );
  }
});

test('401 / 137 when key and token do not match; 401 / 136 for an unknown key; 400 / 138 without one', async (t) => {
  const emulator = await startEmulator(t);
  const token = emulator.issueAccessToken();
  const otherKey = emulator.issueConsumerKey();
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/get', { consumer_key: otherKey, access_token: token }),
    401,
    '137',
    'Consumer key and access token do not match.',
  );
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/get', { consumer_key: '12345-abcdefabcdefabcdefabcdef', access_token: token }),
    401,
    '136',
    'Invalid consumer key.',
  );
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/get', { access_token: token }),
    400,
    '138',
    'Missing consumer key.',
  );
});

test('403 / 150 for a forbidden endpoint and 403 / 151 for a missing permission', async (t) => {
  const emulator = await startEmulator(t);
  const readOnly = emulator.issueConsumerKey({ permissions: ['retrieve'], forbiddenEndpoints: ['add'] });
  const token = emulator.issueAccessToken(readOnly);
  const call = (path: string, extra: Record<string, unknown> = {}) =>
    postJson(emulator, path, { consumer_key: readOnly, access_token: token, ...extra });
  t.is((await call('/v3/get')).status, 200);
  await assertPocketError(
    t,
    await call('/v3/add', { url: 'https://example.com/' }),
    403,
    '150',
    'Endpoint forbidden for this consumer key.',
  );
  await assertPocketError(
    t,
    await call('/v3/send', { actions: [{ action: 'archive', item_id: '234097661' }] }),
    403,
    '151',
    'The provided keys do not have proper permission.',
  );
  const addOnly = emulator.issueConsumerKey({ permissions: ['add'] });
  const addToken = emulator.issueAccessToken(addOnly);
  await assertPocketError(
    t,
    await postJson(emulator, '/v3/get', { consumer_key: addOnly, access_token: addToken }),
    403,
    '151',
    'The provided keys do not have proper permission.',
  );
  const added = await postJson(emulator, '/v3/send', {
    consumer_key: addOnly,
    access_token: addToken,
    actions: [{ action: 'add', url: 'https://example.com/a' }],
  });
  t.is(added.status, 200);
});

test('rate limit: headers count down, then 403 with X-Limit-User-Remaining: 0 and no X-Error-Code; the window resets', async (t) => {
  const clock = new ManualClock(1_000_000_000_000);
  const emulator = await startEmulator(t, { clock, rateLimits: { userLimit: 3, keyLimit: 100 } });
  const token = emulator.issueAccessToken();
  const call = () =>
    postJson(emulator, '/v3/get', { consumer_key: emulator.consumerKey, access_token: token, count: 1 });
  for (let remaining = 2; remaining >= 0; remaining--) {
    const response = await call();
    t.is(response.status, 200);
    t.is(response.headers.get('x-limit-user-limit'), '3');
    t.is(response.headers.get('x-limit-user-remaining'), String(remaining));
    t.is(response.headers.get('x-limit-key-limit'), '100');
    t.is(response.headers.get('x-limit-key-remaining'), String(97 + remaining));
    t.is(response.headers.get('x-limit-user-reset'), '3600');
    await response.arrayBuffer();
  }
  clock.advance(600_000);
  const limited = await call();
  t.is(limited.status, 403);
  t.is(limited.headers.get('x-limit-user-remaining'), '0');
  t.is(limited.headers.get('x-limit-user-reset'), '3000');
  t.is(limited.headers.get('x-error-code'), null);
  t.is(await limited.text(), '403 Forbidden');
  clock.advance(3_000_000);
  const fresh = await call();
  t.is(fresh.status, 200);
  t.is(fresh.headers.get('x-limit-user-remaining'), '2');
});

test('the per-key limit counts every user of the key', async (t) => {
  const emulator = await startEmulator(t, { rateLimits: { userLimit: 100, keyLimit: 2 } });
  const first = emulator.issueAccessToken();
  const second = emulator.issueAccessToken();
  t.is((await postJson(emulator, '/v3/get', { consumer_key: emulator.consumerKey, access_token: first })).status, 200);
  t.is((await postJson(emulator, '/v3/get', { consumer_key: emulator.consumerKey, access_token: second })).status, 200);
  const limited = await postJson(emulator, '/v3/get', { consumer_key: emulator.consumerKey, access_token: first });
  t.is(limited.status, 403);
  t.is(limited.headers.get('x-limit-key-remaining'), '0');
  t.is(limited.headers.get('x-error-code'), null);
});

test('faults: 503 / 199, 429 with Retry-After, malformed JSON, an HTML page, a reset, a stall', async (t) => {
  const emulator = await startEmulator(t);
  const token = emulator.issueAccessToken();
  const call = () =>
    postJson(emulator, '/v3/get', { consumer_key: emulator.consumerKey, access_token: token, count: 1 });

  emulator.failNext('/v3/get', { status: 503 });
  await assertPocketError(t, await call(), 503, '199', 'Pocket server issue.');

  emulator.failNext('/v3/get', { status: 429, retryAfter: 7 });
  const slow = await call();
  t.is(slow.status, 429);
  t.is(slow.headers.get('retry-after'), '7');
  t.is(slow.headers.get('x-error-code'), null);
  t.is(await slow.text(), '429 Too Many Requests');

  emulator.failNext('/v3/get', { malformed: true });
  const malformed = await call();
  t.is(malformed.status, 200);
  await t.throwsAsync(malformed.json());

  emulator.failNext('/v3/get', { html: true });
  const html = await call();
  t.is(html.status, 200);
  t.regex(html.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(await html.text(), /<html>/);

  emulator.failNext('/v3/get', { reset: true });
  await t.throwsAsync(call());

  emulator.failNext('/v3/get', { stallMs: 150 });
  const started = Date.now();
  const stalled = await call();
  t.true(Date.now() - started >= 140);
  t.is(stalled.status, 200);

  emulator.failNext('/v3/get', { status: 503 }, { times: 2 });
  t.is((await call()).status, 503);
  t.is((await call()).status, 503);
  t.is((await call()).status, 200);

  emulator.failNext('/v3/get', { status: 503 });
  emulator.clearFaults();
  t.is((await call()).status, 200);
  t.throws(() => emulator.failNext('/v3/nope' as '/v3/get', { status: 500 }));
});

test('close() ends a stalled request instead of hanging', async (t) => {
  const emulator = await startEmulator(t);
  emulator.failNext('/v3/get', { stallMs: 60_000 });
  const pending = postJson(emulator, '/v3/get', {}).then(
    () => 'answered',
    () => 'dropped',
  );
  // Close only once the request is inside the stall (it took the fault on arrival).
  while (emulator.pendingFaults('/v3/get') > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await emulator.close();
  t.is(await pending, 'dropped');
});

test('unknown paths are 404 and other methods 405', async (t) => {
  const emulator = await startEmulator(t);
  t.is((await fetch(`${emulator.url}/v3/nothing`, { method: 'POST' })).status, 404);
  t.is((await fetch(`${emulator.url}/v3/get`, { method: 'PUT' })).status, 405);
});

test('the log hook sees every call but never a secret', async (t) => {
  const events: unknown[] = [];
  const emulator = await startEmulator(t, { approval: 'auto-approve', log: (event) => events.push(event) });
  const redirect = 'http://127.0.0.1:9/done';
  const { code } = (await (
    await postJson(emulator, '/v3/oauth/request', { consumer_key: emulator.consumerKey, redirect_uri: redirect })
  ).json()) as { code: string };
  await (await fetch(emulator.authorizeUrl(code, redirect), { redirect: 'manual' })).arrayBuffer();
  const { access_token: accessToken } = (await (
    await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code })
  ).json()) as { access_token: string };
  await getList(emulator, accessToken, { count: 1 });
  const query = new URLSearchParams({
    consumer_key: emulator.consumerKey,
    access_token: 'dcba4321-dcba-4321-dcba-4321dc',
  });
  await (await fetch(`${emulator.url}/v3/get?${query.toString()}`, { method: 'POST' })).arrayBuffer();
  t.is(events.length, 5);
  const logged = JSON.stringify(events);
  for (const secret of [code, accessToken, emulator.consumerKey, 'dcba4321-dcba-4321-dcba-4321dc'])
    t.false(logged.includes(secret));
  t.like(events[4], { method: 'POST', path: '/v3/get', status: 401, errorCode: '107' });
  t.like(events[1], { method: 'GET', path: '/auth/authorize', status: 302 });
});
