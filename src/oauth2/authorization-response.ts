/**
 * The authorization response at the redirect URI (RFC 6749 section 4.1.2): checked for the
 * `state` this login sent, the issuer (RFC 9207), and an error response, before its code is used.
 */
import type { CallbackResult } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import { tenantIssuer, TENANT_PLACEHOLDER } from './discovery.js';
import { oauthError, shownIssuer } from './errors.js';
import type { OAuth2RedirectSession } from './session.js';
import { constantTimeEqual } from './state.js';

/**
 * The code of an authorization response: `state` first (RFC 6749 section 10.12), then `iss`
 * (RFC 9207 section 2.4), then an error response (section 4.1.2.1). `tenantAliases` lets a
 * multi-tenant issuer template match the tenant the response names.
 */
export function readAuthorizationResponse(
  session: OAuth2RedirectSession,
  callback: CallbackResult,
  tenantAliases?: readonly string[],
): string {
  if (callback.kind !== 'redirect') {
    throw new AuthError('ERR_CONFIG', 'OAuth 2.0 needs the redirect itself; a manual confirmation carries no code.');
  }
  const { params } = callback;
  if (typeof params.state !== 'string' || !constantTimeEqual(params.state, session.state)) {
    throw new AuthError(
      'ERR_STATE_MISMATCH',
      'The redirect did not carry the state this login sent: it was not the answer to our request.',
    );
  }
  // RFC 9207: a present iss is always checked; a promised one must be present.
  if (
    params.iss !== undefined &&
    session.issuer !== undefined &&
    !issuerMatches(params.iss, session.issuer, tenantAliases)
  ) {
    throw new AuthError(
      'ERR_ISSUER_MISMATCH',
      `The authorization response came from a different issuer: expected ${shownIssuer(session.issuer)}, got ${shownIssuer(params.iss)}.`,
    );
  }
  if (params.iss === undefined && session.requireIss) {
    throw new AuthError(
      'ERR_ISSUER_MISMATCH',
      'The authorization response lacks the issuer the server promised to include.',
    );
  }
  if (params.error !== undefined) throw oauthError(params.error, 'authorization-response');
  if (!params.code) throw new AuthError('ERR_BAD_RESPONSE', 'The redirect carried neither a code nor an error.');
  return params.code;
}

/** RFC 9207 `iss`; a tenant template matches its template with any tenant id. */
function issuerMatches(iss: string, issuer: string, tenantAliases: readonly string[] | undefined): boolean {
  if (iss === issuer) return true;
  if (!issuer.includes(TENANT_PLACEHOLDER) || !tenantAliases) return false;
  const [before, after] = issuer.split(TENANT_PLACEHOLDER) as [string, string];
  if (!iss.startsWith(before) || !iss.endsWith(after)) return false;
  return tenantIssuer(issuer, iss.slice(before.length, iss.length - after.length)) === iss;
}
