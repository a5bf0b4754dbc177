/**
 * OAuth 2.0 / OpenID Connect for native apps (RFC 8252) as an AuthProtocol: discovery, PKCE S256,
 * state and nonce, PAR where offered, RFC 9207 issuer checks, refresh, revocation, the device
 * grant, DPoP sender-constrained tokens (RFC 9449) where offered or asked for, and calls to a
 * protected resource.
 */
import type { JWK } from 'jose';
import type { CallbackResult } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import type { AuthProtocol, DevicePollResult, ProtocolContext, StartResult, TokenSet } from '../protocol.js';
import { authorizationRequestParams, buildUrl } from './authorize-url.js';
import { sendDeviceAccessTokenRequest, sendDeviceAuthorizationRequest } from './device.js';
import { discover, tenantIssuer, TENANT_PLACEHOLDER, type ServerMetadata } from './discovery.js';
import { chooseDpopAlg, dpopThumbprint, generateDpopKey, type DPoPKey } from './dpop.js';
import { DPoPNonceCache, type DPoPBinding } from './dpop-request.js';
import { oauthError, shownIssuer } from './errors.js';
import type { ClientAuthMethod, ClientCredentials } from './http.js';
import { checkIdTokenClaims, decodeJwt, type IdTokenClaims } from './id-token.js';
import { fetchJwks, verifyJwtSignature } from './id-token-signature.js';
import { pushAuthorizationRequest } from './par.js';
import { createPkce } from './pkce.js';
import { fetchResource, type ResourceRequest, type ResourceResponse } from './resource.js';
import { sendRevocationRequests } from './revoke.js';
import { asDeviceSession, asRedirectSession, type OAuth2DeviceSession, type OAuth2RedirectSession } from './session.js';
import { constantTimeEqual, randomValue } from './state.js';
import { sendAccessTokenRequest, sendRefreshRequest } from './token-endpoint.js';
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

/** The OAuth 2.0 protocol object, with every optional AuthProtocol method present. */
export type OAuth2Protocol = Required<AuthProtocol<ResourceRequest, ResourceResponse>> & {
  /** The validated server metadata (discovered once per protocol instance, then cached). */
  metadata(ctx: ProtocolContext): Promise<ServerMetadata>;
};

const DEFAULT_SCOPE = 'openid offline_access';
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * OAuth 2.0 / OpenID Connect for native apps as a protocol for {@link createAuthFlow}: discovery
 * (RFC 8414 / OIDC Discovery), PKCE S256 (RFC 7636), `state` and `nonce`, PAR where offered
 * (RFC 9126), the `iss` check (RFC 9207), ID token claims and signature, refresh (RFC 6749
 * section 6), revocation (RFC 7009), the device grant (RFC 8628) and DPoP (RFC 9449).
 *
 * Its steps reject with AuthError: ERR_CONFIG (options or server metadata unusable),
 * ERR_INSECURE_URL, ERR_STATE_MISMATCH, ERR_ISSUER_MISMATCH, ERR_DECLINED, ERR_CODE_INVALID,
 * ERR_INVALID_CLIENT, ERR_BAD_RESPONSE, ERR_TOKEN_INVALID, ERR_NETWORK, ERR_TIMEOUT, ERR_SERVER,
 * ERR_RATE_LIMITED.
 *
 * @see RFC 8252, RFC 6749 section 4.1, RFC 7636 section 4, RFC 9207 section 2.4
 * @example
 * ```ts
 * const protocol = createOAuth2Protocol({ issuer: 'https://id.example.com', clientId: 'my-cli', scope: 'openid offline_access' });
 * const flow = createAuthFlow({ protocol, http: new FetchHttpClient(), receiver: new LoopbackReceiver() });
 * ```
 */
