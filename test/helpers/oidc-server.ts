/**
 * A real OpenID Provider for tests: oidc-provider 9 on 127.0.0.1 (ephemeral port) with one
 * native public client, its development login/consent pages (any login name works), PKCE
 * required, revocation, introspection, the device flow, (optionally) DPoP and (optionally) PAR. Beside it, a
 * protected resource at GET /api/me that accepts only live access tokens of this provider, bound
 * ones only with a valid DPoP proof (see dpop-resource.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import './quiet-oidc-provider.js';
import Provider from 'oidc-provider';
import { answer, verifyResourceRequest, type ProofPolicy } from './dpop-resource.js';

export const CLIENT_ID = 'authmachine-native';
export const RESOURCE_PATH = '/api/me';
/** A confidential client for resource servers: it only introspects tokens (RFC 7662). */
export const RESOURCE_SERVER_CLIENT = {
  clientId: 'authmachine-resource-server',
  clientSecret: 'resource-server-test-secret',
};

export interface OidcServerOptions {
  /** Offer a PAR endpoint (default false, so the plain flow is tested unless asked). */
  par?: boolean;
  /** Announce require_pushed_authorization_requests. */
  requirePar?: boolean;
  /** Access token lifetime in seconds (default 600). */
  accessTokenTtl?: number;
  /**
   * Polling interval (seconds) announced in device authorization responses. oidc-provider sends
   * none, so clients fall back to RFC 8628's 5 s; a short one keeps flow tests fast.
   */
  deviceInterval?: number;
  /**
   * RFC 9449. oidc-provider 9 offers DPoP by default; this server offers it only when asked, so
   * the tests of bearer behaviour (refresh token rotation, which the provider skips for
   * sender-constrained tokens) stay what they say. `required` registers the native client with
   * dpop_bound_access_tokens (the token endpoint refuses requests without a proof); `nonce` makes
   * the token and PAR endpoints demand a server nonce (use_dpop_nonce); `algs` replaces the
   * proof algorithms it takes and lists (dpop_signing_alg_values_supported).
   */
  dpop?: { required?: boolean; nonce?: boolean; algs?: string[] };
  /**
   * Refresh tokens are rotated for the native (public) client either way. true (default,
   * oidc-provider's own behaviour): a spent refresh token used again is taken as theft and the
   * whole grant is revoked. false: a spent one is simply unknown (invalid_grant), the login lives on.
   */
  reuseDetection?: boolean;
  /** Serve https with this key and certificate (PEM) instead of plain http. */
  tls?: { key: string; cert: string };
  /**
   * The IPv4 address the issuer names (default 127.0.0.1): another one only inside a network
   * namespace of the test's own, where it is the "remote" server (see network-namespace.ts).
   */
  host?: string;
  /** The address listened on, when not `host` (e.g. 0.0.0.0: the issuer's host and loopback both). */
  listenHost?: string;
  /** Sees each request as it arrives, before it is answered (e.g. to record its peer address). */
  onRequest?: (req: IncomingMessage) => void;
  /** The token endpoint answers every request with this status and JSON body (an OAuth error). */
  tokenEndpointError?: { status: number; body: Record<string, string> };
}

export interface OidcServer {
  /** e.g. http://127.0.0.1:41234 */
  issuer: string;
  /** Absolute URL of the protected resource. */
  resourceUrl: string;
  /** RFC 7662 endpoint, for resource servers (RESOURCE_SERVER_CLIENT). */
  introspectionEndpoint: string;
  provider: Provider;
  /**
   * Access token lifetime for tokens issued from now on to one account: refresh tests give a
   * login a 1 s token, then a long one to the refresh, so nothing depends on how fast we are.
   */
  setAccessTokenTtl(accountId: string, seconds: number): void;
  close(): Promise<void>;
}

