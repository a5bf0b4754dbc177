/**
 * Pocket's data API (/v3/get, /v3/add, /v3/send) for code that already holds a token: usable
 * on its own, without the login machine. Every call takes the HttpClient, a deadline and
 * optionally an AbortSignal; every failure is an AuthError.
 */
import type { HttpClient } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import { encodePocketAction, encodeTags, type PocketAction, type PocketActionName } from './actions.js';
import {
  DEFAULT_POCKET_BASE_URL,
  DEFAULT_POCKET_DATA_MAX_BYTES,
  DEFAULT_POCKET_TIMEOUT_MS,
  normalizeBaseUrl,
} from './config.js';
import { convertItemList, toInteger, type PocketItem, type PocketRawItem } from './items.js';
import { readRateLimits, type PocketRateLimits } from './rate-limit.js';
import { callPocket, type PocketAnswer, type PocketReply, type PocketTarget } from './wire.js';

/** How to reach Pocket for a data call. */
export interface PocketCallContext {
  http: HttpClient;
  /** Aborts the call (ERR_CANCELLED). */
  signal?: AbortSignal;
  /** Default https://getpocket.com; plain http only on loopback. */
  baseUrl?: string;
  /** Per-request deadline, default 15 s. */
  timeoutMs?: number;
  /** Largest answer accepted, default 64 MiB. */
  maxBodyBytes?: number;
}

/** The two secrets every data call sends. Neither ever appears in an error message. */
export interface PocketCredentials {
  consumerKey: string;
  accessToken: string;
}

/** Parameters of /v3/get, named as Pocket names them; booleans and Dates are encoded for you. */
export interface PocketGetParams {
  state?: 'unread' | 'archive' | 'all';
  favorite?: boolean;
  /** A tag name, or `_untagged_`. */
  tag?: string;
  contentType?: 'article' | 'video' | 'image';
  sort?: 'newest' | 'oldest' | 'title' | 'site';
  detailType?: 'simple' | 'complete';
  search?: string;
  domain?: string;
  /** Only items changed since then: unix seconds or a Date. */
  since?: number | Date;
  count?: number;
  offset?: number;
  /** Ask Pocket for the total number of matching items. */
  total?: boolean;
}

/** One /v3/get answer. */
export interface PocketGetResult {
  /** 1 with items, 2 when the list is empty. */
  status: number;
  /** False for a `since` answer (only changes). */
  complete: boolean;
  /** Server time of the answer, unix seconds: the cursor for the next `since` sync. */
  since?: number;
  /** Present when asked for with `total: true`. */
  total?: number;
  searchType?: string;
  /** In Pocket's order (sort_id). Each item keeps Pocket's original on `raw`. */
  items: PocketItem[];
  rateLimits: PocketRateLimits;
}

/** What /v3/add saved. */
export interface PocketAddedItem {
  itemId: string;
  normalUrl?: string;
  resolvedId?: string;
  resolvedUrl?: string;
  title?: string;
  raw: PocketRawItem;
}

/** What `/v3/add` saves: one URL, with an optional title, tags and tweet id. */
export interface PocketAddParams {
  /** The page to save (absolute URL). */
  url: string;
  /** Used when Pocket cannot read the page's own title. */
  title?: string;
  /** Tags to file it under; none may contain a comma (ERR_CONFIG). */
  tags?: string[];
  /** `tweet_id`, when the URL is a tweet. */
  tweetId?: string;
}

/** What `/v3/add` answered. */
export interface PocketAddResult {
  /** Pocket's `status`: 1 on success; 0 when the answer carried none. */
  status: number;
  /** The saved item as Pocket resolved it. */
  item: PocketAddedItem;
  /** The `X-Limit-*` headers of the answer. */
  rateLimits: PocketRateLimits;
}

/** Pocket's error object for a failed action. */
export interface PocketActionError {
  message?: string;
  type?: string;
  code?: number;
}

/** The outcome of one action, at the same index as the action sent. */
export interface PocketActionOutcome {
  action: PocketActionName;
  ok: boolean;
  /** Pocket's `action_results` entry: `true`, `false`, or an item object for some adds. */
  result: unknown;
  error?: PocketActionError;
}

/** What `/v3/send` answered, one outcome per action. */
export interface PocketSendResult {
  /** True when every action succeeded. */
  ok: boolean;
  /** Pocket's `status`: 1 on success; 0 when the answer carried none. */
  status: number;
  /** One per action sent, in the same order. */
  outcomes: PocketActionOutcome[];
  /** The `X-Limit-*` headers of the answer. */
  rateLimits: PocketRateLimits;
}

