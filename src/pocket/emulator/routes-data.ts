/**
 * The data endpoints `/v3/get`, `/v3/add` and `/v3/send`: consumer key and access token checks,
 * key permissions, rate limits (X-Limit-* on every answer once the caller is known), then the call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { paramString, type ParsedParams } from './body.js';
import { nowSeconds, type EmulatorContext } from './context.js';
import { parseGetQuery } from './get-params.js';
import { runGetQuery } from './get-query.js';
import { renderGetResponse } from './get-response.js';
import { addAnswerItem, isSavableUrl, parseTagList, saveUrl } from './item-changes.js';
import { sendJson, sendPocketError, sendStatusOnly } from './responses.js';
import { applyAction, permissionFor } from './send-actions.js';
import type { Account, DataEndpointName, KeyPermission } from './store.js';

interface Caller {
  account: Account;
  /** The X-Limit-* headers for this call. */
  headers: Record<string, string>;
}

/**
 * Checks key, token, rate limit and endpoint access; answers the error itself and returns
 * undefined when one fails.
 */
function authenticate(
  context: EmulatorContext,
  response: ServerResponse,
  endpoint: DataEndpointName,
  parsed: ParsedParams,
): Caller | undefined {
  const { params } = parsed;
  const consumerKey = paramString(params, 'consumer_key');
  if (!consumerKey) {
    sendPocketError(response, parsed.malformed ? 130 : 138);
    return undefined;
  }
  const key = context.store.keys.get(consumerKey);
  if (!key) {
    // Data endpoints answer 401 / 136 here (152 is the OAuth endpoints' code): pocket-api.md.
    sendPocketError(response, 136);
    return undefined;
  }
  const accessToken = paramString(params, 'access_token');
  const token = accessToken ? context.store.accessTokens.get(accessToken) : undefined;
  if (!token) {
    sendPocketError(response, 107);
    return undefined;
  }
  if (token.consumerKey !== consumerKey) {
    sendPocketError(response, 137);
    return undefined;
  }
  const account = context.store.accounts.get(token.username);
  if (!account) {
    sendPocketError(response, 107);
    return undefined;
  }
  const rate = context.limiter.hit(consumerKey, token.username);
  if (!rate.allowed) {
    // Pocket's rate-limit answer: 403 with the limit headers and no X-Error-Code.
    sendStatusOnly(response, 403, rate.headers);
    return undefined;
  }
  if (key.forbiddenEndpoints.has(endpoint)) {
    sendPocketError(response, 150, rate.headers);
    return undefined;
  }
  if (parsed.malformed) {
    sendPocketError(response, 130, rate.headers);
    return undefined;
  }
  const needed: KeyPermission[] =
    endpoint === 'get' ? ['retrieve'] : endpoint === 'add' ? ['add'] : sendPermissions(params.actions);
  if (needed.some((permission) => !key.permissions.has(permission))) {
    sendPocketError(response, 151, rate.headers);
    return undefined;
  }
  return { account, headers: rate.headers };
}

/** The permissions a `/v3/send` call needs, from its actions (an unreadable list needs none; it fails later). */
function sendPermissions(raw: unknown): KeyPermission[] {
  const actions = readActions(raw);
  return actions
    ? [...new Set(actions.map((action) => permissionFor((action as { action?: unknown } | null)?.action)))]
    : [];
}

/** `actions` as a JSON array (form bodies carry it as a JSON string), or null. */
function readActions(raw: unknown): unknown[] | null {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  return Array.isArray(value) ? value : null;
}

export function handleDataCall(
  context: EmulatorContext,
  _request: IncomingMessage,
  response: ServerResponse,
  endpoint: DataEndpointName,
  parsed: ParsedParams,
): void {
  const caller = authenticate(context, response, endpoint, parsed);
  if (!caller) return;
  const { account, headers } = caller;
  const { params } = parsed;
  const now = nowSeconds(context);

  if (endpoint === 'get') {
    const parsedQuery = parseGetQuery(params);
    if (!parsedQuery) {
      sendPocketError(response, 130, headers);
      return;
    }
    const query = { ...parsedQuery, count: Math.min(parsedQuery.count, context.pageCap) };
    sendJson(response, renderGetResponse(runGetQuery(account, query), query, now), headers);
    return;
  }

  if (endpoint === 'add') {
    const url = paramString(params, 'url');
    if (!url || !isSavableUrl(url)) {
      sendPocketError(response, 130, headers);
      return;
    }
    const item = saveUrl(account, {
      url,
      title: paramString(params, 'title'),
      tags: parseTagList(params.tags),
      time: now,
    });
    sendJson(response, JSON.stringify({ item: addAnswerItem(item), status: 1 }), headers);
    return;
  }

  const actions = readActions(params.actions);
  if (!actions || actions.length === 0) {
    sendPocketError(response, 130, headers);
    return;
  }
  const results: boolean[] = [];
  const errors: unknown[] = [];
  for (const action of actions) {
    const outcome = applyAction(account, action, now);
    results.push(outcome.ok);
    errors.push(outcome.ok ? null : outcome.error);
  }
  sendJson(response, JSON.stringify({ action_results: results, action_errors: errors, status: 1 }), headers);
}
