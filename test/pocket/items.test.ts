import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { convertItem, convertItemList, pocketTimeToDate, tagNames } from '../../src/pocket/items.js';

/** An item from the seed's sample answer (a real Pocket response), with tags added. */
const SEED_ITEM = {
  excerpt: 'Heads up! As part of our efforts to improve security...',
  favorite: '0',
  given_title: '',
  given_url: 'https://auth0.com/docs/api-auth/grant/authorization-code-pkce',
  has_image: '0',
  has_video: '0',
  is_article: '1',
  is_index: '0',
  item_id: '1519049132',
  resolved_id: '1519049132',
  resolved_title: 'Calling APIs from Mobile Apps',
  resolved_url: 'https://auth0.com/docs/api-auth/grant/authorization-code-pkce',
  sort_id: 5,
  status: '0',
  time_added: '1514493110',
  time_favorited: '0',
  time_read: '0',
  time_updated: '1514493110',
  word_count: '445',
  time_to_read: 2,
  listen_duration_estimate: 172,
  tags: { auth: { item_id: '1519049132', tag: 'auth' }, 'to read': { item_id: '1519049132', tag: 'to read' } },
};

test('strings become numbers, booleans and flags; "0" times become null; raw is kept as sent', (t) => {
  const item = convertItem(SEED_ITEM);
  const { raw, ...typed } = item;
  t.is(raw, SEED_ITEM);
  t.deepEqual(typed, {
    itemId: '1519049132',
    status: 'unread',
    resolvedId: '1519049132',
    givenUrl: 'https://auth0.com/docs/api-auth/grant/authorization-code-pkce',
    givenTitle: '',
    resolvedUrl: 'https://auth0.com/docs/api-auth/grant/authorization-code-pkce',
    resolvedTitle: 'Calling APIs from Mobile Apps',
    excerpt: 'Heads up! As part of our efforts to improve security...',
    favorite: false,
    isArticle: true,
    isIndex: false,
    hasImage: 'none',
    hasVideo: 'none',
    wordCount: 445,
    timeAdded: 1514493110,
    timeUpdated: 1514493110,
    timeRead: null,
    timeFavorited: null,
    sortId: 5,
    timeToRead: 2,
    listenDurationEstimate: 172,
    tags: ['auth', 'to read'],
    authors: [],
    images: [],
    videos: [],
  });
  t.deepEqual(pocketTimeToDate(item.timeAdded), new Date('2017-12-28T20:31:50.000Z'));
  t.is(pocketTimeToDate(item.timeRead), null);
});

test('status, favorite and media flags cover every value Pocket sends', (t) => {
  t.is(convertItem({ item_id: '1', status: '1' }).status, 'archived');
  t.is(convertItem({ item_id: '1', status: '2' }).status, 'deleted');
  t.true(convertItem({ item_id: '1', favorite: '1' }).favorite);
  t.is(convertItem({ item_id: '1', has_image: '1', has_video: '2' }).hasImage, 'has');
  t.is(convertItem({ item_id: '1', has_image: '1', has_video: '2' }).hasVideo, 'is');
});

test('a deleted item from a since answer (id and status only) converts with empty values', (t) => {
  const item = convertItem({ item_id: '42', status: '2' });
  t.is(item.status, 'deleted');
  t.deepEqual(item.tags, []);
  t.is(item.timeAdded, null);
  t.is(item.wordCount, undefined);
});

test('detailType=complete extras: authors, images, videos', (t) => {
  const item = convertItem({
    item_id: '1',
    authors: { '7': { item_id: '1', author_id: '7', name: 'Ada', url: 'https://ada.example' } },
    images: {
      '1': {
        item_id: '1',
        image_id: '1',
        src: 'https://img.example/a.png',
        width: '640',
        height: '0',
        caption: '',
        credit: '',
      },
    },
    videos: {
      '1': { item_id: '1', video_id: '1', src: 'https://youtube.com/x', width: '0', height: '0', type: '1', vid: 'x' },
    },
  });
  t.deepEqual(item.authors, [{ id: '7', name: 'Ada', url: 'https://ada.example' }]);
  t.deepEqual(item.images, [
    { id: '1', src: 'https://img.example/a.png', width: 640, height: 0, caption: '', credit: '' },
  ]);
  t.deepEqual(item.videos, [{ id: '1', src: 'https://youtube.com/x', width: 0, height: 0, type: 1, vid: 'x' }]);
});

test("tags come as Pocket's map, or as arrays", (t) => {
  t.deepEqual(tagNames({ a: { item_id: '1', tag: 'a' }, b: {} }), ['a', 'b']);
  t.deepEqual(tagNames(['x', { tag: 'y' }]), ['x', 'y']);
  t.deepEqual(tagNames(undefined), []);
});

test('a list keyed by id comes back in sort_id order, not numeric key order', (t) => {
  const items = convertItemList({
    '100': { item_id: '100', sort_id: 2 },
    '20': { item_id: '20', sort_id: 0 },
    '3000': { item_id: '3000', sort_id: 1 },
  });
  t.deepEqual(
    items.map((item) => item.itemId),
    ['20', '3000', '100'],
  );
});

test('an empty list is [] whether Pocket sends [], {} or null', (t) => {
  t.deepEqual(convertItemList([]), []);
  t.deepEqual(convertItemList({}), []);
  t.deepEqual(convertItemList(null), []);
});

test('an item without an id, or a list of the wrong type, is ERR_BAD_RESPONSE', (t) => {
  t.is(t.throws(() => convertItemList([{ favorite: '1' }]), { instanceOf: AuthError })!.code, 'ERR_BAD_RESPONSE');
  t.is(t.throws(() => convertItemList('nope'), { instanceOf: AuthError })!.code, 'ERR_BAD_RESPONSE');
  t.is(t.throws(() => convertItem('nope'), { instanceOf: AuthError })!.code, 'ERR_BAD_RESPONSE');
  // The list key stands in for a missing item_id.
  t.is(convertItemList({ '55': { status: '0' } })[0]!.itemId, '55');
});