/** What a `since` sync found: changed items to upsert, ids to delete, the next cursor. */
export interface PocketSyncResult {
  /** Pass this as `since` next time. */
  since: number;
  changed: PocketItem[];
  deletedIds: string[];
}

/** How a paged read of the whole list walks it. */
export interface PocketPagingOptions {
  /** Items per call (`count`), default 500. */
  pageSize?: number;
}

/** Items per `/v3/get` call when paging: 500, the most Pocket's documentation allows per call. */
export const DEFAULT_POCKET_PAGE_SIZE = 500;

function targetFor(ctx: PocketCallContext): PocketTarget {
  const target: PocketTarget = {
    baseUrl: normalizeBaseUrl(ctx.baseUrl ?? DEFAULT_POCKET_BASE_URL),
    timeoutMs: ctx.timeoutMs ?? DEFAULT_POCKET_TIMEOUT_MS,
    maxBodyBytes: ctx.maxBodyBytes ?? DEFAULT_POCKET_DATA_MAX_BYTES,
  };
  if (ctx.signal) target.signal = ctx.signal;
  return target;
}

function credentialFields(creds: PocketCredentials): Record<string, unknown> {
  if (!creds.consumerKey)
    throw new AuthError('ERR_CONFIG', 'A Pocket consumer key is required: pass the one Pocket issued for your app.');
  if (!creds.accessToken) throw new AuthError('ERR_NOT_LOGGED_IN', 'Not logged in to Pocket. Log in first.');
  return { consumer_key: creds.consumerKey, access_token: creds.accessToken };
}

function callData(ctx: PocketCallContext, path: string, body: Record<string, unknown>): Promise<PocketReply> {
  return callPocket(ctx.http, targetFor(ctx), 'data', path, body);
}

function wholeNumber(value: number, what: string, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new AuthError('ERR_CONFIG', `${what} must be a whole number of at least ${min}.`);
  return value;
}

/** /v3/get parameters in Pocket's wire form. */
export function encodeGetParams(params: PocketGetParams): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const name of ['state', 'tag', 'contentType', 'sort', 'detailType', 'search', 'domain'] as const) {
    if (params[name] !== undefined) wire[name] = params[name];
  }
  if (params.favorite !== undefined) wire.favorite = params.favorite ? 1 : 0;
  if (params.since !== undefined) {
    const since = params.since instanceof Date ? Math.floor(params.since.getTime() / 1000) : params.since;
    wire.since = wholeNumber(since, 'since', 0);
  }
  if (params.count !== undefined) wire.count = wholeNumber(params.count, 'count', 1);
  if (params.offset !== undefined) wire.offset = wholeNumber(params.offset, 'offset', 0);
  if (params.total) wire.total = 1;
  return wire;
}

function decodeGetAnswer(answer: PocketAnswer, rateLimits: PocketRateLimits): PocketGetResult {
  if (!('list' in answer)) throw new AuthError('ERR_BAD_RESPONSE', 'Pocket answered /v3/get without an item list.');
  if (answer.error !== null && answer.error !== undefined) {
    throw new AuthError('ERR_PROTOCOL', 'Pocket reported an error inside its /v3/get answer.');
  }
  const result: PocketGetResult = {
    status: toInteger(answer.status) ?? 0,
    complete: toInteger(answer.complete) === 1,
    items: convertItemList(answer.list),
    rateLimits,
  };
  const since = toInteger(answer.since);
  if (since !== undefined) result.since = since;
  const total = toInteger(answer.total);
  if (total !== undefined) result.total = total;
  const meta = answer.search_meta;
  if (meta && typeof meta === 'object' && typeof (meta as Record<string, unknown>).search_type === 'string') {
    result.searchType = (meta as Record<string, string>).search_type;
  }
  return result;
}

/**
 * One /v3/get call. An empty list (`[]` or `{}`) gives `items: []`.
 * @throws AuthError ERR_TOKEN_INVALID (401: log in again), ERR_FORBIDDEN, ERR_INVALID_CLIENT,
 *   ERR_RATE_LIMITED, ERR_SERVER, ERR_INVALID_REQUEST, ERR_PROTOCOL, ERR_BAD_RESPONSE,
 *   ERR_RESPONSE_TOO_LARGE, ERR_NETWORK, ERR_TIMEOUT, ERR_CANCELLED
 */
