/**
 * `/v3/oauth/request` and `/v3/oauth/authorize`: request tokens and their one-time exchange for
 * an access token, with Pocket's error codes. No X-Limit headers here, as on the real service.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { paramString, type RequestParams } from './body.js';
import type { EmulatorContext } from './context.js';
import { sendOAuthAnswer, sendPocketError } from './responses.js';

/** A redirect URI we can put in a Location header: no control characters, a scheme, ≤ 2 KB. */
export function isUsableRedirectUri(uri: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a Location header must not carry.
  return uri.length <= 2048 && !/[\u0000-\u001f\u007f]/.test(uri) && /^[a-z][a-z0-9+.-]*:/i.test(uri);
}

/** The request's consumer key, or null once Pocket's error for a missing (138) or unknown (152) one is sent. */
function knownConsumerKey(context: EmulatorContext, response: ServerResponse, params: RequestParams): string | null {
  const consumerKey = paramString(params, 'consumer_key');
  if (!consumerKey) {
    sendPocketError(response, 138);
    return null;
  }
  if (!context.store.keys.has(consumerKey)) {
    sendPocketError(response, 152);
    return null;
  }
  return consumerKey;
}

export function handleOAuthRequest(
  context: EmulatorContext,
  request: IncomingMessage,
  response: ServerResponse,
  params: RequestParams,
): void {
  const consumerKey = knownConsumerKey(context, response, params);
  if (consumerKey === null) return;
  const redirectUri = paramString(params, 'redirect_uri');
  if (!redirectUri) {
    sendPocketError(response, 140);
    return;
  }
  if (!isUsableRedirectUri(redirectUri)) {
    sendPocketError(response, 181);
    return;
  }
  const state = paramString(params, 'state');
  const record = context.store.newRequestToken(consumerKey, redirectUri, state);
  sendOAuthAnswer(request, response, { code: record.token, state });
}

export function handleOAuthAuthorize(
  context: EmulatorContext,
  request: IncomingMessage,
  response: ServerResponse,
  params: RequestParams,
): void {
  const consumerKey = knownConsumerKey(context, response, params);
  if (consumerKey === null) return;
  const code = paramString(params, 'code');
  if (!code) {
    sendPocketError(response, 182);
    return;
  }
  const record = context.store.requestTokens.get(code);
  if (!record || record.consumerKey !== consumerKey) {
    sendPocketError(response, 185);
    return;
  }
  const redirectUri = paramString(params, 'redirect_uri');
  if (redirectUri && redirectUri !== record.redirectUri) {
    sendPocketError(response, 181);
    return;
  }
  if (record.used) {
    sendPocketError(response, 159);
    return;
  }
  // Not yet decided and declined look the same to the client, as on the real service.
  if (record.decision !== 'approved' || !record.approvedBy) {
    sendPocketError(response, 158);
    return;
  }
  record.used = true;
  const accessToken = context.store.newAccessToken(consumerKey, record.approvedBy);
  sendOAuthAnswer(request, response, { access_token: accessToken, username: record.approvedBy });
}
