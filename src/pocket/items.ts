/**
 * Pocket items as typed objects. Pocket sends almost every value as a string ("favorite":"0",
 * "time_added":"1514493110"), keys its list by item id (which JavaScript objects re-order
 * numerically) and sends an empty list as `[]`. This module turns that into plain typed objects
 * and keeps the original on `raw`, for output that must be Pocket's own (`--json`).
 */
import { AuthError } from '../../adapters/errors.js';

/** One item exactly as Pocket sent it. */
export type PocketRawItem = Record<string, unknown>;

/** Item `status`: "0" unread, "1" archived, "2" deleted. */
export type PocketItemStatus = 'unread' | 'archived' | 'deleted';

/** `has_image` / `has_video`: "0" none, "1" the item has some, "2" the item is one. */
export type PocketMediaFlag = 'none' | 'has' | 'is';

/** An item's author (`detailType=complete`). */
export interface PocketAuthor {
  /** `author_id`. */
  id: string;
  /** The author's name. */
  name?: string;
  /** The author's page. */
  url?: string;
}

/** An image in an item (`detailType=complete`); sizes in pixels, absent when Pocket sends 0. */
export interface PocketImage {
  /** `image_id`. */
  id: string;
  /** The image URL. */
  src?: string;
  /** Width in pixels. */
  width?: number;
  /** Height in pixels. */
  height?: number;
  /** Caption text. */
  caption?: string;
  /** Credit text. */
  credit?: string;
}

/** A video in an item (`detailType=complete`); sizes in pixels, absent when Pocket sends 0. */
export interface PocketVideo {
  /** `video_id`. */
  id: string;
  /** The video URL. */
  src?: string;
  /** Width in pixels. */
  width?: number;
  /** Height in pixels. */
  height?: number;
  /** Pocket's video type: 1 YouTube, 2 and 3 Vimeo, 4 HTML5... */
  type?: number;
  vid?: string;
}

/**
 * A converted item. Times are unix seconds (multiply by 1000 for a Date, or use
 * `pocketTimeToDate`); null where Pocket sends "0" for "never". A deleted item in a `since`
 * answer carries only its id and status, so every other field then has its empty value.
 */
export interface PocketItem {
  itemId: string;
  status: PocketItemStatus;
  resolvedId?: string;
  givenUrl?: string;
  givenTitle?: string;
  resolvedUrl?: string;
  resolvedTitle?: string;
  excerpt?: string;
  lang?: string;
  topImageUrl?: string;
  favorite: boolean;
  isArticle: boolean;
  isIndex: boolean;
  hasImage: PocketMediaFlag;
  hasVideo: PocketMediaFlag;
  wordCount?: number;
  timeAdded: number | null;
  timeUpdated: number | null;
  timeRead: number | null;
  timeFavorited: number | null;
  /** Position in the answer's sort order. */
  sortId?: number;
  /** Minutes. */
  timeToRead?: number;
  /** Seconds. */
  listenDurationEstimate?: number;
  tags: string[];
  /** Filled with detailType=complete. */
  authors: PocketAuthor[];
  images: PocketImage[];
  videos: PocketVideo[];
  /** The item as Pocket sent it, untouched. */
  raw: PocketRawItem;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** "445" or 445 -> 445; anything else -> undefined. */
export function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

function toFlag(value: unknown): boolean {
  return value === true || toInteger(value) === 1;
}

/** Unix seconds, or null for Pocket's "0" (never) and for missing values. */
function toUnixSeconds(value: unknown): number | null {
  const seconds = toInteger(value);
  return seconds === undefined || seconds <= 0 ? null : seconds;
}

/** A Pocket time (unix seconds) as a Date; null stays null. */
export function pocketTimeToDate(seconds: number | null): Date | null {
  return seconds === null ? null : new Date(seconds * 1000);
}

function toStatus(value: unknown): PocketItemStatus {
  const code = toInteger(value);
  if (code === 1) return 'archived';
  if (code === 2) return 'deleted';
  return 'unread';
}

function toMediaFlag(value: unknown): PocketMediaFlag {
  const code = toInteger(value);
  if (code === 1) return 'has';
  if (code === 2) return 'is';
  return 'none';
}

/** Pocket's maps keyed by id (`{"<id>": {...}}`), or an array, as a list of records. */
function entriesOf(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  if (isRecord(value)) return Object.values(value).filter(isRecord);
  return [];
}

/** `tags` is `{"<tag>": {"item_id": .., "tag": ..}}`; an array of names or of records is accepted too. */
export function tagNames(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map((tag) => (isRecord(tag) ? toText(tag.tag) : toText(tag))).filter((t): t is string => !!t);
  }
  if (!isRecord(value)) return [];
  return Object.entries(value).map(([key, tag]) => (isRecord(tag) ? toText(tag.tag) : undefined) ?? key);
}