export async function getItems(
  ctx: PocketCallContext,
  creds: PocketCredentials,
  params: PocketGetParams = {},
): Promise<PocketGetResult> {
  const { answer, response } = await callData(ctx, '/v3/get', {
    ...credentialFields(creds),
    ...encodeGetParams(params),
  });
  return decodeGetAnswer(answer, readRateLimits(response.headers));
}

function pageSizeOf(options: PocketPagingOptions): number {
  return wholeNumber(options.pageSize ?? DEFAULT_POCKET_PAGE_SIZE, 'pageSize', 1);
}

/**
 * Pages through /v3/get with `count` + `offset`, starting at `params.offset` (default 0),
 * until a page comes back empty (or the answer's `total` is reached). A short page does not end
 * it: the real service capped a page at 30 items whatever `count` asked for. A page that brings
 * nothing new also ends it, so a server that ignores `offset` cannot loop us forever.
 */
export async function* getItemPages(
  ctx: PocketCallContext,
  creds: PocketCredentials,
  params: PocketGetParams = {},
  options: PocketPagingOptions = {},
): AsyncGenerator<PocketGetResult, void, undefined> {
  yield* pagesOf((pageParams) => getItems(ctx, creds, pageParams), params, options);
}

/**
 * The paging loop on its own, for callers that fetch a page some other way (the CLI sends each
 * page through the login machine so a dead token is handled there). Ends at an empty page, at
 * the answer's `total` when it carries one, or at a page whose first item repeats the previous
 * page's (a server that ignores `offset`). Never at a short page: servers cap `count`.
 */
export async function* pagesOf(
  getPage: (params: PocketGetParams) => Promise<PocketGetResult>,
  params: PocketGetParams = {},
  options: PocketPagingOptions = {},
): AsyncGenerator<PocketGetResult, void, undefined> {
  const pageSize = pageSizeOf(options);
  let offset = params.offset ?? 0;
  let previousFirst: string | undefined;
  for (;;) {
    const page = await getPage({ ...params, count: pageSize, offset });
    const first = page.items[0]?.itemId;
    if (first !== undefined && first === previousFirst) return;
    previousFirst = first;
    // The empty page is yielded too: its `since` is the cursor a sync that found nothing keeps.
    yield page;
    if (page.items.length === 0) return;
    offset += page.items.length;
    if (page.total !== undefined && offset >= page.total) return;
  }
}

/** Every matching item, page by page (default 500 a call), each yielded once. */
export async function* getAllItems(
  ctx: PocketCallContext,
  creds: PocketCredentials,
  params: PocketGetParams = {},
  options: PocketPagingOptions = {},
): AsyncGenerator<PocketItem, void, undefined> {
  const seen = new Set<string>();
  for await (const page of getItemPages(ctx, creds, params, options)) {
    let fresh = 0;
    for (const item of page.items) {
      if (seen.has(item.itemId)) continue;
      seen.add(item.itemId);
      fresh++;
      yield item;
    }
    if (fresh === 0) return;
  }
}

/**
 * Everything that changed since a cursor (state defaults to `all`, so archived and deleted
 * items are seen). The new cursor is the `since` of the first page: changes made while paging
 * come again next time rather than being missed.
 * @throws AuthError ERR_TOKEN_INVALID (401: log in again), ERR_FORBIDDEN, ERR_INVALID_CLIENT,
 *   ERR_RATE_LIMITED, ERR_SERVER, ERR_INVALID_REQUEST, ERR_PROTOCOL, ERR_BAD_RESPONSE,
 *   ERR_RESPONSE_TOO_LARGE, ERR_NETWORK, ERR_TIMEOUT, ERR_CANCELLED (the pages' errors).
 */
