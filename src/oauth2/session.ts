/** What the protocol keeps between start() and exchange()/pollDevice(): plain JSON, with secrets. */
import { AuthError } from '../../adapters/errors.js';
import type { FlowSession } from '../protocol.js';
import { isDpopKey, type DPoPKey } from './dpop.js';

export interface OAuth2RedirectSession extends FlowSession {
  kind: 'oauth2-redirect';
  state: string;
  /** Secret: the PKCE verifier. */
  codeVerifier: string;
  nonce?: string;
  redirectUri: string;
  issuer?: string;
  tokenEndpoint: string;
  /** RFC 9207: the server promised `iss` in the response, so its absence is an attack sign. */
  requireIss: boolean;
  /** Secret: this login's DPoP key (RFC 9449), when the tokens are to be sender-constrained. */
  dpopKey?: DPoPKey;
}

export interface OAuth2DeviceSession extends FlowSession {
  kind: 'oauth2-device';
  state: null;
  /** Secret: the device code. */
  deviceCode: string;
  issuer?: string;
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
