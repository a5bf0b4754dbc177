/**
 * Runs a checked `/v3/get` query over an account: filter, sort, page. Synthetic items are never
 * all built: their filter fields are the same for every one, so the whole range matches or not at
 * once, and paging walks runs of them by arithmetic. Only the items of the page are built.
 */
import type { GetQuery } from './get-params.js';
import { domainOf, itemTitle, itemUrl, tagNames, type PocketItemRecord } from './item-types.js';
import type { Account } from './store.js';

export interface GetResult {
  /** The page, in answer order. */
  items: PocketItemRecord[];
  /** How many items matched before paging. */
  total: number;
}

function timeAdded(item: PocketItemRecord): number {
  return Number(item.time_added);
}

/** Does the item pass every filter except `since` and `search`? */
function passesStaticFilters(item: PocketItemRecord, query: GetQuery): boolean {
  if (item.status === '2') return false;
  if (query.state === 'unread' && item.status !== '0') return false;
  if (query.state === 'archive' && item.status !== '1') return false;
  if (query.favorite !== null && item.favorite !== query.favorite) return false;
  if (query.tag !== null) {
    const tags = tagNames(item);
    if (query.tag === '_untagged_' ? tags.length > 0 : !tags.includes(query.tag)) return false;
  }
  if (query.contentType === 'article' && item.is_article !== '1') return false;
  if (query.contentType === 'video' && !(item.has_video === '1' || item.has_video === '2')) return false;
  if (query.contentType === 'image' && item.has_image !== '2') return false;
  if (query.domain !== null) {
    const wanted = query.domain.toLowerCase().replace(/^www\./, '');
    if (domainOf(itemUrl(item)) !== wanted) return false;
  }
  return true;
}

function passesSearch(item: PocketItemRecord, query: GetQuery): boolean {
  if (query.search === null) return true;
  const needle = query.search.toLowerCase();
  return itemTitle(item).toLowerCase().includes(needle) || itemUrl(item).toLowerCase().includes(needle);
}

/** The full filter. A `since` query also returns items deleted since then (as tombstones). */
export function matches(item: PocketItemRecord, query: GetQuery): boolean {
  if (query.since !== null) {
    if (Number(item.time_updated) < query.since) return false;
    if (item.status === '2') return true;
  }
  return passesStaticFilters(item, query) && passesSearch(item, query);
}

function comparator(query: GetQuery): (a: PocketItemRecord, b: PocketItemRecord) => number {
  const byId = (a: PocketItemRecord, b: PocketItemRecord) => Number(b.item_id) - Number(a.item_id);
  switch (query.sort) {
    case 'newest':
      return (a, b) => timeAdded(b) - timeAdded(a) || byId(a, b);
    case 'oldest':
      return (a, b) => timeAdded(a) - timeAdded(b) || byId(b, a);
    case 'title':
      return (a, b) => compareText(itemTitle(a), itemTitle(b)) || byId(a, b);
    case 'site':
      return (a, b) => compareText(itemUrl(a), itemUrl(b)) || byId(a, b);
  }
}

function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Runs the query. */
export function runGetQuery(account: Account, query: GetQuery): GetResult {
  const compare = comparator(query);
  const explicit = [...account.explicitItems()].filter((item) => matches(item, query));
  const synthetic = account.synthetic;
  if (!synthetic || synthetic.size === 0) return pageOfList(explicit.sort(compare), query);

  // Synthetic items share every static filter field: test one, and the answer holds for all.
  const template = synthetic.item(0);
  const rangeMatches = passesStaticFilters(template, query);
  // `since` keeps a prefix of the range (item i was updated at timeAt(i), decreasing).
  let end = synthetic.size;
  if (query.since !== null)
    end = Math.max(
      0,
      Math.min(
        end,
        Math.floor((synthetic.timeAt(0) - query.since) / (synthetic.timeAt(0) - synthetic.timeAt(1) || 1)) + 1,
      ),
    );
  if (!rangeMatches || end === 0) return pageOfList(explicit.sort(compare), query);

  const needsEveryItem = query.search !== null || query.sort === 'title' || query.sort === 'site';
  if (needsEveryItem) {
    // Rare and slow on purpose: build each item of the range once for this answer.
    const all = explicit;
    for (let index = 0; index < end; index++) {
      if (account.overriddenSynthetic.has(index)) continue;
      const item = synthetic.item(index);
      if (passesSearch(item, query)) all.push(item);
    }
    return pageOfList(all.sort(compare), query);
  }
  return pageOfMerge(explicit.sort(compare), account, end, query);
}

function pageOfList(sorted: PocketItemRecord[], query: GetQuery): GetResult {
  return { items: sorted.slice(query.offset, query.offset + query.count), total: sorted.length };
}

/**
 * Merges the sorted explicit items with synthetic positions [0, end) (newest: index order;
 * oldest: reversed), skipping changed synthetic items, and builds only the requested page.
 */
function pageOfMerge(explicit: PocketItemRecord[], account: Account, end: number, query: GetQuery): GetResult {
  const synthetic = account.synthetic;
  if (!synthetic) throw new Error('pageOfMerge needs an account with synthetic items.');
  const newest = query.sort === 'newest';
  const indexAt = (position: number) => (newest ? position : end - 1 - position);
  const timeAtPosition = (position: number) => synthetic.timeAt(indexAt(position));
  const skipped = [...account.overriddenSynthetic]
    .filter((index) => index < end)
    .map((index) => (newest ? index : end - 1 - index))
    .sort((a, b) => a - b);
  const skippedBefore = (position: number) => lowerBound(skipped.length, (k) => (skipped[k] ?? position) >= position);
  const liveIn = (from: number, to: number) => to - from - (skippedBefore(to) - skippedBefore(from));
  // First synthetic position that comes after an explicit item added at `time` (ties: explicit first).
  const firstPositionAfter = (time: number) =>
    lowerBound(end, (position) => (newest ? timeAtPosition(position) <= time : timeAtPosition(position) >= time));

  const page: PocketItemRecord[] = [];
  let toSkip = query.offset;
  let position = 0;
  const take = (item: () => PocketItemRecord) => {
    if (toSkip > 0) toSkip--;
    else page.push(item());
  };
  for (let j = 0; j <= explicit.length && page.length < query.count; j++) {
    const next = explicit[j]; // undefined exactly when j === explicit.length
    const runEnd = next !== undefined ? Math.max(position, firstPositionAfter(timeAdded(next))) : end;
    const live = liveIn(position, runEnd);
    if (toSkip >= live) {
      toSkip -= live;
    } else {
      const skipSet = new Set(skipped);
      for (let p = position; p < runEnd && page.length < query.count; p++) {
        if (!skipSet.has(p)) take(() => synthetic.item(indexAt(p)));
      }
    }
    position = runEnd;
    if (next !== undefined && page.length < query.count) take(() => next);
  }
  return { items: page, total: explicit.length + liveIn(0, end) };
}

/** Smallest k in [0, n) with test(k) true (test monotone false..true), or n. */
function lowerBound(n: number, test: (k: number) => boolean): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (test(mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}
