/**
 * The OAuth 2.0 protocol's methods (RFC 8252 for native apps): the authorization request or the
 * device authorization request, the access token request, device polling, refresh, revocation
 * and protected-resource calls. Options live in options.ts; ID token checks in
 * id-token-acceptance.ts; the authorization response in authorization-response.ts.
 */
import { AuthError } from '../../adapters/errors.js';
import type { AuthProtocol, DevicePollResult, ProtocolContext, StartResult, TokenSet } from '../protocol.js';
import { authorizationRequestParams, buildUrl } from './authorize-url.js';
import { readAuthorizationResponse } from './authorization-response.js';
import { clientCredentialsFor } from './client-credentials.js';
import { sendDeviceAccessTokenRequest, sendDeviceAuthorizationRequest } from './device.js';
import { discover, type ServerMetadata } from './discovery.js';
import { dpopKeyForLogin, dpopThumbprint, type DPoPKey } from './dpop.js';
import { DPoPNonceCache, type DPoPBinding } from './dpop-request.js';
import { createIdTokenAcceptance, keepRefreshToken } from './id-token-acceptance.js';
import { resolveOptions, type OAuth2ProtocolOptions } from './options.js';
import { pushAuthorizationRequest } from './par.js';
import { createPkce } from './pkce.js';
import { fetchResource, type ResourceRequest, type ResourceResponse } from './resource.js';
import { sendRevocationRequests } from './revoke.js';
import { asDeviceSession, asRedirectSession, type OAuth2DeviceSession, type OAuth2RedirectSession } from './session.js';
import { randomValue } from './state.js';
import { sendAccessTokenRequest, sendRefreshRequest } from './token-endpoint.js';

export type { OAuth2Endpoints, OAuth2ProtocolOptions, ProviderHabits } from './options.js';

/** The OAuth 2.0 protocol object, with every optional AuthProtocol method present. */
export type OAuth2Protocol = Required<AuthProtocol<ResourceRequest, ResourceResponse>> & {
  /** The validated server metadata (discovered once per protocol instance, then cached). */
  metadata(ctx: ProtocolContext): Promise<ServerMetadata>;
};

/**
 * OAuth 2.0 / OpenID Connect for native apps as a protocol for {@link createAuthFlow}: discovery
 * (RFC 8414 / OIDC Discovery), PKCE S256 (RFC 7636), `state` and `nonce`, PAR where offered
 * (RFC 9126), the `iss` check (RFC 9207), ID token claims and signature, refresh (RFC 6749
 * section 6), revocation (RFC 7009), the device grant (RFC 8628) and DPoP (RFC 9449).
 *
 * Its steps reject with AuthError: ERR_CONFIG (options or server metadata unusable),
 * ERR_INSECURE_URL, ERR_STATE_MISMATCH, ERR_ISSUER_MISMATCH, ERR_DECLINED, ERR_CODE_INVALID,
 * ERR_INVALID_CLIENT, ERR_INVALID_REQUEST, ERR_EXPIRED (device code), ERR_BAD_RESPONSE,
 * ERR_PROTOCOL, ERR_TOKEN_INVALID, ERR_NETWORK, ERR_TIMEOUT, ERR_SERVER, ERR_RATE_LIMITED.
 *
 * @throws AuthError ERR_CONFIG (no clientId, neither issuer nor endpoints, "openid" without an
 *   issuer) or ERR_INSECURE_URL (an issuer, endpoint or resource URL on plain http off loopback),
 *   at once.
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
  // Per origin: the authorization server's and each resource server's last DPoP-Nonce.
  const nonces = new DPoPNonceCache();
  const bind = (key: DPoPKey | undefined): DPoPBinding | undefined => (key ? { key, nonces } : undefined);
  const clientFor = (meta: ServerMetadata) => clientCredentialsFor(options, meta, config.fixedMetadata !== undefined);
  const newDpopKey = (meta: ServerMetadata) => dpopKeyForLogin(config.dpop, meta.dpop_signing_alg_values_supported);

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

  const acceptIdToken = createIdTokenAcceptance({
    clientId: options.clientId,
    clockSkewMs: config.clockSkewMs,
    timeoutMs,
    habits,
    metadata,
  });

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

  return {
    name: 'oauth2',
    storageKey: config.storageKey,
    mode: config.mode,
    metadata,

    start(ctx, input) {
      return config.mode === 'device'
        ? startDeviceAuthorization(ctx)
        : prepareAuthorizationRequest(ctx, input.redirectUri);
    },

    async exchange(ctx, input) {
      const session = asRedirectSession(input.session);
      const code = readAuthorizationResponse(session, input.callback, habits.tenantAliases);
      const token = await sendAccessTokenRequest(
        ctx,
        session.tokenEndpoint,
        clientFor(await metadata(ctx)),
        { code, redirectUri: session.redirectUri, codeVerifier: session.codeVerifier },
        timeoutMs,
        bind(session.dpopKey),
      );
      return acceptIdToken(ctx, token, { issuer: session.issuer, nonce: session.nonce });
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
      return {
        status: 'approved',
        token: await acceptIdToken(ctx, result.token, { issuer: session.issuer, nonce: undefined }),
      };
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
      const checked = await acceptIdToken(ctx, fresh, { issuer: meta.issuer, nonce: undefined, previous: old });
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
