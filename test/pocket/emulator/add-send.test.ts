import test from 'ava';
import { ManualClock } from '../../../adapters/system-clock.js';
import { getList, items, postJson, startEmulator } from './helpers.js';

async function setup(t: Parameters<typeof startEmulator>[0]) {
  const clock = new ManualClock(1_764_000_000_000);
  const emulator = await startEmulator(t, { clock });
  const token = emulator.issueAccessToken();
  const call = async (path: string, body: Record<string, unknown>) =>
    (await (
      await postJson(emulator, path, { consumer_key: emulator.consumerKey, access_token: token, ...body })
    ).json()) as Record<string, any>;
  const item = async (id: string) => {
    const answer = await getList(emulator, token, { state: 'all', detailType: 'complete' });
    return items(answer).find((entry) => entry.item_id === id);
  };
  return { emulator, token, clock, call, item };
}

test('/v3/add saves a URL with title and tags and answers the item in Pocket shape', async (t) => {
  const { emulator, token, call, item } = await setup(t);
  const answer = await call('/v3/add', { url: 'https://example.com/post', title: 'A post', tags: 'one, two' });
  t.is(answer.status, 1);
  const added = answer.item;
  t.regex(added.item_id, /^\d+$/);
  t.is(added.normal_url, 'https://example.com/post');
  t.is(added.given_url, 'https://example.com/post');
  t.is(added.title, 'A post');
  t.is(added.resolved_id, added.item_id);
  for (const field of [
    'item_id',
    'normal_url',
    'resolved_id',
    'resolved_url',
    'title',
    'word_count',
    'has_image',
    'is_article',
  ])
    t.is(typeof added[field], 'string', field);
  const stored = await item(added.item_id);
  t.is(stored!.status, '0');
  t.is(stored!.time_added, '1764000000');
  t.deepEqual(Object.keys(stored!.tags as object), ['one', 'two']);
  // The newest item comes first.
  t.is(items(await getList(emulator, token))[0]!.item_id, added.item_id);
  // Saving the same URL again re-adds the same item.
  t.is((await call('/v3/add', { url: 'https://example.com/post' })).item.item_id, added.item_id);
  t.is((await getList(emulator, token, { total: 1 })).total, '11');
});

test('/v3/add accepts form bodies', async (t) => {
  const { emulator, token } = await setup(t);
  const response = await fetch(`${emulator.url}/v3/add`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf8' },
    body: new URLSearchParams({
      consumer_key: emulator.consumerKey,
      access_token: token,
      url: 'https://example.org/x',
    }).toString(),
  });
  t.is(response.status, 200);
  t.is(((await response.json()) as { item: { given_url: string } }).item.given_url, 'https://example.org/x');
});

test('/v3/send: archive, readd, favorite, unfavorite, delete', async (t) => {
  const { call, item, clock } = await setup(t);
  const id = '1519049132';
  clock.advance(5000);
  const answer = await call('/v3/send', {
    actions: [
      { action: 'archive', item_id: id },
      { action: 'favorite', item_id: id, time: 1_700_000_000 },
    ],
  });
  t.deepEqual(answer, { action_results: [true, true], action_errors: [null, null], status: 1 });
  t.like(await item(id), { status: '1', favorite: '1', time_favorited: '1700000000', time_read: '1764000005' });
  await call('/v3/send', {
    actions: [
      { action: 'readd', item_id: id },
      { action: 'unfavorite', item_id: id },
    ],
  });
  t.like(await item(id), { status: '0', favorite: '0', time_favorited: '0' });
  t.deepEqual((await call('/v3/send', { actions: [{ action: 'delete', item_id: id }] })).action_results, [true]);
  t.is(await item(id), undefined);
});

test('/v3/send: tags_add, tags_remove, tags_replace, tags_clear, tag_rename, tag_delete', async (t) => {
  const { call, item } = await setup(t);
  const a = '1519049132';
  const b = '1616406703';
  const tags = async (id: string) => Object.keys(((await item(id))!.tags as object) ?? {});
  await call('/v3/send', {
    actions: [
      { action: 'tags_add', item_id: a, tags: 'x,y' },
      { action: 'tags_add', item_id: b, tags: 'y' },
    ],
  });
  t.deepEqual(await tags(a), ['x', 'y']);
  await call('/v3/send', { actions: [{ action: 'tags_remove', item_id: a, tags: 'x' }] });
  t.deepEqual(await tags(a), ['y']);
  await call('/v3/send', { actions: [{ action: 'tags_replace', item_id: a, tags: 'p,q' }] });
  t.deepEqual(await tags(a), ['p', 'q']);
  await call('/v3/send', { actions: [{ action: 'tags_clear', item_id: a }] });
  t.deepEqual(await tags(a), []);
  await call('/v3/send', {
    actions: [
      { action: 'tags_add', item_id: a, tags: 'y' },
      { action: 'tag_rename', old_tag: 'y', new_tag: 'z' },
    ],
  });
  t.deepEqual(await tags(a), ['z']);
  t.deepEqual(await tags(b), ['z']);
  t.deepEqual(((await item(b))!.tags as Record<string, unknown>).z, { item_id: b, tag: 'z' });
  await call('/v3/send', { actions: [{ action: 'tag_delete', tag: 'z' }] });
  t.deepEqual(await tags(a), []);
  t.deepEqual(await tags(b), []);
});

test('/v3/send: add by url, failed actions get false and an error object at their index', async (t) => {
  const { call, emulator, token } = await setup(t);
  const answer = await call('/v3/send', {
    actions: [
      { action: 'add', url: 'https://example.net/new', tags: 'fresh' },
      { action: 'archive', item_id: '42' },
      { action: 'explode', item_id: '1519049132' },
      { action: 'favorite', item_id: '1519049132' },
    ],
  });
  t.deepEqual(answer.action_results, [true, false, false, true]);
  t.is(answer.action_errors[0], null);
  t.like(answer.action_errors[1], { code: 404 });
  t.is(typeof answer.action_errors[1].message, 'string');
  t.like(answer.action_errors[2], { code: 400 });
  t.is(answer.action_errors[3], null);
  t.deepEqual(
    items(await getList(emulator, token, { tag: 'fresh' })).map((entry) => entry.given_url),
    ['https://example.net/new'],
  );
});

test('/v3/send accepts actions as a JSON string in a form body', async (t) => {
  const { emulator, token } = await setup(t);
  const response = await fetch(`${emulator.url}/v3/send`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      consumer_key: emulator.consumerKey,
      access_token: token,
      actions: JSON.stringify([{ action: 'archive', item_id: '1519049132' }]),
    }).toString(),
  });
  t.deepEqual(await response.json(), { action_results: [true], action_errors: [null], status: 1 });
});
