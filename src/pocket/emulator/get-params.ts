/**
 * Reads and checks the parameters of `/v3/get`. A value outside the documented set is a bad
 * request (400 / 130), as it was for the real service.
 */
import type { RequestParams } from './body.js';
import { paramString } from './body.js';

export type GetState = 'unread' | 'archive' | 'all';
export type GetSort = 'newest' | 'oldest' | 'title' | 'site';
export type GetContentType = 'article' | 'video' | 'image';

export interface GetQuery {
  state: GetState;
  favorite: '0' | '1' | null;
  /** A tag name, or `_untagged_`. */
  tag: string | null;
  contentType: GetContentType | null;
  sort: GetSort;
  detailType: 'simple' | 'complete';
  search: string | null;
  domain: string | null;
  /** Unix seconds. */
  since: number | null;
  count: number;
  offset: number;
  total: boolean;
}

/** Without `count` the real service answered up to this many items; larger counts are capped. */
export const MAX_PAGE_SIZE = 5000;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T | undefined {
  if (value === null || value === '') return fallback;
  return (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

function wholeNumber(value: string | null): number | null | undefined {
  if (value === null || value === '') return null;
  return /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/** The checked query, or null when a parameter is invalid. */
export function parseGetQuery(params: RequestParams): GetQuery | null {
  const state = oneOf(paramString(params, 'state'), ['unread', 'archive', 'all'] as const, 'unread');
  const sort = oneOf(paramString(params, 'sort'), ['newest', 'oldest', 'title', 'site'] as const, 'newest');
  const detailType = oneOf(paramString(params, 'detailType'), ['simple', 'complete'] as const, 'simple');
  const rawType = paramString(params, 'contentType');
  const contentType =
    rawType === null || rawType === '' ? null : oneOf(rawType, ['article', 'video', 'image'] as const, 'article');
  const rawFavorite = paramString(params, 'favorite');
  const favorite =
    rawFavorite === null || rawFavorite === ''
      ? null
      : rawFavorite === '0' || rawFavorite === '1'
        ? rawFavorite
        : undefined;
  const since = wholeNumber(paramString(params, 'since'));
  const count = wholeNumber(paramString(params, 'count'));
  const offset = wholeNumber(paramString(params, 'offset'));
  const rawTotal = paramString(params, 'total');
  const total = rawTotal === null || rawTotal === '' || rawTotal === '0' ? false : rawTotal === '1' ? true : undefined;
  if (state === undefined || sort === undefined || detailType === undefined || contentType === undefined) return null;
  if (
    favorite === undefined ||
    since === undefined ||
    count === undefined ||
    offset === undefined ||
    total === undefined
  )
    return null;
  return {
    state,
    favorite,
    tag: nonEmpty(paramString(params, 'tag')),
    contentType,
    sort,
    detailType,
    search: nonEmpty(paramString(params, 'search')),
    domain: nonEmpty(paramString(params, 'domain')),
    since,
    count: Math.min(count === null || count === 0 ? MAX_PAGE_SIZE : count, MAX_PAGE_SIZE),
    offset: offset ?? 0,
    total,
  };
}

function nonEmpty(value: string | null): string | null {
  return value === null || value === '' ? null : value;
}
