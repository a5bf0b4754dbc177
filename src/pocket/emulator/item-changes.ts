/**
 * Saving and changing items: what `/v3/add` and the actions of `/v3/send` do to an account.
 * Changes copy the item, so a synthetic item becomes an explicit one only when touched.
 */
import { domainOf, type PocketItemRecord, type PocketTags } from './item-types.js';
import type { Account } from './store.js';

/** A shallow copy whose `tags` can be changed without touching the original. */
export function copyItem(item: PocketItemRecord): PocketItemRecord {
  const copy = { ...item };
  if (item.tags) copy.tags = { ...(item.tags as PocketTags) };
  return copy;
}

/** Tag names from "a, b" or ["a","b"]; empty names dropped. */
export function parseTagList(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return [...new Set(parts.map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

export function setTags(item: PocketItemRecord, names: readonly string[]): void {
  if (names.length === 0) {
    delete item.tags;
    return;
  }
  const tags: PocketTags = {};
  for (const tag of names) tags[tag] = { item_id: item.item_id, tag };
  item.tags = tags;
}

export function currentTags(item: PocketItemRecord): string[] {
  return item.tags ? Object.keys(item.tags as PocketTags) : [];
}

export interface SaveRequest {
  url: string;
  title?: string | null;
  tags?: string[];
  /** Unix seconds. */
  time: number;
}

/**
 * Saves a URL. A URL already in the list is re-added (unread again, tags merged); a new one gets
 * a fresh item id. Returns the stored item.
 */
export function saveUrl(account: Account, save: SaveRequest): PocketItemRecord {
  const time = String(save.time);
  const existing = account.findByUrl(save.url);
  if (existing && existing.status !== '2') {
    const item = copyItem(existing);
    item.status = '0';
    item.time_updated = time;
    if (save.tags?.length) setTags(item, [...new Set([...currentTags(item), ...save.tags])]);
    account.put(item);
    return item;
  }
  const itemId = account.newItemId();
  const title = save.title ?? '';
  const item: PocketItemRecord = {
    item_id: itemId,
    resolved_id: itemId,
    given_url: save.url,
    given_title: title,
    favorite: '0',
    status: '0',
    time_added: time,
    time_updated: time,
    time_read: '0',
    time_favorited: '0',
    resolved_title: title,
    resolved_url: save.url,
    excerpt: '',
    is_article: '1',
    is_index: '0',
    has_video: '0',
    has_image: '0',
    word_count: '0',
    lang: '',
    time_to_read: 0,
    listen_duration_estimate: 0,
    domain_metadata: { name: domainOf(save.url) },
  };
  if (save.tags?.length) setTags(item, save.tags);
  account.put(item);
  return item;
}

/** The `item` object of a `/v3/add` answer, in the fields and string form Pocket used. */
export function addAnswerItem(item: PocketItemRecord): Record<string, unknown> {
  const title = typeof item.resolved_title === 'string' ? item.resolved_title : '';
  return {
    item_id: item.item_id,
    normal_url: item.given_url,
    resolved_id: item.resolved_id ?? item.item_id,
    extended_item_id: item.item_id,
    resolved_url: item.resolved_url ?? item.given_url,
    domain_id: '0',
    origin_domain_id: '0',
    response_code: '200',
    mime_type: 'text/html',
    content_length: '0',
    encoding: 'utf-8',
    date_resolved: new Date(Number(item.time_added) * 1000).toISOString().slice(0, 19).replace('T', ' '),
    date_published: '0000-00-00 00:00:00',
    title,
    excerpt: item.excerpt ?? '',
    word_count: item.word_count ?? '0',
    innerdomain_redirect: '0',
    login_required: '0',
    has_image: item.has_image ?? '0',
    has_video: item.has_video ?? '0',
    is_index: item.is_index ?? '0',
    is_article: item.is_article ?? '1',
    used_fallback: '0',
    lang: item.lang ?? '',
    time_first_parsed: '0',
    authors: [],
    images: [],
    videos: [],
    resolved_normal_url: item.resolved_url ?? item.given_url,
    given_url: item.given_url,
  };
}

/** Is this a URL a list can hold (absolute http or https)? */
export function isSavableUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}
