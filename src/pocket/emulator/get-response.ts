/**
 * Writes the `/v3/get` answer. The JSON is assembled by hand so that the `list` object keeps the
 * answer's sort order: item ids are numeric strings, which a JS object would reorder.
 */
import type { GetQuery } from './get-params.js';
import type { GetResult } from './get-query.js';
import { COMPLETE_ONLY_FIELDS, domainOf, itemUrl, type PocketItemRecord } from './item-types.js';

const COMPLETE_ONLY = new Set<string>(COMPLETE_ONLY_FIELDS);

/** One item as the answer shows it, with its `sort_id`. */
export function presentItem(
  item: PocketItemRecord,
  sortId: number,
  detailType: GetQuery['detailType'],
): Record<string, unknown> {
  if (item.status === '2') return { item_id: item.item_id, status: '2' };
  const shown: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(item)) {
    if (detailType === 'simple' && COMPLETE_ONLY.has(field)) continue;
    shown[field] = value;
  }
  if (detailType === 'complete') {
    // Empty collections are `[]`, as Pocket's PHP encoder wrote them.
    shown.authors ??= [];
    shown.images ??= [];
    shown.videos ??= [];
    shown.domain_metadata ??= { name: domainOf(itemUrl(item)) };
  }
  shown.sort_id = sortId;
  return shown;
}

/** The whole answer body. `nowSeconds` becomes the answer's `since`. */
export function renderGetResponse(result: GetResult, query: GetQuery, nowSeconds: number): string {
  const entries = result.items.map(
    (item, position) =>
      `${JSON.stringify(item.item_id)}:${JSON.stringify(presentItem(item, query.offset + position, query.detailType))}`,
  );
  const list = entries.length === 0 ? '[]' : `{${entries.join(',')}}`;
  const status = entries.length === 0 ? 2 : 1;
  const complete = query.since === null ? 1 : 0;
  const total = query.total ? `,"total":${JSON.stringify(String(result.total))}` : '';
  return `{"status":${status},"complete":${complete},"list":${list},"error":null,"search_meta":{"search_type":"normal"},"since":${nowSeconds}${total}}`;
}
