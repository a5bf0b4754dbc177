/**
 * The options of {@link createOAuth2Protocol}, and their validation: configuration mistakes surface
 * when the protocol is made, before any login starts.
 */
import { AuthError } from '../../adapters/errors.js';
import { oauth2StorageKey } from '../storage-key.js';
import type { ServerMetadata } from './discovery.js';
import type { ClientAuthMethod } from './http.js';
import { assertSafeUrl } from './url-safety.js';

/** Endpoints given by hand, for servers without discovery. */
export interface OAuth2Endpoints {
  authorization?: string;
  token: string;
  revocation?: string;
  deviceAuthorization?: string;
  pushedAuthorizationRequest?: string;
  /** The issuer's JWKS, to verify ID token signatures; without it only the claims are checked. */
  jwks?: string;
}

/** How {@link createOAuth2Protocol} reaches and identifies itself to an authorization server. */
export interface OAuth2ProtocolOptions {
  /** The issuer identifier; its metadata is discovered unless `endpoints` is given. */
  issuer?: string;
  /** Explicit endpoints: skips discovery. `issuer` is still needed for OIDC and RFC 9207 checks. */
  endpoints?: OAuth2Endpoints;
  /** The client identifier registered with the server (RFC 6749 section 2.2). */
  clientId: string;
  /**
   * The secret some providers issue to "installed app" clients and require at the token endpoint
   * (RFC 8252 section 8.5: it is not really secret, but it is never logged or shown).
   */
  clientSecret?: string;
  /**
   * How the secret is sent. Default: from the metadata's token_endpoint_auth_methods_supported
   * (client_secret_basic when listed, RFC 6749 section 2.3.1, else client_secret_post); discovery
   * without the list means client_secret_basic (RFC 8414); explicit endpoints, client_secret_post.
   */
  clientAuthMethod?: ClientAuthMethod;
  /** Extra authorization request parameters a provider needs (Google: access_type=offline). */
  authorizationParams?: Record<string, string>;
  /** Deviations from the RFCs that only a provider preset turns on. */
  habits?: ProviderHabits;
  /** Default "openid offline_access". OIDC (nonce, ID token checks) is on when it contains "openid". */
  scope?: string;
  /**
   * The OIDC `prompt`. Default: "consent" when the scope asks for offline_access with openid, since
   * OIDC Core section 11 lets servers drop offline_access otherwise. `null`: never send one.
   */
  prompt?: string | null;
  /** 'redirect' (default): loopback redirect; 'device': RFC 8628. */
  mode?: 'redirect' | 'device';
  /** Base URL that relative resource URLs in fetch() resolve against. */
  resource?: string;
  /** Pushed authorization requests: 'auto' (default) uses them when offered. Required by the server wins. */
  usePar?: 'auto' | 'always' | 'never';
  /** Per-request deadline, default 15 s. */
  timeoutMs?: number;
  /** Tolerated clock difference for ID token expiry, default 60 s. */
  clockSkewMs?: number;
  /**
   * DPoP sender-constrained tokens (RFC 9449): 'auto' (default) when the server's metadata lists
   * `dpop_signing_alg_values_supported`; true always (ES256 unless the server lists others);
   * false never. A new key is made at each login and kept with the tokens.
   */
  dpop?: boolean | 'auto';
}

/** Provider habits the generic path refuses, accepted only where a preset says so. */
export interface ProviderHabits {
  /** The device endpoint names the page `verification_url` (Google). */
  acceptVerificationUrl?: boolean;
  /**
   * Tenant aliases whose discovery `issuer` holds the literal `{tenantid}` (Microsoft: common,
   * organizations); each ID token's `iss` must then be that template with its own `tid`.
   */
  tenantAliases?: readonly string[];
  /** Other spellings of the issuer the ID token's `iss` may use (Google: "accounts.google.com"). */
  idTokenIssuerAliases?: readonly string[];
}

const DEFAULT_SCOPE = 'openid offline_access';
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_CLOCK_SKEW_MS = 60_000;

/** The options with their defaults filled in and checked. */
export interface ResolvedOptions {
  scope: string;
  oidc: boolean;
  prompt?: string;
  mode: 'redirect' | 'device';
  usePar: 'auto' | 'always' | 'never';
  timeoutMs: number;
  clockSkewMs: number;
  dpop: boolean | 'auto';
  resource?: string;
  /** The token-store key of this login (storage-key.ts). */
  storageKey: string;
  fixedMetadata?: ServerMetadata;
}

/** Validates the options once, so configuration mistakes surface before any login starts. */
export function resolveOptions(options: OAuth2ProtocolOptions): ResolvedOptions {
  if (typeof options.clientId !== 'string' || options.clientId === '')
    throw new AuthError('ERR_CONFIG', 'clientId is required.');
  const scope = options.scope ?? DEFAULT_SCOPE;
  const scopes = scope.split(' ');
  const oidc = scopes.includes('openid');
  // Also the check that the server is named at all (ERR_CONFIG otherwise).
  const storageKey = oauth2StorageKey(options);
  if (options.issuer !== undefined) assertSafeUrl(options.issuer, 'issuer');
  if (oidc && options.issuer === undefined) {
    throw new AuthError('ERR_CONFIG', 'OpenID Connect (scope "openid") needs the issuer to check ID tokens.');
  }
  const config: ResolvedOptions = {
    scope,
    oidc,
    mode: options.mode ?? 'redirect',
    usePar: options.usePar ?? 'auto',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    clockSkewMs: options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
    dpop: options.dpop ?? 'auto',
    storageKey,
  };
  const prompt =
    options.prompt === undefined ? (oidc && scopes.includes('offline_access') ? 'consent' : undefined) : options.prompt;
  if (prompt !== null && prompt !== undefined) config.prompt = prompt;
  if (options.resource !== undefined) config.resource = assertSafeUrl(options.resource, 'resource base URL').toString();
  if (options.endpoints) config.fixedMetadata = metadataFromEndpoints(options.endpoints, options.issuer);
  return config;
}

/** Metadata for endpoints given by hand (no discovery): nothing is promised beyond them. */
function metadataFromEndpoints(endpoints: OAuth2Endpoints, issuer: string | undefined): ServerMetadata {
  const check = (url: string | undefined, what: string): string | undefined =>
    url === undefined ? undefined : assertSafeUrl(url, what) && url;
  const meta: ServerMetadata = {
    token_endpoint: assertSafeUrl(endpoints.token, 'token endpoint') && endpoints.token,
    require_pushed_authorization_requests: false,
    authorization_response_iss_parameter_supported: false,
  };
  const optional = {
    issuer,
    authorization_endpoint: check(endpoints.authorization, 'authorization endpoint'),
    revocation_endpoint: check(endpoints.revocation, 'revocation endpoint'),
    device_authorization_endpoint: check(endpoints.deviceAuthorization, 'device authorization endpoint'),
    pushed_authorization_request_endpoint: check(
      endpoints.pushedAuthorizationRequest,
      'pushed authorization request endpoint',
    ),
    jwks_uri: check(endpoints.jwks, 'JWKS URI'),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(meta, { [key]: value });
  return meta;
}
