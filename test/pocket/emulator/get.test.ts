import test from 'ava';
import { ManualClock } from '../../../adapters/system-clock.js';
import { DEMO_ITEMS } from '../../../src/pocket/emulator/index.js';
import { getList, items, JSON_HEADERS, postJson, startEmulator } from './helpers.js';

const NOW_MS = 1_764_000_000_000;

async function demo(t: Parameters<typeof startEmulator>[0]) {
  const clock = new ManualClock(NOW_MS);
  const emulator = await startEmulator(t, { clock });
  const token = emulator.issueAccessToken();
  return { emulator, token, clock };
}

async function send(emulator: Awaited<ReturnType<typeof startEmulator>>, token: string, actions: unknown[]) {
  const response = await postJson(emulator, '/v3/send', {
    consumer_key: emulator.consumerKey,
    access_token: token,
    actions,
  });
  return (await response.json()) as { action_results: boolean[]; action_errors: unknown[]; status: number };
}

test('the demo list is the seed sample: ten articles, every field, strings except sort_id, newest first', async (t) => {
  const { emulator, token } = await demo(t);
  const answer = await getList(emulator, token, { contentType: 'article', count: 10 });
  t.is(answer.status, 1);
  t.is(answer.complete, 1);
  t.is(answer.error, null);
  t.deepEqual(answer.search_meta, { search_type: 'normal' });
  t.is(answer.since, NOW_MS / 1000);
  const list = items(answer);
  t.is(list.length, 10);
  t.deepEqual(
    list.map((item) => item.item_id),
    DEMO_ITEMS.map((item) => item.item_id),
  );
  t.deepEqual(
    list.map((item) => item.sort_id),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const first = list[0]!;
  t.is(first.resolved_title, 'From Idea to 4M Page Views in 4\u00a0Weeks');
  t.is(first.resolved_id, '1773505341');
  t.is(first.word_count, '1837');
  for (const item of list) {
    for (const [field, value] of Object.entries(item)) {
      if (field === 'sort_id') t.is(typeof value, 'number');
      else t.is(typeof value, 'string', field);
    }
    t.is(item.authors, undefined, 'simple answers have no complete-only fields');
  }
  t.is(
    list.find((item) => item.item_id === '2001727306')!.amp_url,
    'https://venturebeat.com/2017/12/22/how-ibm-builds-an-effective-data-science-team/amp/',
  );
});

test('the list object keeps answer order even though ids are numeric', async (t) => {
  const { emulator, token } = await demo(t);
  const response = await postJson(emulator, '/v3/get', {
    consumer_key: emulator.consumerKey,
    access_token: token,
    sort: 'oldest',
  });
  const raw = await response.text();
  const order = [...raw.matchAll(/"(\d+)":\{"/g)].map((match) => match[1]);
  t.deepEqual(order, DEMO_ITEMS.map((item) => item.item_id).reverse());
});

test('sort: newest, oldest, title, site', async (t) => {
  const { emulator, token } = await demo(t);
  const ids = async (sort: string) => items(await getList(emulator, token, { sort })).map((item) => item.item_id);
  const newest = DEMO_ITEMS.map((item) => item.item_id);
  t.deepEqual(await ids('newest'), newest);
  t.deepEqual(await ids('oldest'), [...newest].reverse());
  const titles = items(await getList(emulator, token, { sort: 'title' })).map((item) =>
    String(item.resolved_title).toLowerCase(),
  );
  t.deepEqual(titles, [...titles].sort());
  t.is(titles[0], '17 thoughts on running, startups, and life while running 2017 miles in\u00a02017');
  const sites = items(await getList(emulator, token, { sort: 'site' })).map((item) => String(item.resolved_url));
  t.deepEqual(sites, [...sites].sort());
});

test('count + offset pages through the list until a short page', async (t) => {
  const { emulator, token } = await demo(t);
  const seen: unknown[] = [];
  for (let offset = 0; ; offset += 4) {
    const page = items(await getList(emulator, token, { count: 4, offset }));
    seen.push(...page.map((item) => item.item_id));
    t.deepEqual(
      page.map((item) => item.sort_id),
      page.map((_, i) => offset + i),
    );
    if (page.length < 4) break;
  }
  t.deepEqual(
    seen,
    DEMO_ITEMS.map((item) => item.item_id),
  );
});

test('an empty answer is status 2 with list []', async (t) => {
  const { emulator, token } = await demo(t);
  const response = await postJson(emulator, '/v3/get', {
    consumer_key: emulator.consumerKey,
    access_token: token,
    state: 'archive',
  });
  const raw = await response.text();
  t.regex(raw, /"list":\[\]/);
  const answer = JSON.parse(raw);
  t.is(answer.status, 2);
  t.deepEqual(answer.list, []);
  const pastEnd = await getList(emulator, token, { offset: 10 });
  t.is(pastEnd.status, 2);
  t.deepEqual(pastEnd.list, []);
});

test('total=1 adds the match count as a string', async (t) => {
  const { emulator, token } = await demo(t);
  const answer = await getList(emulator, token, { count: 3, total: 1 });
  t.is(answer.total, '10');
  t.is(items(answer).length, 3);
  t.is((await getList(emulator, token, { count: 3 })).total, undefined);
});

test('filters: state, favorite, tag and _untagged_, contentType, search, domain', async (t) => {
  const { emulator, token } = await demo(t);
  const result = await send(emulator, token, [
    { action: 'archive', item_id: '234097661' },
    { action: 'favorite', item_id: '1616406703' },
    { action: 'tags_add', item_id: '1616406703', tags: 'auth,oauth' },
    { action: 'tags_add', item_id: '1519049132', tags: ['auth'] },
  ]);
  t.deepEqual(result.action_results, [true, true, true, true]);
  const ids = async (params: Record<string, unknown>) =>
    items(await getList(emulator, token, params))
      .map((item) => item.item_id)
      .sort();
  t.is((await ids({})).length, 9, 'default state is unread');
  t.deepEqual(await ids({ state: 'archive' }), ['234097661']);
  t.is((await ids({ state: 'all' })).length, 10);
  t.deepEqual(await ids({ favorite: 1 }), ['1616406703']);
  t.is((await ids({ favorite: '0' })).length, 8);
  t.deepEqual(await ids({ tag: 'auth' }), ['1519049132', '1616406703']);
  t.deepEqual(await ids({ tag: 'oauth' }), ['1616406703']);
  t.is((await ids({ tag: '_untagged_' })).length, 7);
  t.deepEqual(await ids({ contentType: 'video' }), ['1859670338', '2007245672']);
  t.deepEqual(await ids({ contentType: 'image' }), []);
  t.is((await ids({ contentType: 'article' })).length, 9);
  t.deepEqual(await ids({ search: 'oauth' }), ['1616406703']);
  t.deepEqual(await ids({ search: 'KNAPSACK' }), ['1607678551']);
  t.deepEqual(await ids({ domain: 'auth0.com' }), ['1519049132', '1616406703']);
  t.deepEqual(await ids({ domain: 'www.hellosign.com' }), ['2006920392']);
});

test('detailType=complete adds tags, authors, images, videos, domain_metadata', async (t) => {
  const { emulator, token } = await demo(t);
  await send(emulator, token, [{ action: 'tags_add', item_id: '1616406703', tags: 'auth' }]);
  const simple = items(await getList(emulator, token, { search: 'OAuth 2.0' }))[0]!;
  t.is(simple.tags, undefined);
  const complete = items(await getList(emulator, token, { search: 'OAuth 2.0', detailType: 'complete' }))[0]!;
  t.deepEqual(complete.tags, { auth: { item_id: '1616406703', tag: 'auth' } });
  t.deepEqual(complete.domain_metadata, { name: 'auth0.com' });
  for (const field of ['authors', 'images', 'videos']) t.true(field in complete, field);
  t.is(complete.resolved_title, 'OAuth 2.0');
});

test('since: complete 0, only items changed since, deleted ones as item_id + status only', async (t) => {
  const { emulator, token, clock } = await demo(t);
  const first = await getList(emulator, token);
  clock.advance(60_000);
  await send(emulator, token, [
    { action: 'archive', item_id: '2001727306' },
    { action: 'delete', item_id: '1607678551' },
  ]);
  const changes = await getList(emulator, token, { since: first.since, state: 'all' });
  t.is(changes.complete, 0);
  t.is(changes.status, 1);
  t.is(changes.since, first.since + 60);
  const byId = changes.list as Record<string, Record<string, unknown>>;
  t.deepEqual(Object.keys(byId).sort(), ['1607678551', '2001727306']);
  t.deepEqual(byId['1607678551'], { item_id: '1607678551', status: '2' });
  t.is(byId['2001727306']!.status, '1');
  const none = await getList(emulator, token, { since: changes.since + 1 });
  t.is(none.status, 2);
  t.is(none.complete, 0);
  t.deepEqual(none.list, []);
  // A deleted item is gone from ordinary answers.
  t.false(items(await getList(emulator, token, { state: 'all' })).some((item) => item.item_id === '1607678551'));
});

test('GET with a JSON body works, as the seed sends it', async (t) => {
  const { emulator, token } = await demo(t);
  const body = JSON.stringify({
    consumer_key: emulator.consumerKey,
    access_token: token,
    contentType: 'article',
    count: 10,
  });
  // fetch() refuses a GET body, so use node:http directly.
  const { request } = await import('node:http');
  const raw = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      `${emulator.url}/v3/get`,
      { method: 'GET', headers: { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  t.is(raw.status, 200);
  t.is(Object.keys(JSON.parse(raw.text).list).length, 10);
});

test('form-encoded and query-string parameters work too', async (t) => {
  const { emulator, token } = await demo(t);
  const form = await fetch(`${emulator.url}/v3/get`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consumer_key: emulator.consumerKey, access_token: token, count: '2' }).toString(),
  });
  t.is(Object.keys(((await form.json()) as { list: object }).list).length, 2);
  const query = new URLSearchParams({ consumer_key: emulator.consumerKey, access_token: token, count: '3' });
  const viaQuery = await fetch(`${emulator.url}/v3/get?${query.toString()}`, { method: 'POST' });
  t.is(Object.keys(((await viaQuery.json()) as { list: object }).list).length, 3);
});