export async function syncSince(
  ctx: PocketCallContext,
  creds: PocketCredentials,
  since: number | Date,
  params: Omit<PocketGetParams, 'since' | 'count' | 'offset'> = {},
  options: PocketPagingOptions = {},
): Promise<PocketSyncResult> {
  const changed = new Map<string, PocketItem>();
  const deleted = new Set<string>();
  let cursor: number | undefined;
  for await (const page of getItemPages(ctx, creds, { state: 'all', ...params, since }, options)) {
    cursor ??= page.since;
    let fresh = 0;
    for (const item of page.items) {
      if (changed.has(item.itemId) || deleted.has(item.itemId)) continue;
      fresh++;
      if (item.status === 'deleted') deleted.add(item.itemId);
      else changed.set(item.itemId, item);
    }
    if (fresh === 0) break;
  }
  if (cursor === undefined)
    throw new AuthError('ERR_BAD_RESPONSE', 'Pocket answered a since query without a new since value.');
  return { since: cursor, changed: [...changed.values()], deletedIds: [...deleted] };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Saves one URL with /v3/add.
 * @throws AuthError ERR_CONFIG (no URL, a tag with a comma), and every error of a data call:
 *   ERR_TOKEN_INVALID, ERR_FORBIDDEN, ERR_RATE_LIMITED, ERR_SERVER, ERR_BAD_RESPONSE, ERR_NETWORK,
 *   ERR_TIMEOUT, ERR_CANCELLED...
 */
export async function addItem(
  ctx: PocketCallContext,
  creds: PocketCredentials,
  params: PocketAddParams,
): Promise<PocketAddResult> {
  if (typeof params.url !== 'string' || params.url === '')
    throw new AuthError('ERR_CONFIG', 'A URL to save is required.');
  const body: Record<string, unknown> = { ...credentialFields(creds), url: params.url };
  if (params.title !== undefined) body.title = params.title;
  if (params.tags !== undefined) body.tags = encodeTags(params.tags);
  if (params.tweetId !== undefined) body.tweet_id = params.tweetId;
  const { answer, response } = await callData(ctx, '/v3/add', body);
  const raw = answer.item;
  const itemId = raw && typeof raw === 'object' ? text((raw as PocketRawItem).item_id) : undefined;
  if (!itemId) throw new AuthError('ERR_BAD_RESPONSE', 'Pocket answered /v3/add without the saved item.');
  const rawItem = raw as PocketRawItem;
  const item: PocketAddedItem = { itemId, raw: rawItem };
  const fields = {
    normalUrl: 'normal_url',
    resolvedId: 'resolved_id',
    resolvedUrl: 'resolved_url',
    title: 'title',
  } as const;
  for (const [name, wireName] of Object.entries(fields) as [keyof typeof fields, string][]) {
    const value = text(rawItem[wireName]);
    if (value !== undefined) item[name] = value;
  }
  return { status: toInteger(answer.status) ?? 0, item, rateLimits: readRateLimits(response.headers) };
}

function actionError(value: unknown): PocketActionError | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const raw = value as Record<string, unknown>;
  const error: PocketActionError = {};
  if (typeof raw.message === 'string') error.message = raw.message;
  if (typeof raw.type === 'string') error.type = raw.type;
  const code = toInteger(raw.code);
  if (code !== undefined) error.code = code;
  return error;
}

/**
 * Runs actions with /v3/send; the outcome of each is at its index (a refused action is an
 * outcome, not an error).
 * @throws AuthError ERR_CONFIG (an action that cannot be encoded), and every error of a data call:
 *   ERR_TOKEN_INVALID, ERR_FORBIDDEN, ERR_RATE_LIMITED, ERR_SERVER, ERR_BAD_RESPONSE, ERR_NETWORK,
 *   ERR_TIMEOUT, ERR_CANCELLED...
 */
export async function sendActions(
  ctx: PocketCallContext,
  creds: PocketCredentials,
  actions: readonly PocketAction[],
): Promise<PocketSendResult> {
  const wireActions = actions.map(encodePocketAction);
  const { answer, response } = await callData(ctx, '/v3/send', { ...credentialFields(creds), actions: wireActions });
  const results = answer.action_results;
  if (!Array.isArray(results))
    throw new AuthError('ERR_BAD_RESPONSE', 'Pocket answered /v3/send without action_results.');
  const errors = Array.isArray(answer.action_errors) ? answer.action_errors : [];
  const outcomes = actions.map((action, index): PocketActionOutcome => {
    const result = results[index];
    const error = actionError(errors[index]);
    const outcome: PocketActionOutcome = {
      action: action.action,
      ok: result !== false && result !== undefined && !error,
      result,
    };
    if (error) outcome.error = error;
    return outcome;
  });
  return {
    ok: outcomes.every((outcome) => outcome.ok),
    status: toInteger(answer.status) ?? 0,
    outcomes,
    rateLimits: readRateLimits(response.headers),
  };
}
