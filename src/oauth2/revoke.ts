/** Token revocation (RFC 7009). */
import type { ProtocolContext, TokenSet } from '../protocol.js';
import { errorIn2xx, failureFor, postForm, type ClientCredentials } from './http.js';

const WHAT = 'revocation endpoint';

/**
 * The revocation request (RFC 7009 section 2.1), once per token: the refresh token first (on
 * most servers that ends the whole grant), then the access token. A server that does not know a
 * token type (unsupported_token_type) is not an error: nothing more can be done about that token.
 */
export async function sendRevocationRequests(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  token: TokenSet,
  timeoutMs: number,
): Promise<void> {
  const targets: Array<[string, string]> = [];
  if (token.refreshToken) targets.push([token.refreshToken, 'refresh_token']);
  targets.push([token.accessToken, 'access_token']);
  for (const [value, hint] of targets) {
    const response = await postForm(
      ctx,
      endpoint,
      WHAT,
      { token: value, token_type_hint: hint },
      timeoutMs,
      undefined,
      client,
    );
    // RFC 7009 section 2.2: 200 is success, unless its body is an OAuth error after all.
    const failure =
      response.status === 200
        ? errorIn2xx(response, 'revocation', ctx.clock.now())
        : failureFor(response, 'revocation', WHAT, ctx.clock.now());
    if (failure === undefined) continue;
    if (failure.providerCode === 'unsupported_token_type') continue;
    throw failure;
  }
}
