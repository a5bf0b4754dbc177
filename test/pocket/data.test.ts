import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { encodePocketAction, type PocketAction } from '../../src/pocket/actions.js';
import {
  addItem,
  encodeGetParams,
  getAllItems,
  getItems,
  sendActions,
  syncSince,
  type PocketCallContext,
} from '../../src/pocket/data.js';
import { FakePocketHttp, jsonReply, limitHeaders, type RecordedRequest } from '../helpers/pocket-fake-http.js';
import { ACCESS_TOKEN, BASE_URL, CONSUMER_KEY, containsSecret } from './fixtures.js';

const CREDS = { consumerKey: CONSUMER_KEY, accessToken: ACCESS_TOKEN };

function rawItem(id: number, extra: Record<string, unknown> = {}) {
  return {
    item_id: String(id),
    resolved_title: `Item ${id}`,
    status: '0',
    time_added: String(1_600_000_000 + id),
    ...extra,
  };
}

/** A /v3/get answer for a slice of `items`, keyed by id as Pocket keys it. */
function getAnswer(items: Record<string, unknown>[], since = 1_700_000_000) {
  const list =
    items.length === 0
      ? []
      : Object.fromEntries(items.map((item, index) => [item.item_id, { ...item, sort_id: index }]));
  return jsonReply(
    { status: items.length ? 1 : 2, complete: 1, list, error: null, search_meta: { search_type: 'normal' }, since },
    limitHeaders([320, 300, 3000], [10000, 9000, 3000]),
  );
}

/** Serves `total` items with count/offset like Pocket. */
function pagingServer(total: number) {
  const items = Array.from({ length: total }, (_, index) => rawItem(index + 1));
  return (request: RecordedRequest) => {
    const { count, offset = 0 } = request.json;
    return getAnswer(items.slice(offset, count === undefined ? undefined : offset + count));
  };
}

function context(http: FakePocketHttp): PocketCallContext {
  return { http, baseUrl: BASE_URL, timeoutMs: 2000 };
}

test('getItems sends the credentials and encoded params as JSON and reads the answer', async (t) => {
  const http = new FakePocketHttp({ '/v3/get': getAnswer([rawItem(1), rawItem(2)], 1_700_000_123) });
  const result = await getItems(context(http), CREDS, {
    state: 'all',
    favorite: true,
    total: true,
    sort: 'oldest',
    detailType: 'complete',
  });
  t.deepEqual(http.requests[0]!.json, {
    consumer_key: CONSUMER_KEY,
    access_token: ACCESS_TOKEN,
    state: 'all',
    favorite: 1,
    sort: 'oldest',
    detailType: 'complete',
    total: 1,
  });
  t.is(http.requests[0]!.method, 'POST');
  t.is(http.requests[0]!.timeoutMs, 2000);
  t.is(result.status, 1);
  t.true(result.complete);
  t.is(result.since, 1_700_000_123);
  t.is(result.searchType, 'normal');
  t.deepEqual(
    result.items.map((item) => item.itemId),
    ['1', '2'],
  );
  t.deepEqual(result.rateLimits, {
    user: { limit: 320, remaining: 300, resetSeconds: 3000 },
    key: { limit: 10000, remaining: 9000, resetSeconds: 3000 },
  });
});

test('getItems: total comes back as a number though Pocket sends a string', async (t) => {
  const http = new FakePocketHttp({
    '/v3/get': jsonReply({ status: 1, complete: 1, list: [], error: null, total: '42' }),
  });
  t.is((await getItems(context(http), CREDS, { total: true })).total, 42);
});

test('an empty list is no items whether it is [] or {}', async (t) => {
  for (const list of [[], {}]) {
    const http = new FakePocketHttp({ '/v3/get': jsonReply({ status: 2, complete: 1, list, error: null, since: 1 }) });
    const result = await getItems(context(http), CREDS);
    t.deepEqual(result.items, []);
    t.is(result.status, 2);
    const all = [];
    for await (const item of getAllItems(context(http), CREDS)) all.push(item);
    t.deepEqual(all, []);
  }
});

test('encodeGetParams: Dates become unix seconds; bad numbers are ERR_CONFIG', (t) => {
  t.deepEqual(
    encodeGetParams({ since: new Date(1_700_000_000_999), count: 10, offset: 0, favorite: false, tag: '_untagged_' }),
    {
      since: 1_700_000_000,
      count: 10,
      offset: 0,
      favorite: 0,
      tag: '_untagged_',
    },
  );
  for (const params of [{ count: 0 }, { offset: -1 }, { count: 1.5 }, { since: Number.NaN }]) {
    t.is(t.throws(() => encodeGetParams(params), { instanceOf: AuthError })!.code, 'ERR_CONFIG');
  }
});

