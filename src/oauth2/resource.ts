/** One call to a protected resource with the access token (RFC 6750). */
import type { HttpMethod } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext, TokenSet } from '../protocol.js';
import { assertSafeUrl } from './url-safety.js';

/** What the host asks for: the URL is absolute, or relative to the protocol's resource base. */
export interface ResourceRequest {
  url: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: string;
}

export interface ResourceResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
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
 * Sends the request with `Authorization: Bearer`. 401 means the token is dead (expired or
 * revoked): ERR_TOKEN_INVALID, so the flow refreshes once. Every other status is the caller's.
 */
export async function fetchResource(
  ctx: ProtocolContext,
  token: TokenSet,
  request: ResourceRequest,
  base: string | undefined,
  timeoutMs: number,
): Promise<ResourceResponse> {
  const url = resolveResourceUrl(request.url, base);
  const headers: Record<string, string> = {};
  // The caller cannot override the credential: drop any authorization header it passed.
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.toLowerCase() !== 'authorization') headers[name] = value;
  }
  headers.authorization = `Bearer ${token.accessToken}`;
  const response = await ctx.http.send({
    method: request.method ?? 'GET',
    url,
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    timeoutMs,
    signal: ctx.signal,
  });
  if (response.status === 401) {
    throw new AuthError('ERR_TOKEN_INVALID', 'The resource server rejected the access token (HTTP 401).', { status: 401 });
  }
  return { status: response.status, headers: response.headers, body: response.body };
}
