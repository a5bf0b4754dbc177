/**
 * The token endpoint (RFC 6749 sections 4.1.3, 5, 6; RFC 8628 section 3.4): one POST, a strictly
 * read answer. Errors become AuthErrors by the grant that was asked for.
 */
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext, TokenSet } from '../protocol.js';
import type { DPoPBinding } from './dpop-request.js';
import { isTokenSyntax } from '../token-syntax.js';
import type { OAuthErrorContext } from './errors.js';
import type { HttpResponse } from '../../adapters/contracts.js';
import {
  errorIn2xx,
  failureFor,
  optionalSeconds,
  optionalString,
  parseJsonObject,
  postForm,
  requiredString,
  type ClientCredentials,
} from './http.js';

const WHAT = 'token endpoint';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** What an access token request sends besides the client's credentials (RFC 6749 section 4.1.3). */
export interface AccessTokenRequest {
  /** The authorization code from the authorization response. Secret. */
  code: string;
  /** The redirect URI exactly as sent in the authorization request. */
  redirectUri: string;
  /** The PKCE verifier (RFC 7636 section 4.5). Secret. */
  codeVerifier: string;
}

/**
 * The access token request (RFC 6749 section 4.1.3): trades the authorization code for tokens.
 * An `invalid_grant` answer means the code is bad or used (ERR_CODE_INVALID). With `dpop` the
 * request carries a proof (RFC 9449 section 5) and the tokens keep the key.
 */
export function sendAccessTokenRequest(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  request: AccessTokenRequest,
  timeoutMs: number,
  dpop?: DPoPBinding,
): Promise<TokenSet> {
  const params = {
    grant_type: 'authorization_code',
    code: request.code,
    redirect_uri: request.redirectUri,
    code_verifier: request.codeVerifier,
  };
  return postToTokenEndpoint(ctx, endpoint, client, params, 'access-token', timeoutMs, dpop);
}

/**
 * The refresh request (RFC 6749 section 6). An `invalid_grant` answer means the refresh token is
 * dead (ERR_TOKEN_INVALID). The refresh token of a DPoP login is bound to its key (RFC 9449
 * section 5), so `dpop` must carry that key.
 */
export function sendRefreshRequest(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  refreshToken: string,
  timeoutMs: number,
  dpop?: DPoPBinding,
): Promise<TokenSet> {
  const params = { grant_type: 'refresh_token', refresh_token: refreshToken };
  return postToTokenEndpoint(ctx, endpoint, client, params, 'refresh', timeoutMs, dpop);
}

async function postToTokenEndpoint(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  params: Record<string, string>,
  context: OAuthErrorContext,
  timeoutMs: number,
  dpop: DPoPBinding | undefined,
): Promise<TokenSet> {
  // Expiry counts from before the request left: the token is never believed to live longer than it does.
  const sentAt = ctx.clock.now();
  const response = await postForm(ctx, endpoint, WHAT, params, timeoutMs, dpop, client);
  return readAccessTokenResponse(response, context, sentAt, ctx.clock.now(), dpop);
}

/**
 * The tokens in an access token response, or the AuthError it stands for: any status but 200,
 * and also a 200 whose body is an OAuth error (RFC 6749 section 5.2; GitHub does this).
 */
export function readAccessTokenResponse(
  response: HttpResponse,
  context: OAuthErrorContext,
  sentAt: number,
  now: number,
  dpop?: DPoPBinding,
): TokenSet {
  if (response.status !== 200) throw failureFor(response, context, WHAT, now);
  const refused = errorIn2xx(response, context, now);
  if (refused) throw refused;
  const token = parseAccessTokenResponse(parseJsonObject(response.body, WHAT, 200), sentAt, dpop !== undefined);
  // A Bearer answer to a proof still keeps the key: public clients' refresh tokens are bound to it (section 5).
  return dpop ? { ...token, dpopKey: dpop.key } : token;
}

/**
 * Refuses a token with a character RFC 6749 Appendix A does not allow (a line break, a control
 * character, non-ASCII): it would split the header or the line it is sent in. Names the member,
 * never its value.
 */
function checkTokenSyntax(json: Record<string, unknown>, members: string[]): void {
  for (const member of members) {
    const value = json[member];
    if (typeof value === 'string' && value !== '' && !isTokenSyntax(value)) {
      throw new AuthError(
        'ERR_BAD_RESPONSE',
        `The ${WHAT} sent a "${member}" with characters a token may not hold (RFC 6749 Appendix A: visible ASCII only).`,
      );
    }
  }
}

/**
 * Reads a successful access token response (RFC 6749 section 5.1). Bearer tokens are accepted, and DPoP
 * ones (RFC 9449 section 5) only when the request carried a proof: a DPoP token without its key
 * could never be used.
 */
export function parseAccessTokenResponse(json: Record<string, unknown>, issuedAt: number, proved = false): TokenSet {
  const accessToken = requiredString(json, 'access_token', WHAT);
  const tokenType = requiredString(json, 'token_type', WHAT).toLowerCase();
  if (tokenType === 'dpop' && !proved) {
    throw new AuthError(
      'ERR_BAD_RESPONSE',
      'The token endpoint issued a DPoP token to a request without a DPoP proof key.',
    );
  }
  if (tokenType !== 'bearer' && tokenType !== 'dpop') {
    // The server's text is not echoed: it is whatever the server put there.
    throw new AuthError(
      'ERR_BAD_RESPONSE',
      'The token endpoint issued a token that is neither of type Bearer nor DPoP.',
    );
  }
  const token: TokenSet = { accessToken, tokenType: tokenType === 'dpop' ? 'DPoP' : 'Bearer' };
  checkTokenSyntax(json, ['access_token', 'refresh_token', 'id_token']);
  const expiresIn = optionalSeconds(json, 'expires_in', WHAT);
  if (expiresIn !== undefined) token.expiresAt = issuedAt + expiresIn * 1000;
  const refreshToken = optionalString(json, 'refresh_token', WHAT);
  if (refreshToken) token.refreshToken = refreshToken;
  // Not in RFC 6749, but GitHub's expiring user tokens (and others) say when the refresh token dies.
  const refreshExpiresIn = optionalSeconds(json, 'refresh_token_expires_in', WHAT);
  if (refreshToken && refreshExpiresIn !== undefined) token.refreshExpiresAt = issuedAt + refreshExpiresIn * 1000;
  const scope = optionalString(json, 'scope', WHAT);
  if (scope !== undefined) token.scope = scope;
  const idToken = optionalString(json, 'id_token', WHAT);
  if (idToken) token.idToken = idToken;
  return token;
}