test('getAllItems pages with count+offset until an empty page, yields each item once', async (t) => {
  const http = new FakePocketHttp({ '/v3/get': pagingServer(7) });
  const ids: string[] = [];
  for await (const item of getAllItems(context(http), CREDS, { state: 'unread' }, { pageSize: 3 }))
    ids.push(item.itemId);
  t.deepEqual(ids, ['1', '2', '3', '4', '5', '6', '7']);
  t.deepEqual(
    http.requests.map((request) => [request.json.count, request.json.offset, request.json.state]),
    [
      [3, 0, 'unread'],
      [3, 3, 'unread'],
      [3, 6, 'unread'],
      [3, 7, 'unread'],
    ],
  );
});

/** Serves `total` items like the real service: never more than `cap` a page, whatever `count` says. */
function cappedServer(total: number, cap: number, withTotal: boolean) {
  const items = Array.from({ length: total }, (_, index) => rawItem(index + 1));
  return (request: RecordedRequest) => {
    const { count, offset = 0 } = request.json;
    const page = items.slice(offset, offset + Math.min(count ?? cap, cap));
    const reply = getAnswer(page);
    if (!withTotal) return reply;
    return jsonReply({ ...JSON.parse(reply.body!), total: String(total) }, reply.headers);
  };
}

test('getAllItems goes on past short pages from a server that caps count (75 items, 30 a page)', async (t) => {
  for (const withTotal of [false, true]) {
    const http = new FakePocketHttp({ '/v3/get': cappedServer(75, 30, withTotal) });
    const ids: string[] = [];
    for await (const item of getAllItems(context(http), CREDS, { total: withTotal }, { pageSize: 500 }))
      ids.push(item.itemId);
    t.deepEqual(
      ids,
      Array.from({ length: 75 }, (_, index) => String(index + 1)),
    );
    // With total the loop stops at 75 without asking for the empty page.
    t.deepEqual(
      http.requests.map((request) => request.json.offset),
      withTotal ? [0, 30, 60] : [0, 30, 60, 75],
    );
  }
});

test('syncSince goes on past short pages from a server that caps count', async (t) => {
  const http = new FakePocketHttp({ '/v3/get': cappedServer(75, 30, false) });
  const result = await syncSince(context(http), CREDS, 1, {}, { pageSize: 100 });
  t.is(result.changed.length, 75);
});

test('getAllItems asks once more after an exactly full last page, then stops on the empty one', async (t) => {
  const http = new FakePocketHttp({ '/v3/get': pagingServer(6) });
  const ids: string[] = [];
  for await (const item of getAllItems(context(http), CREDS, {}, { pageSize: 3 })) ids.push(item.itemId);
  t.is(ids.length, 6);
  t.deepEqual(
    http.requests.map((request) => request.json.offset),
    [0, 3, 6],
  );
});

test('getAllItems defaults to pages of 500', async (t) => {
  const http = new FakePocketHttp({ '/v3/get': pagingServer(501) });
  let count = 0;
  for await (const _ of getAllItems(context(http), CREDS)) count++;
  t.is(count, 501);
  t.deepEqual(
    http.requests.map((request) => [request.json.count, request.json.offset]),
    [
      [500, 0],
      [500, 500],
      [500, 501],
    ],
  );
});

test('getAllItems does not repeat items a shifting list shows twice, nor loop on a server that ignores offset', async (t) => {
  const items = Array.from({ length: 4 }, (_, index) => rawItem(index + 1));
  // Ignores offset: always answers the first two items.
  const http = new FakePocketHttp({ '/v3/get': () => getAnswer(items.slice(0, 2)) });
  const ids: string[] = [];
  for await (const item of getAllItems(context(http), CREDS, {}, { pageSize: 2 })) ids.push(item.itemId);
  t.deepEqual(ids, ['1', '2']);
  t.is(http.requests.length, 2);
});

test('getAllItems stops early when the consumer breaks out', async (t) => {
  const http = new FakePocketHttp({ '/v3/get': pagingServer(10) });
  for await (const item of getAllItems(context(http), CREDS, {}, { pageSize: 2 })) {
    if (item.itemId === '2') break;
  }
  t.is(http.requests.length, 1);
});

test("syncSince sends since and state=all, splits changed from deleted, returns the first page's cursor", async (t) => {
  const http = new FakePocketHttp({
    '/v3/get': (_request, callIndex) => {
      const pages = [[rawItem(1, { status: '1' }), { item_id: '2', status: '2' }], [rawItem(3, { favorite: '1' })]];
      return getAnswer(pages[callIndex] ?? [], 1_700_000_500 + callIndex);
    },
  });
  const result = await syncSince(context(http), CREDS, 1_699_000_000, { detailType: 'simple' }, { pageSize: 2 });
  t.is(result.since, 1_700_000_500);
  t.deepEqual(
    result.changed.map((item) => [item.itemId, item.status]),
    [
      ['1', 'archived'],
      ['3', 'unread'],
    ],
  );
  t.deepEqual(result.deletedIds, ['2']);
  const [first, second] = http.requests;
  t.deepEqual(first!.json, {
    consumer_key: CONSUMER_KEY,
    access_token: ACCESS_TOKEN,
    state: 'all',
    detailType: 'simple',
    since: 1_699_000_000,
    count: 2,
    offset: 0,
  });
  t.is(second!.json.offset, 2);
});