function setText<T>(target: T, field: keyof T, value: unknown): void {
  const text = toText(value);
  if (text !== undefined) (target as Record<keyof T, unknown>)[field] = text;
}

function setInteger<T>(target: T, field: keyof T, value: unknown): void {
  const number = toInteger(value);
  if (number !== undefined) (target as Record<keyof T, unknown>)[field] = number;
}

function toAuthor(raw: Record<string, unknown>): PocketAuthor {
  const author: PocketAuthor = { id: toText(raw.author_id) ?? '' };
  setText(author, 'name', raw.name);
  setText(author, 'url', raw.url);
  return author;
}

function toImage(raw: Record<string, unknown>): PocketImage {
  const image: PocketImage = { id: toText(raw.image_id) ?? '' };
  setText(image, 'src', raw.src);
  setInteger(image, 'width', raw.width);
  setInteger(image, 'height', raw.height);
  setText(image, 'caption', raw.caption);
  setText(image, 'credit', raw.credit);
  return image;
}

function toVideo(raw: Record<string, unknown>): PocketVideo {
  const video: PocketVideo = { id: toText(raw.video_id) ?? '' };
  setText(video, 'src', raw.src);
  setInteger(video, 'width', raw.width);
  setInteger(video, 'height', raw.height);
  setInteger(video, 'type', raw.type);
  setText(video, 'vid', raw.vid);
  return video;
}

/**
 * Converts one raw item. `listKey` is its key in Pocket's list, used when the item itself has
 * no `item_id`. An item with no id at all is ERR_BAD_RESPONSE.
 */
export function convertItem(raw: unknown, listKey?: string): PocketItem {
  if (!isRecord(raw)) throw new AuthError('ERR_BAD_RESPONSE', 'Pocket sent an item that is not an object.');
  const itemId = toText(raw.item_id) ?? listKey;
  if (!itemId) throw new AuthError('ERR_BAD_RESPONSE', 'Pocket sent an item without an item_id.');
  const item: PocketItem = {
    itemId,
    status: toStatus(raw.status),
    favorite: toFlag(raw.favorite),
    isArticle: toFlag(raw.is_article),
    isIndex: toFlag(raw.is_index),
    hasImage: toMediaFlag(raw.has_image),
    hasVideo: toMediaFlag(raw.has_video),
    timeAdded: toUnixSeconds(raw.time_added),
    timeUpdated: toUnixSeconds(raw.time_updated),
    timeRead: toUnixSeconds(raw.time_read),
    timeFavorited: toUnixSeconds(raw.time_favorited),
    tags: tagNames(raw.tags),
    authors: entriesOf(raw.authors).map(toAuthor),
    images: entriesOf(raw.images).map(toImage),
    videos: entriesOf(raw.videos).map(toVideo),
    raw,
  };
  setText(item, 'resolvedId', raw.resolved_id);
  setText(item, 'givenUrl', raw.given_url);
  setText(item, 'givenTitle', raw.given_title);
  setText(item, 'resolvedUrl', raw.resolved_url);
  setText(item, 'resolvedTitle', raw.resolved_title);
  setText(item, 'excerpt', raw.excerpt);
  setText(item, 'lang', raw.lang);
  setText(item, 'topImageUrl', raw.top_image_url);
  setInteger(item, 'wordCount', raw.word_count);
  setInteger(item, 'sortId', raw.sort_id);
  setInteger(item, 'timeToRead', raw.time_to_read);
  setInteger(item, 'listenDurationEstimate', raw.listen_duration_estimate);
  return item;
}

/**
 * Converts Pocket's `list`: `{"<id>": item}`, or `[]` / `{}` / null when empty. Items come
 * back in Pocket's order (`sort_id`), since the object's own key order is numeric.
 * @throws AuthError ERR_BAD_RESPONSE for a list of another shape or an item without an id.
 */
export function convertItemList(list: unknown): PocketItem[] {
  if (list === null || list === undefined) return [];
  let items: PocketItem[];
  if (Array.isArray(list)) items = list.map((raw) => convertItem(raw));
  else if (isRecord(list)) items = Object.entries(list).map(([key, raw]) => convertItem(raw, key));
  else throw new AuthError('ERR_BAD_RESPONSE', "Pocket's item list is neither an object nor an array.");
  // Stable sort: items with a sort_id in that order, the rest after them as they came.
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (a.item.sortId ?? Infinity) - (b.item.sortId ?? Infinity) || a.index - b.index)
    .map(({ item }) => item);
}
