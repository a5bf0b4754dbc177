/** Form POSTs to OAuth endpoints and strict reading of their JSON answers. */
import type { HttpResponse } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext } from '../protocol.js';
import { isAuthorizationServerChallenge, sendWithDpop, type DPoPBinding } from './dpop-request.js';
import { cleanProviderCode, httpStatusError, oauthError, parseRetryAfter, type OAuthErrorContext } from './errors.js';
import { assertSafeUrl } from './url-safety.js';

/** The two ways of sending a client secret (RFC 6749 section 2.3.1, RFC 8414 section 2). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/**
 * How this client proves who it is: public (client_id only), or with the secret an "installed
 * app" registration comes with (RFC 8252 section 8.5: not truly secret, but the server asks).
 */
export interface ClientCredentials {
  clientId: string;
  /** Secret. Never logged, never in an error. */
  clientSecret?: string;
  /** Default client_secret_post. */
  authMethod?: ClientAuthMethod;
}

/** What a request carries to authenticate the client: form members and maybe a header. */
export interface ClientAuth {
  params: Record<string, string>;
  headers: Record<string, string>;
}

/** RFC 6749 section 2.3.1: each part is form-urlencoded before the Basic encoding. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

export function clientAuth(client: ClientCredentials): ClientAuth {
  if (client.clientSecret === undefined) return { params: { client_id: client.clientId }, headers: {} };
  if (client.authMethod === 'client_secret_basic') {
    const pair = `${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`;
    return { params: {}, headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` } };
  }
  return { params: { client_id: client.clientId, client_secret: client.clientSecret }, headers: {} };
}

/**
 * POSTs an application/x-www-form-urlencoded body; undefined values are left out. With `dpop`, the
 * request carries a DPoP proof and a `use_dpop_nonce` answer is retried once (RFC 9449 section 8).
 */
export async function postForm(
  ctx: ProtocolContext,
  url: string,
  what: string,
  form: Record<string, string | undefined>,
  timeoutMs: number,
  dpop?: DPoPBinding,
  /** The client, authenticated the way its `authMethod` says (form members or a Basic header). */
  client?: ClientCredentials,
): Promise<HttpResponse> {
  assertSafeUrl(url, what);
  const auth = client === undefined ? { params: {}, headers: {} } : clientAuth(client);
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...form, ...auth.params })) if (value !== undefined) body.set(key, value);
  const request = {
    method: 'POST' as const,
    url,
    // Asking for JSON matters: some servers (GitHub) answer form-encoded otherwise.
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...auth.headers },
    body: body.toString(),
    timeoutMs,
    signal: ctx.signal,
  };
  return dpop ? sendWithDpop(ctx, dpop, request, isAuthorizationServerChallenge) : ctx.http.send(request);
}

/** Parses a JSON object body or throws ERR_BAD_RESPONSE (an HTML error page, a proxy's text...). */
export function parseJsonObject(body: string, what: string, status?: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new AuthError('ERR_BAD_RESPONSE', `The ${what} did not answer with JSON.`, statusOption(status));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthError('ERR_BAD_RESPONSE', `The ${what} did not answer with a JSON object.`, statusOption(status));
  }
  return value as Record<string, unknown>;
}

/** The AuthError for a response that is not a success: 429, an OAuth error body, 5xx, or junk. */
export function failureFor(response: HttpResponse, context: OAuthErrorContext, what: string, now: number): AuthError {
  // httpStatusError always answers a 429; the check only keeps the type honest.
  const limited = response.status === 429 ? httpStatusError(response, now, what) : undefined;
  if (limited) return limited;
  const error = errorCodeIn(response.body);
  if (error !== undefined) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return oauthError(error, context, {
      status: response.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return (
    httpStatusError(response, now, what) ??
    new AuthError('ERR_BAD_RESPONSE', `The ${what} answered HTTP ${response.status} without an OAuth error.`, {
      status: response.status,
    })
  );
}

/**
 * A 2xx answer whose body is a well-formed OAuth error (RFC 6749 section 5.2) is that error, not
 * a success: GitHub answers HTTP 200 with `error`, and so do other servers. Returns the error,
 * or undefined when the body carries none.
 */
export function errorIn2xx(response: HttpResponse, context: OAuthErrorContext, now: number): AuthError | undefined {
  const error = errorCodeIn(response.body);
  if (error === undefined) return undefined;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
  return oauthError(error, context, {
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function errorCodeIn(body: string): string | undefined {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null && 'error' in value) {
      return cleanProviderCode((value as { error: unknown }).error);
    }
  } catch {
    // not JSON: the caller falls back on the status
  }
  return undefined;
}

function statusOption(status: number | undefined): { status?: number } {
  return status === undefined ? {} : { status };
}

/** Reads an optional string member, rejecting any other type. */
export function optionalString(json: Record<string, unknown>, key: string, what: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AuthError('ERR_BAD_RESPONSE', `The ${what} sent a non-string "${key}".`);
  return value;
}

export function requiredString(json: Record<string, unknown>, key: string, what: string): string {
  const value = optionalString(json, key, what);
  if (value === undefined || value === '') {
    throw new AuthError('ERR_BAD_RESPONSE', `The ${what} did not send "${key}".`);
  }
  return value;
}

/** Reads an optional non-negative finite number (seconds, intervals). */
export function optionalSeconds(json: Record<string, unknown>, key: string, what: string): number | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new AuthError('ERR_BAD_RESPONSE', `The ${what} sent an invalid "${key}".`);
  }
  return value;
}
