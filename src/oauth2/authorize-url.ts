/** The authorization request (RFC 6749 section 4.1.1 with PKCE and OIDC additions). */

/** Parameters of one authorization request. None of them is a secret except `state`. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  codeChallenge: string;
  nonce?: string;
  prompt?: string;
}

/** The request as name/value pairs, in a stable order. */
export function authorizationRequestParams(params: AuthorizationRequest): Record<string, string> {
  const out: Record<string, string> = {
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    scope: params.scope,
    state: params.state,
    code_challenge: params.codeChallenge,
    code_challenge_method: 'S256',
  };
  if (params.nonce !== undefined) out.nonce = params.nonce;
  if (params.prompt !== undefined) out.prompt = params.prompt;
  return out;
}

/** Adds `params` to the endpoint URL, keeping any query it already has (RFC 6749 section 3.1). */
export function buildUrl(endpoint: string, params: Record<string, string>): string {
  const url = new URL(endpoint);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
