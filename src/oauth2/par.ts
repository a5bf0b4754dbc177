/**
 * Pushed authorization requests (RFC 9126): the request goes to the server over a back channel,
 * and the browser carries only client_id and the opaque request_uri it returns.
 */
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext } from '../protocol.js';
import type { DPoPBinding } from './dpop-request.js';
import { errorIn2xx, failureFor, parseJsonObject, postForm, type ClientCredentials } from './http.js';

/** The pushed authorization response (RFC 9126 section 2.2). */
export interface PushedAuthorizationResponse {
  /** `request_uri`: the reference the browser carries to the authorization endpoint. */
  requestUri: string;
  /** `expires_in`, in seconds. */
  expiresIn: number;
}

/** The pushed authorization request (RFC 9126 section 2.1): POSTs the authorization request's parameters. */
export async function pushAuthorizationRequest(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  params: Record<string, string>,
  timeoutMs: number,
  /** RFC 9449 section 10.1: a proof here binds the authorization code to the key. */
  dpop?: DPoPBinding,
): Promise<PushedAuthorizationResponse> {
  const what = 'pushed authorization request endpoint';
  const response = await postForm(ctx, endpoint, what, params, timeoutMs, dpop, client);
  if (response.status !== 201 && response.status !== 200) {
    throw failureFor(response, 'par', what, ctx.clock.now());
  }
  const refused = errorIn2xx(response, 'par', ctx.clock.now());
  if (refused) throw refused;
  const json = parseJsonObject(response.body, what, response.status);
  const requestUri = json.request_uri;
  const expiresIn = json.expires_in;
  if (typeof requestUri !== 'string' || requestUri === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new AuthError('ERR_BAD_RESPONSE', 'The pushed authorization response lacks request_uri or expires_in.');
  }
  return { requestUri, expiresIn };
}