export function createOAuth2Protocol(options: OAuth2ProtocolOptions): OAuth2Protocol {
  const config = resolveOptions(options);
  const habits = options.habits ?? {};
  const { timeoutMs } = config;
  let cachedMetadata: Promise<ServerMetadata> | undefined;
  let cachedKeys: Promise<JWK[]> | undefined;
  // Per origin: the authorization server's and each resource server's last DPoP-Nonce.
  const nonces = new DPoPNonceCache();
  const bind = (key: DPoPKey | undefined): DPoPBinding | undefined => (key ? { key, nonces } : undefined);

  /** A new key for a new login, when DPoP is to be used with this server (RFC 9449 section 5.1). */
  async function newDpopKey(meta: ServerMetadata): Promise<DPoPKey | undefined> {
    if (config.dpop === false) return undefined;
    const offered = meta.dpop_signing_alg_values_supported;
    if (config.dpop === 'auto' && offered === undefined) return undefined;
    const alg = chooseDpopAlg(offered);
    if (alg === undefined) {
      if (config.dpop === 'auto') return undefined;
      throw new AuthError(
        'ERR_CONFIG',
        'DPoP was asked for, but the server accepts none of the algorithms authmachine signs proofs with.',
      );
    }
    return generateDpopKey(alg);
  }

  function metadata(ctx: ProtocolContext): Promise<ServerMetadata> {
    if (config.fixedMetadata) return Promise.resolve(config.fixedMetadata);
    // Unreachable after the config checks (no fixed metadata means an issuer); keeps the type honest.
    if (options.issuer === undefined)
      return Promise.reject(new AuthError('ERR_CONFIG', 'Either issuer (for discovery) or endpoints is required.'));
    if (!cachedMetadata) {
      cachedMetadata = discover(
        ctx,
        options.issuer,
        timeoutMs,
        habits.tenantAliases ? { tenantAliases: habits.tenantAliases } : {},
      );
      // A failed discovery (network, cancelled) must not poison later attempts.
      cachedMetadata.catch(() => (cachedMetadata = undefined));
    }
    return cachedMetadata;
  }

  /** The client's credentials for this server: the secret goes the way its metadata says. */
  function clientFor(meta: ServerMetadata): ClientCredentials {
    if (options.clientSecret === undefined) return { clientId: options.clientId };
    return { clientId: options.clientId, clientSecret: options.clientSecret, authMethod: authMethodFor(meta) };
  }

  function authMethodFor(meta: ServerMetadata): ClientAuthMethod {
    if (options.clientAuthMethod) return options.clientAuthMethod;
    const listed = meta.token_endpoint_auth_methods_supported;
    if (listed === undefined) return config.fixedMetadata ? 'client_secret_post' : 'client_secret_basic';
    if (listed.includes('client_secret_basic')) return 'client_secret_basic';
    if (listed.includes('client_secret_post')) return 'client_secret_post';
    throw new AuthError(
      'ERR_CONFIG',
      'The token endpoint takes a client secret neither by HTTP Basic nor in the form (token_endpoint_auth_methods_supported).',
    );
  }

  /** The `iss` an ID token must carry: the issuer, a tenant template filled with its `tid`, or a known alias. */
  function expectedIdTokenIssuer(issuer: string, payload: Record<string, unknown>): string {
    if (issuer.includes(TENANT_PLACEHOLDER) && habits.tenantAliases) {
      const filled = tenantIssuer(issuer, payload.tid);
      if (filled === undefined)
        throw new AuthError(
          'ERR_BAD_RESPONSE',
          'The ID token is not valid: it names no tenant (tid) for a multi-tenant issuer.',
        );
      return filled;
    }
    if (typeof payload.iss === 'string' && habits.idTokenIssuerAliases?.includes(payload.iss)) return payload.iss;
    return issuer;
  }

  /** RFC 9207 `iss` at the callback; a tenant template matches its template with any tenant id. */
  function callbackIssuerMatches(iss: string, issuer: string): boolean {
    if (iss === issuer) return true;
    if (!issuer.includes(TENANT_PLACEHOLDER) || !habits.tenantAliases) return false;
    const [before, after] = issuer.split(TENANT_PLACEHOLDER) as [string, string];
    if (!iss.startsWith(before) || !iss.endsWith(after)) return false;
    return tenantIssuer(issuer, iss.slice(before.length, iss.length - after.length)) === iss;
  }

  function loadKeys(ctx: ProtocolContext, jwksUri: string, refresh: boolean): Promise<JWK[]> {
    if (refresh || !cachedKeys) {
      cachedKeys = fetchJwks(ctx, jwksUri, timeoutMs);
      cachedKeys.catch(() => (cachedKeys = undefined));
    }
    return cachedKeys;
  }

  /**
   * ID token checks on a fresh token set (claims always; the signature when the issuer has a
   * JWKS), and `username` from its claims.
   */
  async function acceptIdToken(
    ctx: ProtocolContext,
    token: TokenSet,
    issuer: string | undefined,
    nonce: string | undefined,
    previous?: TokenSet,
  ): Promise<TokenSet> {
    if (!token.idToken) {
      if (nonce !== undefined)
        throw new AuthError('ERR_BAD_RESPONSE', 'The token endpoint sent no ID token for an OpenID Connect login.');
      return token;
    }
    if (issuer === undefined)
      throw new AuthError('ERR_CONFIG', 'An ID token cannot be checked without a configured issuer.');
    const jwt = decodeJwt(token.idToken);
    const claims = checkIdTokenClaims(jwt.payload, {
      issuer: expectedIdTokenIssuer(issuer, jwt.payload),
      clientId: options.clientId,
      ...(nonce === undefined ? {} : { nonce }),
      now: ctx.clock.now(),
      skewMs: config.clockSkewMs,
    });
    const { jwks_uri: jwksUri } = await metadata(ctx);
    if (jwksUri !== undefined)
      await verifyJwtSignature(jwt, (refresh) => loadKeys(ctx, jwksUri, refresh), { signal: ctx.signal });
    if (previous?.idToken) {
      const before = decodeJwt(previous.idToken).payload;
      if (before.sub !== claims.sub)
        throw new AuthError('ERR_BAD_RESPONSE', 'The refreshed ID token is for another user.');
    }
    return { ...token, username: displayName(claims) };
  }

  /**
   * The authorization request (RFC 6749 section 4.1.1 with PKCE, OIDC nonce, DPoP `dpop_jkt`):
   * the URL the browser goes to, pushed first (RFC 9126) where the server offers or requires it.
   */
  async function prepareAuthorizationRequest(ctx: ProtocolContext, redirectUri: string | null): Promise<StartResult> {
    if (!redirectUri)
      throw new AuthError('ERR_CONFIG', 'The redirect mode needs a redirect URI (the loopback listener).');
    const meta = await metadata(ctx);
    if (!meta.authorization_endpoint)
      throw new AuthError('ERR_CONFIG', 'The authorization server has no authorization endpoint.');
    if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256')) {
      throw new AuthError('ERR_CONFIG', 'The authorization server does not support PKCE S256.');
    }
    const pkce = createPkce(ctx.random);
    const state = randomValue(ctx.random);
    const nonce = config.oidc ? randomValue(ctx.random) : undefined;
    const dpopKey = await newDpopKey(meta);
    const params = authorizationRequestParams({
      clientId: options.clientId,
      redirectUri,
      scope: config.scope,
      state,
      codeChallenge: pkce.challenge,
      ...(nonce === undefined ? {} : { nonce }),
      ...(config.prompt === undefined ? {} : { prompt: config.prompt }),
    });
    // Provider extras never replace what this client must control (state, PKCE, redirect...).
    for (const [name, value] of Object.entries(options.authorizationParams ?? {}))
      if (!(name in params)) params[name] = value;
    const session: OAuth2RedirectSession = {
      kind: 'oauth2-redirect',
      state,
      codeVerifier: pkce.verifier,
      redirectUri,
      tokenEndpoint: meta.token_endpoint,
      requireIss: meta.authorization_response_iss_parameter_supported,
    };
    if (nonce !== undefined) session.nonce = nonce;
    if (meta.issuer !== undefined) session.issuer = meta.issuer;
    if (dpopKey) {
      session.dpopKey = dpopKey;
      // RFC 9449 section 10: the code is bound to the key, so a stolen code is useless without it.
      params['dpop_jkt'] = await dpopThumbprint(dpopKey);
    }

    const parEndpoint = meta.pushed_authorization_request_endpoint;
    const usePar =
      meta.require_pushed_authorization_requests ||
      config.usePar === 'always' ||
      (config.usePar === 'auto' && parEndpoint !== undefined);
    if (!usePar) return { session, authorizationUrl: buildUrl(meta.authorization_endpoint, params) };
    if (!parEndpoint)
      throw new AuthError(
        'ERR_CONFIG',
        'Pushed authorization requests are required but the server offers no PAR endpoint.',
      );
    const pushed = await pushAuthorizationRequest(ctx, parEndpoint, clientFor(meta), params, timeoutMs, bind(dpopKey));
    return {
      session,
      authorizationUrl: buildUrl(meta.authorization_endpoint, {
        client_id: options.clientId,
        request_uri: pushed.requestUri,
      }),
    };
  }

  /** The device authorization request (RFC 8628 section 3.1): the user code and the page for it. */
  async function startDeviceAuthorization(ctx: ProtocolContext): Promise<StartResult> {
    const meta = await metadata(ctx);
    if (!meta.device_authorization_endpoint)
      throw new AuthError('ERR_CONFIG', 'The authorization server does not offer the device grant.');
    const dpopKey = await newDpopKey(meta);
    const startedAt = ctx.clock.now();
    const device = await sendDeviceAuthorizationRequest(
      ctx,
      meta.device_authorization_endpoint,
      clientFor(meta),
      config.scope,
      timeoutMs,
      {
        acceptVerificationUrl: habits.acceptVerificationUrl === true,
      },
    );
    const session: OAuth2DeviceSession = {
      kind: 'oauth2-device',
      state: null,
      deviceCode: device.deviceCode,
      tokenEndpoint: meta.token_endpoint,
      expiresAt: startedAt + device.expiresInMs,
    };
    if (meta.issuer !== undefined) session.issuer = meta.issuer;
    if (dpopKey) session.dpopKey = dpopKey;
    return {
      session,
      authorizationUrl: device.verificationUriComplete ?? device.verificationUri,
      userCode: device.userCode,
      pollIntervalMs: device.intervalMs,
      expiresInMs: device.expiresInMs,
    };
  }

  /**
   * The authorization response (RFC 6749 section 4.1.2): `state`, then `iss` (RFC 9207 section
   * 2.4), then an error response (section 4.1.2.1), and the code it carries.
   */
  function readAuthorizationResponse(session: OAuth2RedirectSession, callback: CallbackResult): string {
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
      !callbackIssuerMatches(params.iss, session.issuer)
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

  return {
    name: 'oauth2',
    storageKey: `oauth2:${config.storageIssuer}#${options.clientId}`,
    mode: config.mode,
    metadata,

    start(ctx, input) {
      return config.mode === 'device'
        ? startDeviceAuthorization(ctx)
        : prepareAuthorizationRequest(ctx, input.redirectUri);
    },

    async exchange(ctx, input) {
      const session = asRedirectSession(input.session);
      const code = readAuthorizationResponse(session, input.callback);
      const token = await sendAccessTokenRequest(
        ctx,
        session.tokenEndpoint,
        clientFor(await metadata(ctx)),
        { code, redirectUri: session.redirectUri, codeVerifier: session.codeVerifier },
        timeoutMs,
        bind(session.dpopKey),
      );
      return acceptIdToken(ctx, token, session.issuer, session.nonce);
    },

    async pollDevice(ctx, input): Promise<DevicePollResult> {
      const session = asDeviceSession(input.session);
      if (ctx.clock.now() >= session.expiresAt) {
        throw new AuthError('ERR_EXPIRED', 'The device code expired before it was approved: start again.');
      }
      const result = await sendDeviceAccessTokenRequest(
        ctx,
        session.tokenEndpoint,
        clientFor(await metadata(ctx)),
        session.deviceCode,
        timeoutMs,
        bind(session.dpopKey),
      );
      if (result.status !== 'approved') return result;
      return { status: 'approved', token: await acceptIdToken(ctx, result.token, session.issuer, undefined) };
    },

    async refresh(ctx, input) {
      const old = input.token;
      if (!old.refreshToken)
        throw new AuthError('ERR_TOKEN_INVALID', 'There is no refresh token: a new login is needed.');
      const meta = await metadata(ctx);
      // The refresh token of a DPoP login is bound to the login's key (RFC 9449 section 5).
      const fresh = await sendRefreshRequest(
        ctx,
        meta.token_endpoint,
        clientFor(meta),
        old.refreshToken,
        timeoutMs,
        bind(old.dpopKey),
      );
      const checked = await acceptIdToken(ctx, fresh, meta.issuer, undefined, old);
      // RFC 6749 section 6: without a new refresh token the old one stays valid.
      const merged: TokenSet = { ...checked, refreshToken: fresh.refreshToken ?? old.refreshToken };
      if (fresh.refreshToken === undefined && old.refreshExpiresAt !== undefined)
        merged.refreshExpiresAt = old.refreshExpiresAt;
      for (const key of ['scope', 'idToken', 'username'] as const) {
        if (merged[key] === undefined && old[key] !== undefined) merged[key] = old[key];
      }
      return merged;
    },

    async revoke(ctx, input) {
      const meta = await metadata(ctx);
      if (!meta.revocation_endpoint) return;
      await sendRevocationRequests(ctx, meta.revocation_endpoint, clientFor(meta), input.token, timeoutMs);
    },

    keepFromStored(fresh, stored) {
      return keepRefreshToken(fresh, stored);
    },

    fetch(ctx, input) {
      return fetchResource(ctx, input.token, input.request, config.resource, timeoutMs, nonces);
    },
  };
}

