/** What the protocol keeps between start() and exchange()/pollDevice(): plain JSON, with secrets. */
import { AuthError } from '../../adapters/errors.js';
import type { FlowSession } from '../protocol.js';
import { isDpopKey, type DPoPKey } from './dpop.js';

/**
 * What a redirect login keeps between the authorization request and the access token request:
 * plain JSON, with secrets (the PKCE verifier, the nonce, the DPoP key). Store it like a token.
 */
export interface OAuth2RedirectSession extends FlowSession {
  /** Tells the session kinds apart. */
  kind: 'oauth2-redirect';
  /** The `state` of the authorization request (RFC 6749 section 10.12). */
  state: string;
  /** Secret: the PKCE verifier. */
  codeVerifier: string;
  /** The OIDC nonce the ID token must carry; set when the scope has "openid". */
  nonce?: string;
  /** The redirect URI exactly as sent; the access token request repeats it. */
  redirectUri: string;
  /** The issuer the response and ID token must name (RFC 9207). */
  issuer?: string;
  /** Where the code is exchanged. */
  tokenEndpoint: string;
  /** RFC 9207: the server promised `iss` in the response, so its absence is an attack sign. */
  requireIss: boolean;
  /** Secret: this login's DPoP key (RFC 9449), when the tokens are to be sender-constrained. */
  dpopKey?: DPoPKey;
}

/**
 * What a device login (RFC 8628) keeps between the device authorization request and the device
 * access token requests: plain JSON, with the device code (secret).
 */
export interface OAuth2DeviceSession extends FlowSession {
  /** Tells the session kinds apart. */
  kind: 'oauth2-device';
  /** No redirect, so no state. */
  state: null;
  /** Secret: the device code. */
  deviceCode: string;
  /** The issuer an ID token must name. */
  issuer?: string;
  /** Where the device code is polled. */
  tokenEndpoint: string;
  /** Epoch ms after which polling is pointless. */
  expiresAt: number;
  /** Secret: this login's DPoP key (RFC 9449), when the tokens are to be sender-constrained. */
  dpopKey?: DPoPKey;
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Checks a session that came back through machine context (maybe from another process). */
export function asRedirectSession(session: FlowSession): OAuth2RedirectSession {
  const s = session as Partial<OAuth2RedirectSession>;
  if (
    s.kind === 'oauth2-redirect' &&
    isString(s.state) &&
    isString(s.codeVerifier) &&
    isString(s.redirectUri) &&
    isString(s.tokenEndpoint) &&
    typeof s.requireIss === 'boolean' &&
    (s.nonce === undefined || isString(s.nonce)) &&
    (s.issuer === undefined || isString(s.issuer)) &&
    (s.dpopKey === undefined || isDpopKey(s.dpopKey))
  ) {
    return s as OAuth2RedirectSession;
  }
  throw new AuthError('ERR_CONFIG', 'The flow session is not an OAuth 2.0 redirect session.');
}

export function asDeviceSession(session: FlowSession): OAuth2DeviceSession {
  const s = session as Partial<OAuth2DeviceSession>;
  if (
    s.kind === 'oauth2-device' &&
    isString(s.deviceCode) &&
    isString(s.tokenEndpoint) &&
    typeof s.expiresAt === 'number' &&
    (s.issuer === undefined || isString(s.issuer)) &&
    (s.dpopKey === undefined || isDpopKey(s.dpopKey))
  ) {
    return s as OAuth2DeviceSession;
  }
  throw new AuthError('ERR_CONFIG', 'The flow session is not an OAuth 2.0 device session.');
}
