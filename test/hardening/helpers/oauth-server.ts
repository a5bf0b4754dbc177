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
  return { '/par': 'par', '/authorize': 'authorize', '/device': 'device-auth', '/revoke': 'revocation', '/resource': 'resource' }[path] ?? path;
}

/** A correct authorization server, PAR included, with a resource that says 401 once when asked to. */
export function authorizationServer(options: { resource401Once: boolean; code?: string; access?: string; refresh?: string }) {
  const pushed = new Map<string, Record<string, unknown>>();
  let said401 = false;
  const json = (value: unknown, status = 200): Reply => ({ status, body: JSON.stringify(value) });
  const code = options.code ?? CODE;
  const access0 = options.access ?? ACCESS;
  const refresh0 = options.refresh ?? REFRESH;
  const tokens = (access: string, refresh?: string) => json({ access_token: access, token_type: 'Bearer', expires_in: 3600, ...(refresh ? { refresh_token: refresh } : {}) });
  return (endpoint: string, r: ServedRequest, server: FaultServer): Reply => {
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
        return r.fields.code === code && typeof r.fields.code_verifier === 'string' ? tokens(access0, refresh0) : json({ error: 'invalid_grant' }, 400);
      case 'refresh':
        return r.fields.refresh_token === refresh0 ? tokens(`${access0}-2`) : json({ error: 'invalid_grant' }, 400);
      case 'device-auth':
        return json({ device_code: DEVICE_CODE, user_code: 'WDJB-MJHT', verification_uri: `${o}/device`, expires_in: 60, interval: 0 });
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
}

