/**
 * Sending a request with a DPoP proof (RFC 9449): the last nonce each origin gave is put in the
 * proof, a new `DPoP-Nonce` in any answer replaces it, and a `use_dpop_nonce` challenge (from the
 * authorization server, section 8, or the resource server, section 9) is answered with exactly one
 * retry carrying the fresh nonce.
 */
import type { HttpRequest, HttpResponse } from '../../adapters/contracts.js';
import type { ProtocolContext } from '../protocol.js';
import { createDpopProof, type DPoPKey } from './dpop.js';

/**
 * The last `DPoP-Nonce` each origin sent, on any answer (a challenge or a success), for the next
 * proof to that origin. Nonces are not secrets, but they are short-lived.
 * @see RFC 9449 sections 8 and 9
 */
export class DPoPNonceCache {
  readonly #byOrigin = new Map<string, string>();

  /** The nonce to put in a proof for `url`, if its origin gave one. */
  get(url: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin);
  }

  /**
   * Keeps the response's `DPoP-Nonce`, if it sent a well-formed one; true if it did.
   * @see RFC 9449 section 8.1 (the nonce is 1*NQCHAR)
   */
  remember(url: string, response: HttpResponse): boolean {
    const nonce = response.headers['dpop-nonce'];
    if (typeof nonce !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce)) return false;
    this.#byOrigin.set(new URL(url).origin, nonce);
    return true;
  }
}

/** What binds requests to a key: the key and the protocol instance's nonce cache (RFC 9449). */
export interface DPoPBinding {
  key: DPoPKey;
  nonces: DPoPNonceCache;
}

/**
 * Whether the authorization server's answer is a nonce challenge: 400 with error `use_dpop_nonce`.
 * @see RFC 9449 section 8
 */
export function isAuthorizationServerChallenge(response: HttpResponse): boolean {
  if (response.status !== 400) return false;
  try {
    return (JSON.parse(response.body) as { error?: unknown })?.error === 'use_dpop_nonce';
  } catch {
    return false;
  }
}

/**
 * Whether the resource server's answer is a nonce challenge: 401 with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"`.
 * @see RFC 9449 section 9
 */
export function isResourceServerChallenge(response: HttpResponse): boolean {
  const challenge = response.headers['www-authenticate'] ?? '';
  return (
    response.status === 401 && /(^|,)\s*DPoP\b/i.test(challenge) && /error\s*=\s*"?use_dpop_nonce"?/i.test(challenge)
  );
}

/**
 * Sends `request` with a `DPoP` header; on a nonce challenge that brings a new nonce, signs a new
 * proof (new jti) with it and sends once more. The second answer is returned whatever it is, so a
 * server that challenges again is never answered in a loop. A challenge that brings no nonce, or
 * the nonce already used, is not retried.
 * @throws AuthError from `ctx.http` (ERR_NETWORK, ERR_TIMEOUT...) and ERR_CONFIG from
 * {@link createDpopProof} for an unusable key.
 * @see RFC 9449 sections 8 and 9
 */
export async function sendWithDpop(
  ctx: ProtocolContext,
  binding: DPoPBinding,
  request: HttpRequest,
  isChallenge: (response: HttpResponse) => boolean,
  accessToken?: string,
): Promise<HttpResponse> {
  for (let attempt = 1; ; attempt++) {
    const nonce = binding.nonces.get(request.url);
    const proof = await createDpopProof(
      binding.key,
      {
        htm: request.method,
        url: request.url,
        ...(accessToken === undefined ? {} : { accessToken }),
        ...(nonce === undefined ? {} : { nonce }),
      },
      ctx,
    );
    const response = await ctx.http.send({ ...request, headers: { ...request.headers, dpop: proof } });
    const fresh = binding.nonces.remember(request.url, response) && binding.nonces.get(request.url) !== nonce;
    if (attempt > 1 || !fresh || !isChallenge(response)) return response;
  }
}
