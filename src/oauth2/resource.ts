/** One call to a protected resource with the access token (RFC 6750, or RFC 9449 for a DPoP token). */
import type { HttpMethod, HttpRequest } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext, TokenSet } from '../protocol.js';
import { isResourceServerChallenge, sendWithDpop, type DPoPNonceCache } from './dpop-request.js';
import { assertSafeUrl } from './url-safety.js';

/** What the host asks for: the URL is absolute, or relative to the protocol's resource base. */
export interface ResourceRequest {
  /** Absolute, or relative to the `resource` option; https, or http on loopback only. */
  url: string;
  /** Default GET. */
  method?: HttpMethod;
  /** Extra headers; `Authorization` and `DPoP` are always set by the protocol and never taken from here. */
  headers?: Record<string, string>;
  /** The body, already encoded. */
  body?: string;
}

/** The resource server's answer: every status but 401 comes back to the caller as it is. */
export interface ResourceResponse {
  /** The HTTP status (never 401: that is ERR_TOKEN_INVALID). */
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body as text. */
  body: string;
}

/** Resolves the request URL against `base` and applies the https-or-loopback rule. */
export function resolveResourceUrl(url: string, base: string | undefined): string {
  let resolved: URL;
  try {
    resolved = base === undefined ? new URL(url) : new URL(url, base);
  } catch {
    throw new AuthError('ERR_CONFIG', 'The resource URL is not absolute and no resource base URL is configured.');
  }
  return assertSafeUrl(resolved.toString(), 'resource URL').toString();
}

/**
 * Whether the token is sender-constrained: its `token_type` is DPoP (any case), so its key is mandatory.
 * @see RFC 9449 section 5
 */
export function isDpopToken(token: TokenSet): boolean {
  return token.tokenType?.toLowerCase() === 'dpop';
}

/**
 * Sends the request with `Authorization: Bearer`, or for a DPoP token `Authorization: DPoP` and a
 * proof with `ath` (a nonce challenge is answered once, RFC 9449 section 9). 401 means the token is
 * dead (expired or revoked): ERR_TOKEN_INVALID, so the flow refreshes once. Every other status is
 * the caller's. @throws AuthError ERR_CONFIG for a DPoP token without its key; ERR_PROTOCOL when
 * the resource server asks for a nonce again right after getting a fresh one (or asks without
 * giving one).
 * @see RFC 6750 section 2.1; RFC 9449 sections 7.1 and 9
 */
export async function fetchResource(
  ctx: ProtocolContext,
  token: TokenSet,
  request: ResourceRequest,
  base: string | undefined,
  timeoutMs: number,
  nonces?: DPoPNonceCache,
): Promise<ResourceResponse> {
  const url = resolveResourceUrl(request.url, base);
  const dpop = isDpopToken(token);
  if (dpop && (!token.dpopKey || !nonces)) {
    throw new AuthError('ERR_CONFIG', 'This login holds a DPoP-bound token but not its proof key: log in again.');
  }
  const headers: Record<string, string> = {};
  // The caller cannot override the credential or the proof: drop any such header it passed.
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!['authorization', 'dpop'].includes(name.toLowerCase())) headers[name] = value;
  }
  headers.authorization = `${dpop ? 'DPoP' : 'Bearer'} ${token.accessToken}`;
  const outgoing: HttpRequest = {
    method: request.method ?? 'GET',
    url,
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    timeoutMs,
    signal: ctx.signal,
  };
  // The check above threw unless a DPoP token has its key and a nonce cache.
  const response =
    dpop && token.dpopKey && nonces
      ? await sendWithDpop(ctx, { key: token.dpopKey, nonces }, outgoing, isResourceServerChallenge, token.accessToken)
      : await ctx.http.send(outgoing);
  if (dpop && isResourceServerChallenge(response)) {
    throw new AuthError('ERR_PROTOCOL', 'The resource server kept asking for a new DPoP nonce.', {
      status: 401,
      providerCode: 'use_dpop_nonce',
    });
  }
  if (response.status === 401) {
    throw new AuthError('ERR_TOKEN_INVALID', 'The resource server rejected the access token (HTTP 401).', {
      status: 401,
    });
  }
  return { status: response.status, headers: response.headers, body: response.body };
}
