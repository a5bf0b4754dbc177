import test from 'ava';
import { ManualClock } from '../../../adapters/system-clock.js';
import {
  SYNTHETIC_ID_BASE,
  SYNTHETIC_NEWEST_TIME,
  SYNTHETIC_STEP_SECONDS,
  SyntheticItems,
} from '../../../src/pocket/emulator/index.js';
import { getList, items, postJson, startEmulator } from './helpers.js';

test('synthetic items are deterministic and shaped like Pocket items', (t) => {
  const a = new SyntheticItems(10);
  const b = new SyntheticItems(10);
  t.deepEqual(a.item(7), b.item(7));
  const item = a.item(3);
  t.is(item.item_id, String(SYNTHETIC_ID_BASE + 3));
  t.is(item.time_added, String(SYNTHETIC_NEWEST_TIME - 3 * SYNTHETIC_STEP_SECONDS));
  t.is(typeof item.time_to_read, 'number');
  t.is(typeof item.listen_duration_estimate, 'number');
  t.is(a.indexOf(item.item_id), 3);
  t.is(a.indexOf(String(SYNTHETIC_ID_BASE + 10)), undefined);
});

test('100,000 synthetic items page through with count + offset, each exactly once', async (t) => {
  const emulator = await startEmulator(t, {
    syntheticItems: 100_000,
    rateLimits: { userLimit: 1_000_000, keyLimit: 1_000_000 },
  });
  const token = emulator.issueAccessToken();
  const first = await getList(emulator, token, { count: 5000, total: 1 });
  t.is(first.total, '100000');
  let seen = 0;
  let misplaced = 0;
  for (let offset = 0; ; offset += 5000) {
    const page = items(offset === 0 ? first : await getList(emulator, token, { count: 5000, offset }));
    for (const item of page) {
      if (item.item_id !== String(SYNTHETIC_ID_BASE + seen) || item.sort_id !== seen) misplaced++;
      seen++;
    }
    if (page.length < 5000) break;
  }
  t.is(seen, 100_000);
  t.is(misplaced, 0);
  // Deep offsets cost no more than shallow ones: a page near the end.
  const tail = items(await getList(emulator, token, { count: 30, offset: 99_990 }));
  t.deepEqual(
    tail.map((item) => item.item_id),
    Array.from({ length: 10 }, (_, i) => String(SYNTHETIC_ID_BASE + 99_990 + i)),
  );
});

test('synthetic lists honour changes, since, oldest and search', async (t) => {
  const clock = new ManualClock(1_764_000_000_000);
  const emulator = await startEmulator(t, { syntheticItems: 1000, clock });
  const token = emulator.issueAccessToken();
  const id = (index: number) => String(SYNTHETIC_ID_BASE + index);
  const send = (actions: unknown[]) =>
    postJson(emulator, '/v3/send', { consumer_key: emulator.consumerKey, access_token: token, actions });
  const before = await getList(emulator, token, { count: 1 });
  await (
    await send([
      { action: 'archive', item_id: id(1) },
      { action: 'delete', item_id: id(2) },
      { action: 'favorite', item_id: id(3) },
    ])
  ).arrayBuffer();
  const unread = items(await getList(emulator, token, { count: 3, total: 1 }));
  t.deepEqual(
    unread.map((item) => item.item_id),
    [id(0), id(3), id(4)],
  );
  t.is((await getList(emulator, token, { total: 1, count: 1 })).total, '998');
  t.is((await getList(emulator, token, { state: 'all', total: 1, count: 1 })).total, '999');
  t.deepEqual(
    items(await getList(emulator, token, { state: 'archive' })).map((item) => item.item_id),
    [id(1)],
  );
  t.deepEqual(
    items(await getList(emulator, token, { favorite: 1 })).map((item) => item.item_id),
    [id(3)],
  );
  const oldest = items(await getList(emulator, token, { sort: 'oldest', count: 2, offset: 995 }));
  t.deepEqual(
    oldest.map((item) => item.item_id),
    [id(4), id(3)],
  );
  const changes = await getList(emulator, token, { since: before.since, state: 'all' });
  t.deepEqual(Object.keys(changes.list).sort(), [id(1), id(2), id(3)]);
  t.deepEqual((changes.list as Record<string, unknown>)[id(2)], { item_id: id(2), status: '2' });
  // since in the synthetic range keeps the items saved at or after it.
  const recent = await getList(emulator, token, {
    since: SYNTHETIC_NEWEST_TIME - 5 * SYNTHETIC_STEP_SECONDS,
    state: 'all',
    total: 1,
  });
  t.is(recent.total, '6');
  t.deepEqual(
    items(await getList(emulator, token, { search: 'article 999:' })).map((item) => item.item_id),
    [id(999)],
  );
  t.is(items(await getList(emulator, token, { sort: 'title', count: 1 }))[0]!.item_id, id(0));
  t.is((await getList(emulator, token, { tag: 'anything' })).status, 2);
});