export async function startOidcServer(options: OidcServerOptions = {}): Promise<OidcServer> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    options.onRequest?.(req);
    handler(req, res);
  };
  const server = options.tls ? createHttpsServer(options.tls, serve) : createServer(serve);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.listenHost ?? host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `${options.tls ? 'https' : 'http'}://${host}:${port}`;
  const defaultTtl = options.accessTokenTtl ?? 600;
  const ttlByAccount = new Map<string, number>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        // RFC 8252 section 7.3: any port on this loopback redirect is accepted for native clients.
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        ...(options.dpop?.required ? { dpop_bound_access_tokens: true } : {}),
      },
      {
        client_id: RESOURCE_SERVER_CLIENT.clientId,
        client_secret: RESOURCE_SERVER_CLIENT.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
    ],
    async findAccount(_ctx: unknown, id: string) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, preferred_username: id };
        },
      };
    },
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      deviceFlow: { enabled: true },
      dPoP: {
        enabled: options.dpop !== undefined,
        ...(options.dpop?.nonce ? { nonceSecret: randomBytes(32), requireNonce: () => true } : {}),
      },
      pushedAuthorizationRequests: {
        enabled: options.par === true || options.requirePar === true,
        requirePushedAuthorizationRequests: options.requirePar === true,
      },
    },
    pkce: { required: () => true },
    ttl: {
      AccessToken: (_ctx: unknown, token: { accountId?: string }) =>
        ttlByAccount.get(token.accountId ?? '') ?? defaultTtl,
      AuthorizationCode: 60,
      DeviceCode: 600,
      IdToken: 600,
      RefreshToken: 3600,
      Grant: 3600,
      Interaction: 600,
      Session: 3600,
    },
    ...(options.dpop?.algs ? { enabledJWA: { dPoPSigningAlgValues: options.dpop.algs } } : {}),
    // Fixed development cookie keys: this provider lives for one test file.
    cookies: { keys: ['authmachine-test-cookie-key'] },
  });

  if (options.reuseDetection === false) {
    // Forget a rotated refresh token instead of marking it consumed: its reuse then finds nothing.
    const refreshTokens = (provider as unknown as { RefreshToken: { prototype: { consume(): Promise<void> } } })
      .RefreshToken;
    refreshTokens.prototype.consume = async function consume(this: { destroy(): Promise<void> }) {
      await this.destroy();
    };
  }

  const tokenError = options.tokenEndpointError;
  if (tokenError !== undefined) {
    provider.use(async (ctx, next) => {
      if (ctx.method !== 'POST' || ctx.path !== '/token') return next();
      ctx.status = tokenError.status;
      ctx.body = tokenError.body;
    });
  }

  const deviceInterval = options.deviceInterval;
  if (deviceInterval !== undefined) {
    provider.use(async (ctx, next) => {
      await next();
      if (
        ctx.method === 'POST' &&
        ctx.path === '/device/auth' &&
        ctx.status === 200 &&
        typeof ctx.body === 'object' &&
        ctx.body !== null
      ) {
        ctx.body = { ...ctx.body, interval: deviceInterval };
      }
    });
  }

  const providerCallback = provider.callback();
  const policy: ProofPolicy = { nonce: () => null, seenJtis: new Set(), iatWindowSeconds: 60 };
  handler = (req, res) => {
    if (req.url?.split('?')[0] === RESOURCE_PATH) {
      serveResource(provider, issuer, policy, req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    providerCallback(req, res);
  };

  return {
    issuer,
    resourceUrl: `${issuer}${RESOURCE_PATH}`,
    introspectionEndpoint: `${issuer}/token/introspection`,
    provider,
    setAccessTokenTtl: (accountId, seconds) => ttlByAccount.set(accountId, seconds),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * RFC 6750 and RFC 9449: 401 with WWW-Authenticate for a missing, unknown, expired or revoked
 * token, and for a bound token without its valid proof.
 */
async function serveResource(
  provider: Provider,
  issuer: string,
  policy: ProofPolicy,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let scope: string | null = null;
  const lookup = async (value: string) => {
    const token = await provider.AccessToken.find(value);
    if (!token || token.isExpired) return { active: false };
    scope = token.scope ?? null;
    return { active: true, sub: token.accountId, ...(token.jkt ? { jkt: token.jkt } : {}) };
  };
  const verdict = await verifyResourceRequest(
    {
      method: req.method ?? 'GET',
      url: `${issuer}${req.url ?? '/'}`,
      authorization: req.headers.authorization,
      dpop: req.headers['dpop'],
    },
    lookup,
    policy,
  );
  if (verdict.status !== 200) return answer(res, verdict, null);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ sub: verdict.sub, scope }));
}