test('syncSince with nothing changed still moves the cursor', async (t) => {
  const http = new FakePocketHttp({
    '/v3/get': jsonReply({ status: 2, complete: 0, list: [], error: null, since: 1_700_000_900 }),
  });
  const result = await syncSince(context(http), CREDS, new Date(1_699_000_000_000));
  t.deepEqual(result, { since: 1_700_000_900, changed: [], deletedIds: [] });
  t.is(http.requests[0]!.json.since, 1_699_000_000);
});

test('syncSince without a since in the answer is ERR_BAD_RESPONSE', async (t) => {
  const http = new FakePocketHttp({ '/v3/get': jsonReply({ status: 2, complete: 0, list: [], error: null }) });
  const error = await t.throwsAsync(syncSince(context(http), CREDS, 1), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
});

test('addItem sends url, title, comma-joined tags and tweet_id, and reads the saved item', async (t) => {
  const http = new FakePocketHttp({
    '/v3/add': jsonReply({
      item: {
        item_id: '229279689',
        normal_url: 'http://example.com/a',
        resolved_id: '229279689',
        title: 'A',
        extra: 'kept',
      },
      status: 1,
    }),
  });
  const result = await addItem(context(http), CREDS, {
    url: 'https://example.com/a',
    title: 'A',
    tags: ['x', 'y z'],
    tweetId: '123',
  });
  const [request] = http.requests;
  t.is(request!.url, `${BASE_URL}/v3/add`);
  t.is(request!.method, 'POST');
  t.deepEqual(request!.headers, { 'Content-Type': 'application/json; charset=UTF8', 'X-Accept': 'application/json' });
  t.deepEqual(request!.json, {
    consumer_key: CONSUMER_KEY,
    access_token: ACCESS_TOKEN,
    url: 'https://example.com/a',
    title: 'A',
    tags: 'x,y z',
    tweet_id: '123',
  });
  t.is(result.status, 1);
  t.deepEqual(
    { ...result.item, raw: undefined },
    {
      itemId: '229279689',
      normalUrl: 'http://example.com/a',
      resolvedId: '229279689',
      title: 'A',
      raw: undefined,
    },
  );
  t.is(result.item.raw.extra, 'kept');
});

test('addItem refuses a tag with a comma before calling Pocket', async (t) => {
  const http = new FakePocketHttp({});
  const error = await t.throwsAsync(addItem(context(http), CREDS, { url: 'https://e.x', tags: ['a,b'] }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_CONFIG');
  t.is(http.requests.length, 0);
});

test('addItem without the item in the answer is ERR_BAD_RESPONSE', async (t) => {
  const http = new FakePocketHttp({ '/v3/add': jsonReply({ status: 1 }) });
  t.is(
    (await t.throwsAsync(addItem(context(http), CREDS, { url: 'https://e.x' }), { instanceOf: AuthError }))!.code,
    'ERR_BAD_RESPONSE',
  );
});

const EVERY_ACTION: [PocketAction, Record<string, unknown>][] = [
  [
    { action: 'add', url: 'https://e.x/', title: 'T', tags: ['a', 'b'], refId: '99', time: 1_700_000_000 },
    { action: 'add', url: 'https://e.x/', title: 'T', tags: 'a,b', ref_id: '99', time: 1_700_000_000 },
  ],
  [
    { action: 'add', itemId: '5' },
    { action: 'add', item_id: '5' },
  ],
  [
    { action: 'archive', itemId: '5' },
    { action: 'archive', item_id: '5' },
  ],
  [
    { action: 'readd', itemId: '5' },
    { action: 'readd', item_id: '5' },
  ],
  [
    { action: 'favorite', itemId: '5' },
    { action: 'favorite', item_id: '5' },
  ],
  [
    { action: 'unfavorite', itemId: '5' },
    { action: 'unfavorite', item_id: '5' },
  ],
  [
    { action: 'delete', itemId: '5', time: 10 },
    { action: 'delete', item_id: '5', time: 10 },
  ],
  [
    { action: 'tags_add', itemId: '5', tags: ['a'] },
    { action: 'tags_add', item_id: '5', tags: 'a' },
  ],
  [
    { action: 'tags_remove', itemId: '5', tags: ['a', 'b'] },
    { action: 'tags_remove', item_id: '5', tags: 'a,b' },
  ],
  [
    { action: 'tags_replace', itemId: '5', tags: ['c'] },
    { action: 'tags_replace', item_id: '5', tags: 'c' },
  ],
  [
    { action: 'tags_clear', itemId: '5' },
    { action: 'tags_clear', item_id: '5' },
  ],
  [
    { action: 'tag_rename', oldTag: 'old', newTag: 'new' },
    { action: 'tag_rename', old_tag: 'old', new_tag: 'new' },
  ],
  [
    { action: 'tag_delete', tag: 'gone' },
    { action: 'tag_delete', tag: 'gone' },
  ],
];

test('every action of pocket-api.md encodes to its wire form', (t) => {
  for (const [action, wire] of EVERY_ACTION) t.deepEqual(encodePocketAction(action), wire, action.action);
});

test('actions missing what they need are ERR_CONFIG', (t) => {
  const bad = [
    { action: 'add' },
    { action: 'archive', itemId: '' },
    { action: 'tag_rename', oldTag: 'a', newTag: '' },
    { action: 'tag_delete', tag: '' },
    { action: 'tags_add', itemId: '1', tags: [''] },
    { action: 'archive', itemId: '1', time: -1 },
  ] as PocketAction[];
  for (const action of bad)
    t.is(t.throws(() => encodePocketAction(action), { instanceOf: AuthError })!.code, 'ERR_CONFIG');
});

test('sendActions posts the actions as a JSON array and reports each outcome at its index', async (t) => {
  const http = new FakePocketHttp({
    '/v3/send': jsonReply({
      action_results: [true, false, { item_id: '77' }],
      action_errors: [null, { message: 'Invalid item id', type: 'Bad Request', code: 422 }, null],
      status: 1,
    }),
  });
  const actions: PocketAction[] = [
    { action: 'archive', itemId: '1' },
    { action: 'favorite', itemId: 'nope' },
    { action: 'add', url: 'https://e.x/' },
  ];
  const result = await sendActions(context(http), CREDS, actions);
  t.deepEqual(http.requests[0]!.json, {
    consumer_key: CONSUMER_KEY,
    access_token: ACCESS_TOKEN,
    actions: [
      { action: 'archive', item_id: '1' },
      { action: 'favorite', item_id: 'nope' },
      { action: 'add', url: 'https://e.x/' },
    ],
  });
  t.false(result.ok);
  t.deepEqual(result.outcomes, [
    { action: 'archive', ok: true, result: true },
    {
      action: 'favorite',
      ok: false,
      result: false,
      error: { message: 'Invalid item id', type: 'Bad Request', code: 422 },
    },
    { action: 'add', ok: true, result: { item_id: '77' } },
  ]);
});

test('sendActions without action_results is ERR_BAD_RESPONSE', async (t) => {
  const http = new FakePocketHttp({ '/v3/send': jsonReply({ status: 1 }) });
  const error = await t.throwsAsync(sendActions(context(http), CREDS, [{ action: 'archive', itemId: '1' }]), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_BAD_RESPONSE');
});

test('a /v3/get answer without a list, or an HTML page, is ERR_BAD_RESPONSE without secrets', async (t) => {
  for (const reply of [
    jsonReply({ status: 1 }),
    { status: 200, headers: { 'Content-Type': 'text/html' }, body: `<html>login ${ACCESS_TOKEN}</html>` },
    { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"list": {"1": ' },
  ]) {
    const http = new FakePocketHttp({ '/v3/get': reply });
    const error = await t.throwsAsync(getItems(context(http), CREDS), { instanceOf: AuthError });
    t.is(error!.code, 'ERR_BAD_RESPONSE');
    t.false(containsSecret(error));
  }
});

test('no access token is ERR_NOT_LOGGED_IN before any call', async (t) => {
  const http = new FakePocketHttp({});
  const error = await t.throwsAsync(getItems(context(http), { consumerKey: CONSUMER_KEY, accessToken: '' }), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_NOT_LOGGED_IN');
  t.is(http.requests.length, 0);
});

test('the data API refuses plain http to a remote host', async (t) => {
  const http = new FakePocketHttp({});
  const error = await t.throwsAsync(getItems({ http, baseUrl: 'http://getpocket.com' }, CREDS), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_INSECURE_URL');
  t.is(http.requests.length, 0);
});

test("the data API defaults to https://getpocket.com and passes the caller's signal", async (t) => {
  const http = new FakePocketHttp({ '/v3/get': getAnswer([]) });
  const signal = new AbortController().signal;
  await getItems({ http, signal }, CREDS);
  t.is(http.requests[0]!.url, 'https://getpocket.com/v3/get');
  t.is(http.requests[0]!.signal, signal);
  t.is(http.requests[0]!.timeoutMs, 15_000);
});
