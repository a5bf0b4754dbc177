/** An imitation OAuth 2.0 authorization server for the fault-server (PAR, device grant, revocation, a resource). */
import type { FaultServer, Reply, ServedRequest } from './fault-server.js';

export const CODE = 'code-fault-matrix-authorization-code';
export const ACCESS = 'at-fault-matrix-oauth-access';
export const REFRESH = 'rt-fault-matrix-oauth-refresh';
export const DEVICE_CODE = 'dc-fault-matrix-device-code';

export function classify(r: ServedRequest): string {
  const path = r.url.pathname;
  if (path.startsWith('/.well-known/')) return 'discovery';
  if (path === '/token') {
    const grant = String(r.fields.grant_type);
    return grant === 'authorization_code' ? 'token' : grant === 'refresh_token' ? 'refresh' : 'device-poll';
  }
  return (
    {
      '/par': 'par',
      '/authorize': 'authorize',
      '/device': 'device-auth',
      '/revoke': 'revocation',
      '/resource': 'resource',
    }[path] ?? path
  );
}

/** The endpoints where a DPoP client sends proofs (RFC 9449 sections 5, 7 and 10.1). */
export const DPOP_ENDPOINTS = ['par', 'token', 'refresh', 'device-poll', 'resource'] as const;

/**
 * DPoP (RFC 9449) on the imitation: metadata lists ES256, tokens are of type DPoP, and the
 * endpoint `challenge` demands a server nonce (use_dpop_nonce, sections 8 and 9): satisfied by
 * the nonce it gave ('once'), or never, because each answer brings a new one ('always').
 */
export interface DpopImitation {
  challenge?: { endpoint: string; mode: 'once' | 'always' };
}

/** The `nonce` claim of the request's DPoP proof (the signature is the real servers' business). */
function proofNonce(r: ServedRequest): unknown {
  const proof = r.headers['dpop'];
  if (typeof proof !== 'string') return undefined;
  try {
    return (JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString('utf8')) as { nonce?: unknown })
      .nonce;
  } catch {
    return undefined;
  }
}

/** A correct authorization server, PAR included, with a resource that says 401 once when asked to. */
export function authorizationServer(options: {
  resource401Once: boolean;
  code?: string;
  access?: string;
  refresh?: string;
  dpop?: DpopImitation;
}) {
  const pushed = new Map<string, Record<string, unknown>>();
  let said401 = false;
  let nonces = 0;
  const json = (value: unknown, status = 200): Reply => ({ status, body: JSON.stringify(value) });
  const code = options.code ?? CODE;
  const access0 = options.access ?? ACCESS;
  const refresh0 = options.refresh ?? REFRESH;
  const tokenType = options.dpop ? 'DPoP' : 'Bearer';
  const tokens = (access: string, refresh?: string) =>
    json({
      access_token: access,
      token_type: tokenType,
      expires_in: 3600,
      ...(refresh ? { refresh_token: refresh } : {}),
    });
  const challenge = options.dpop?.challenge;
  const serve = (endpoint: string, r: ServedRequest, server: FaultServer): Reply => {
    if (challenge?.endpoint === endpoint && (challenge.mode === 'always' || proofNonce(r) !== `nonce-${nonces}`)) {
      const nonce = `nonce-${++nonces}`;
      return endpoint === 'resource'
        ? { status: 401, headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': nonce }, body: '' }
        : { status: 400, headers: { 'DPoP-Nonce': nonce }, body: JSON.stringify({ error: 'use_dpop_nonce' }) };
    }
    return answer(endpoint, r, server);
  };
  const answer = (endpoint: string, r: ServedRequest, server: FaultServer): Reply => {
    const o = server.origin;
    switch (endpoint) {
      case 'discovery':
        return json({
          issuer: o,
          authorization_endpoint: `${o}/authorize`,
          token_endpoint: `${o}/token`,
          pushed_authorization_request_endpoint: `${o}/par`,
          device_authorization_endpoint: `${o}/device`,
          revocation_endpoint: `${o}/revoke`,
          code_challenge_methods_supported: ['S256'],
          ...(options.dpop ? { dpop_signing_alg_values_supported: ['ES256'] } : {}),
        });
      case 'par': {
        const uri = `urn:ietf:params:oauth:request_uri:${pushed.size + 1}`;
        pushed.set(uri, r.fields);
        return json({ request_uri: uri, expires_in: 60 }, 201);
      }
      case 'authorize': {
        const params = pushed.get(r.url.searchParams.get('request_uri') ?? '');
        if (!params) return json({ error: 'invalid_request' }, 400);
        const back = new URL(String(params.redirect_uri));
        back.search = new URLSearchParams({ code, state: String(params.state), iss: o }).toString();
        return { status: 302, headers: { Location: back.toString() }, body: '' };
      }
      case 'token':
        return r.fields.code === code && typeof r.fields.code_verifier === 'string'
          ? tokens(access0, refresh0)
          : json({ error: 'invalid_grant' }, 400);
      case 'refresh':
        return r.fields.refresh_token === refresh0 ? tokens(`${access0}-2`) : json({ error: 'invalid_grant' }, 400);
      case 'device-auth':
        return json({
          device_code: DEVICE_CODE,
          user_code: 'WDJB-MJHT',
          verification_uri: `${o}/device`,
          expires_in: 60,
          interval: 0,
        });
      case 'device-poll':
        return r.fields.device_code === DEVICE_CODE ? tokens(access0, refresh0) : json({ error: 'invalid_grant' }, 400);
      case 'revocation':
        return { status: 200, body: '' };
      case 'resource':
        if (options.resource401Once && !said401) {
          said401 = true;
          return { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' }, body: '' };
        }
        return json({ ok: true });
      default:
        return json({ error: 'not_found' }, 404);
    }
  };
  return serve;
}