/**
 * A new login that brought no refresh token keeps the stored one, when both ID tokens name the
 * same issuer and subject: Google sends a refresh token only on the first consent, and a login
 * after it must not lose what it had. Without ID tokens to compare, nothing is carried over.
 */
function keepRefreshToken(fresh: TokenSet, stored: TokenSet): TokenSet {
  if (fresh.refreshToken !== undefined || stored.refreshToken === undefined || !fresh.idToken || !stored.idToken)
    return fresh;
  let same = false;
  try {
    const a = decodeJwt(fresh.idToken).payload;
    const b = decodeJwt(stored.idToken).payload;
    same = typeof a.sub === 'string' && a.sub === b.sub && a.iss === b.iss;
  } catch {
    return fresh;
  }
  if (!same) return fresh;
  const kept: TokenSet = { ...fresh, refreshToken: stored.refreshToken };
  if (stored.refreshExpiresAt !== undefined) kept.refreshExpiresAt = stored.refreshExpiresAt;
  return kept;
}

function displayName(claims: IdTokenClaims): string {
  for (const key of ['preferred_username', 'email', 'name'] as const) {
    const value = claims[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return claims.sub;
}

interface ResolvedConfig {
  scope: string;
  oidc: boolean;
  prompt?: string;
  mode: 'redirect' | 'device';
  usePar: 'auto' | 'always' | 'never';
  timeoutMs: number;
  clockSkewMs: number;
  dpop: boolean | 'auto';
  resource?: string;
  storageIssuer: string;
  fixedMetadata?: ServerMetadata;
}

/** Validates the options once, so configuration mistakes surface before any login starts. */
function resolveOptions(options: OAuth2ProtocolOptions): ResolvedConfig {
  if (typeof options.clientId !== 'string' || options.clientId === '')
    throw new AuthError('ERR_CONFIG', 'clientId is required.');
  const scope = options.scope ?? DEFAULT_SCOPE;
  const scopes = scope.split(' ');
  const oidc = scopes.includes('openid');
  const storageIssuer = options.issuer ?? options.endpoints?.token;
  if (storageIssuer === undefined) {
    throw new AuthError('ERR_CONFIG', 'Either issuer (for discovery) or endpoints is required.');
  }
  if (options.issuer !== undefined) assertSafeUrl(options.issuer, 'issuer');
  if (oidc && options.issuer === undefined) {
    throw new AuthError('ERR_CONFIG', 'OpenID Connect (scope "openid") needs the issuer to check ID tokens.');
  }
  const config: ResolvedConfig = {
    scope,
    oidc,
    mode: options.mode ?? 'redirect',
    usePar: options.usePar ?? 'auto',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    clockSkewMs: options.clockSkewMs ?? 60_000,
    dpop: options.dpop ?? 'auto',
    storageIssuer,
  };
  const prompt =
    options.prompt === undefined ? (oidc && scopes.includes('offline_access') ? 'consent' : undefined) : options.prompt;
  if (prompt !== null && prompt !== undefined) config.prompt = prompt;
  if (options.resource !== undefined) config.resource = assertSafeUrl(options.resource, 'resource base URL').toString();
  if (options.endpoints) config.fixedMetadata = metadataFromEndpoints(options.endpoints, options.issuer);
  return config;
}

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
