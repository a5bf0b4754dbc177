/**
 * The common part of the imitation providers: a node:http server on 127.0.0.1 port 0 with an
 * approval page, authorization codes with PKCE, the device grant with its pages, tokens, refresh,
 * revocation, signed ID tokens and a "who am I" API. Each provider file (github.ts, google.ts,
 * microsoft.ts, gitlab.ts) fills in a Dialect with the facts of that provider's documentation:
 * paths, formats, status codes, which secret it asks for, how it issues refresh tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export interface User {
  id: string;
  login: string;
  name: string;
  email: string;
  /** Microsoft: the user's home tenant. */
  tid?: string;
}

/** How one provider behaves. Every member is a fact from that provider's documentation. */
export interface Dialect {
  name: string;
  clientId: string;
  /** The installed-app secret, when the provider issues one. */
  clientSecret?: string;
  /** Grants that must carry the secret. */
  secretFor: Array<'authorization_code' | 'refresh_token' | 'device_code'>;
  /** Which client authentication the token endpoint takes. */
  authMethods: Array<'basic' | 'post'>;
  paths: {
    authorize: string;
    token: string;
    device?: string;
    devicePage?: string;
    revoke?: string;
    /** The "who am I" API the CLI's `call` is tested against. */
    me: string;
    jwks?: string;
    discovery?: string;
  };
  discovery?(origin: string): Record<string, unknown>;
  /** GitHub: errors come with HTTP 200. Else the status given per error. */
  errorStatus(error: string): number;
  /** GitHub: form-encoded unless the client sends Accept: application/json. */
  formUnlessJson: boolean;
  pkceRequired: boolean;
  /** The member that names the device page (Google: verification_url). */
  deviceUriMember: 'verification_uri' | 'verification_url';
  /** The ID token `iss` for a user; undefined: no ID tokens (GitHub). */
  idTokenIssuer?(origin: string, user: User): string;
  /** When a token response carries a refresh token. */
  issuesRefreshToken(grant: Grant): boolean;
  /** Refresh tokens rotate on use (the old one dies). */
  rotatesRefreshTokens: boolean;
  /** Access token lifetime in seconds; undefined: it does not expire (GitHub without expiring tokens). */
  accessTtl?: number;
  /** GitHub's expiring user tokens: the refresh token's own lifetime. */
  refreshTtl?: number;
  /** Extra members of every token response (GitLab's created_at). */
  tokenExtras?(): Record<string, unknown>;
  /** Token type as the provider spells it. */
  tokenType: string;
}

/** What an authorization (code or device) carried, for issuesRefreshToken. */
export interface Grant {
  kind: 'code' | 'device' | 'refresh';
  scope: string;
  params: Record<string, string>;
  /** True when this user had approved this client before. */
  consentedBefore: boolean;
}

interface CodeEntry {
  user: User;
  clientId: string;
  redirectUri: string;
  challenge?: string;
  scope: string;
  nonce?: string;
  grant: Grant;
}

interface DeviceEntry {
  userCode: string;
  scope: string;
  expiresAt: number;
  lastPoll: number;
  interval: number;
  approved: User | null;
  denied: boolean;
  used: boolean;
}

export interface ImitationOptions {
  /** Seconds between device polls the server asks for. */
  deviceInterval?: number;
  deviceExpiresIn?: number;
}

export interface Imitation {
  origin: string;
  dialect: Dialect;
  user: User;
  /** Every request seen: method, path, form fields, selected headers. */
  requests: Array<{
    method: string;
    path: string;
    form: Record<string, string>;
    accept: string;
    authorization: boolean;
  }>;
  /** Makes every access token issued so far fail at the API (401), as after expiry. */
  expireAccessTokens(): void;
  /** True when `token` is still accepted by the API. */
  accepts(token: string): boolean;
  close(): Promise<void>;
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const sha256 = (value: string) => b64url(createHash('sha256').update(value).digest());
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

function basicCredentials(req: IncomingMessage): [string, string] | null {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return null;
  const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  if (id === undefined || secret === undefined) return null;
  const decode = (v: string) => new URLSearchParams(`v=${v}`).get('v') ?? '';
  return [decode(id), decode(secret)];
}

export async function startImitation(dialect: Dialect, user: User, options: ImitationOptions = {}): Promise<Imitation> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: `${dialect.name}-key-1`, alg: 'RS256', use: 'sig' };
  const pendingAuthorizations = new Map<string, Record<string, string>>();
  const codes = new Map<string, CodeEntry>();
  const devices = new Map<string, DeviceEntry>();
  const accessTokens = new Map<string, { user: User; expiresAt: number | null; alive: boolean }>();
  const refreshTokens = new Map<
    string,
    { user: User; scope: string; alive: boolean; expiresAt: number | null; nonce?: string }
  >();
  const consents = new Set<string>();
  const requests: Imitation['requests'] = [];
  const sockets = new Set<Socket>();
  let origin = '';
  const interval = options.deviceInterval ?? 5;

  const token = (prefix: string) => `${prefix}${b64url(randomBytes(24))}`;

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'cache-control': 'no-store', ...headers });
    res.end(body);
  }
  function sendJson(res: ServerResponse, status: number, value: unknown) {
    send(res, status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8' });
  }
  /** A token endpoint answer in the format the client asked for (GitHub) or JSON. */
  function sendTokenAnswer(req: IncomingMessage, res: ServerResponse, status: number, value: Record<string, unknown>) {
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    if (dialect.formUnlessJson && !wantsJson) {
      const form = new URLSearchParams(Object.entries(value).map(([k, v]) => [k, String(v)]));
      return send(res, status, form.toString(), { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    }
    sendJson(res, status, value);
  }
  function oauthError(req: IncomingMessage, res: ServerResponse, error: string, extra: Record<string, unknown> = {}) {
    sendTokenAnswer(req, res, dialect.errorStatus(error), {
      error,
      error_description: `imitation ${dialect.name}: ${error}`,
      ...extra,
    });
  }

  /** Client authentication as the dialect takes it; false after answering invalid_client. */
  function clientOk(req: IncomingMessage, res: ServerResponse, form: Record<string, string>, grant: string): boolean {
    const basic = basicCredentials(req);
    const id = basic?.[0] ?? form.client_id;
    const secret = basic?.[1] ?? form.client_secret;
    if (basic && !dialect.authMethods.includes('basic')) return (oauthError(req, res, 'invalid_client'), false);
    if (form.client_secret !== undefined && !dialect.authMethods.includes('post'))
      return (oauthError(req, res, 'invalid_client'), false);
    if (id !== dialect.clientId)
      return (
        oauthError(req, res, dialect.name === 'github' ? 'incorrect_client_credentials' : 'invalid_client'), false
      );
    const needsSecret = dialect.secretFor.includes(grant as 'authorization_code');
    if (needsSecret && secret !== dialect.clientSecret) {
      return (
        oauthError(req, res, dialect.name === 'github' ? 'incorrect_client_credentials' : 'invalid_client'), false
      );
    }
    return true;
  }

  async function idToken(u: User, nonce: string | undefined): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      sub: u.id,
      name: u.name,
      email: u.email,
      preferred_username: u.login,
      ...(nonce ? { nonce } : {}),
    };
    if (u.tid) claims.tid = u.tid;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid! })
      .setIssuer(dialect.idTokenIssuer!(origin, u))
      .setAudience(dialect.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
  }

  async function issueTokens(
    req: IncomingMessage,
    res: ServerResponse,
    u: User,
    scope: string,
    grant: Grant,
    nonce?: string,
  ) {
    const access = token(`${dialect.name}-at-`);
    const now = Date.now();
    accessTokens.set(access, {
      user: u,
      expiresAt: dialect.accessTtl === undefined ? null : now + dialect.accessTtl * 1000,
      alive: true,
    });
    const answer: Record<string, unknown> = { access_token: access, token_type: dialect.tokenType, scope };
    if (dialect.accessTtl !== undefined) answer.expires_in = dialect.accessTtl;
    if (dialect.issuesRefreshToken(grant)) {
      const refresh = token(`${dialect.name}-rt-`);
      refreshTokens.set(refresh, {
        user: u,
        scope,
        alive: true,
        expiresAt: dialect.refreshTtl === undefined ? null : now + dialect.refreshTtl * 1000,
        ...(nonce ? { nonce } : {}),
      });
      answer.refresh_token = refresh;
      if (dialect.refreshTtl !== undefined) answer.refresh_token_expires_in = dialect.refreshTtl;
    }
    if (dialect.idTokenIssuer && scope.split(' ').includes('openid'))
      answer.id_token = await idToken(u, grant.kind === 'refresh' ? undefined : nonce);
    Object.assign(answer, dialect.tokenExtras?.() ?? {});
    sendTokenAnswer(req, res, 200, answer);
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse, form: Record<string, string>) {
    const grantType = form.grant_type ?? (dialect.name === 'github' && form.code ? 'authorization_code' : '');
    if (grantType === 'authorization_code') {
      if (!clientOk(req, res, form, grantType)) return;
      const entry = codes.get(form.code ?? '');
      codes.delete(form.code ?? '');
      const badCode = dialect.name === 'github' ? 'bad_verification_code' : 'invalid_grant';
      if (!entry || entry.redirectUri !== form.redirect_uri) return oauthError(req, res, badCode);
      if (entry.challenge !== undefined && sha256(form.code_verifier ?? '') !== entry.challenge)
        return oauthError(req, res, badCode);
      return issueTokens(req, res, entry.user, entry.scope, entry.grant, entry.nonce);
    }
    if (grantType === 'refresh_token') {
      if (!clientOk(req, res, form, grantType)) return;
      const entry = refreshTokens.get(form.refresh_token ?? '');
      if (!entry?.alive || (entry.expiresAt !== null && entry.expiresAt <= Date.now()))
        return oauthError(req, res, dialect.name === 'github' ? 'bad_refresh_token' : 'invalid_grant');
      const grant: Grant = { kind: 'refresh', scope: entry.scope, params: {}, consentedBefore: true };
      if (dialect.rotatesRefreshTokens) {
        entry.alive = false;
        return issueTokens(req, res, entry.user, entry.scope, grant);
      }
      // A refresh that keeps the refresh token: answer without one (RFC 6749 section 6).
      const access = token(`${dialect.name}-at-`);
      accessTokens.set(access, {
        user: entry.user,
        expiresAt: dialect.accessTtl === undefined ? null : Date.now() + dialect.accessTtl * 1000,
        alive: true,
      });
      const answer: Record<string, unknown> = {
        access_token: access,
        token_type: dialect.tokenType,
        scope: entry.scope,
      };
      if (dialect.accessTtl !== undefined) answer.expires_in = dialect.accessTtl;
      if (dialect.idTokenIssuer && entry.scope.split(' ').includes('openid'))
        answer.id_token = await idToken(entry.user, undefined);
      return sendTokenAnswer(req, res, 200, answer);
    }
    if (grantType === 'urn:ietf:params:oauth:grant-type:device_code') {
      if (!clientOk(req, res, form, 'device_code')) return;
      const entry = devices.get(form.device_code ?? '');
      if (!entry) return oauthError(req, res, dialect.name === 'github' ? 'incorrect_device_code' : 'invalid_grant');
      if (entry.used || entry.expiresAt <= Date.now()) return oauthError(req, res, 'expired_token');
      const now = Date.now();
      const tooSoon = now - entry.lastPoll < entry.interval * 1000;
      entry.lastPoll = now;
      if (tooSoon) {
        // RFC 8628 section 3.5: 5 s more from now on; GitHub says the new interval.
        entry.interval += 5;
        return oauthError(req, res, 'slow_down', dialect.name === 'github' ? { interval: entry.interval } : {});
      }
      if (entry.denied) return oauthError(req, res, 'access_denied');
      if (!entry.approved) return oauthError(req, res, 'authorization_pending');
      entry.used = true;
      const grant: Grant = {
        kind: 'device',
        scope: entry.scope,
        params: {},
        consentedBefore: consents.has(entry.approved.id),
      };
      consents.add(entry.approved.id);
      return issueTokens(req, res, entry.approved, entry.scope, grant);
    }
    oauthError(req, res, 'unsupported_grant_type');
  }

  function authorize(res: ServerResponse, url: URL) {
    const p = Object.fromEntries(url.searchParams);
    if (p.client_id !== dialect.clientId)
      return send(res, 400, page('Unknown application', '<p>The client_id is not registered.</p>'), {
        'content-type': 'text/html',
      });
    const redirect = p.redirect_uri ? new URL(p.redirect_uri) : null;
    if (redirect?.protocol !== 'http:' || redirect.hostname !== '127.0.0.1') {
      return send(res, 400, page('Bad redirect', '<p>The redirect_uri is not a loopback URI.</p>'), {
        'content-type': 'text/html',
      });
    }
    const back = (params: Record<string, string>) => {
      for (const [k, v] of Object.entries(params)) redirect.searchParams.set(k, v);
      send(res, 302, '', { location: redirect.toString() });
    };
    if (p.response_type !== 'code')
      return back({ error: 'unsupported_response_type', ...(p.state ? { state: p.state } : {}) });
    if (p.code_challenge !== undefined && p.code_challenge_method !== 'S256')
      return back({ error: 'invalid_request', ...(p.state ? { state: p.state } : {}) });
    if (dialect.pkceRequired && p.code_challenge === undefined)
      return back({ error: 'invalid_request', ...(p.state ? { state: p.state } : {}) });
    const id = b64url(randomBytes(12));
    pendingAuthorizations.set(id, p);
    const form = `<form method="post" action="/imitation/decide"><input type="hidden" name="request" value="${id}">
      <p>${escapeHtml(dialect.name)} imitation: allow this application to act for ${escapeHtml(user.login)} (scope ${escapeHtml(p.scope ?? '')})?</p>
      <button id="approve" type="submit" name="decision" value="allow">Authorize</button>
      <button id="deny" type="submit" name="decision" value="deny">Cancel</button></form>`;
    send(res, 200, page('Authorize application', form), { 'content-type': 'text/html; charset=utf-8' });
  }

  function decide(res: ServerResponse, form: Record<string, string>) {
    const p = pendingAuthorizations.get(form.request ?? '');
    pendingAuthorizations.delete(form.request ?? '');
    if (!p) return send(res, 400, page('Expired', '<p>This request is unknown.</p>'), { 'content-type': 'text/html' });
    const redirect = new URL(p.redirect_uri!);
    const state: Record<string, string> = p.state ? { state: p.state } : {};
    if (form.decision !== 'allow') {
      redirect.search = new URLSearchParams({ error: 'access_denied', ...state }).toString();
      return send(res, 302, '', { location: redirect.toString() });
    }
    const code = token(`${dialect.name}-code-`);
    const grant: Grant = { kind: 'code', scope: p.scope ?? '', params: p, consentedBefore: consents.has(user.id) };
    consents.add(user.id);
    codes.set(code, {
      user,
      clientId: p.client_id!,
      redirectUri: p.redirect_uri!,
      scope: p.scope ?? '',
      grant,
      ...(p.code_challenge ? { challenge: p.code_challenge } : {}),
      ...(p.nonce ? { nonce: p.nonce } : {}),
    });
    redirect.search = new URLSearchParams({ code, ...state }).toString();
    send(res, 302, '', { location: redirect.toString() });
  }

  function deviceStart(req: IncomingMessage, res: ServerResponse, form: Record<string, string>) {
    const basic = basicCredentials(req);
    if ((basic?.[0] ?? form.client_id) !== dialect.clientId) return oauthError(req, res, 'invalid_client');
    const deviceCode = token(`${dialect.name}-dc-`);
    const userCode = `${randomBytes(2).toString('hex').toUpperCase()}-${randomBytes(2).toString('hex').toUpperCase()}`;
    const expiresIn = options.deviceExpiresIn ?? 900;
    devices.set(deviceCode, {
      userCode,
      scope: form.scope ?? '',
      expiresAt: Date.now() + expiresIn * 1000,
      lastPoll: 0,
      interval,
      approved: null,
      denied: false,
      used: false,
    });
    sendTokenAnswer(req, res, 200, {
      device_code: deviceCode,
      user_code: userCode,
      [dialect.deviceUriMember]: `${origin}${dialect.paths.devicePage}`,
      expires_in: expiresIn,
      interval,
    });
  }

  function devicePage(res: ServerResponse) {
    const form = `<form method="post" action="/imitation/device"><label>Code <input name="user_code" autocomplete="off"></label>
      <button id="continue" type="submit" name="decision" value="allow">Continue</button>
      <button id="deny" type="submit" name="decision" value="deny">Cancel</button></form>`;
    send(res, 200, page('Device activation', form), { 'content-type': 'text/html; charset=utf-8' });
  }

  function deviceDecide(res: ServerResponse, form: Record<string, string>) {
    const entry = [...devices.values()].find((d) => d.userCode === (form.user_code ?? '').trim().toUpperCase());
    if (!entry)
      return send(res, 400, page('Unknown code', '<p>That code is not valid.</p>'), { 'content-type': 'text/html' });
    if (form.decision === 'allow') entry.approved = user;
    else entry.denied = true;
    send(res, 200, page(form.decision === 'allow' ? 'Device connected' : 'Device denied', ''), {
      'content-type': 'text/html',
    });
  }

  function revoke(_req: IncomingMessage, res: ServerResponse, form: Record<string, string>) {
    const t = form.token ?? '';
    const refresh = refreshTokens.get(t);
    if (refresh) {
      refresh.alive = false;
      // Revoking the refresh token ends the grant: its access tokens too.
      for (const entry of accessTokens.values()) if (entry.user.id === refresh.user.id) entry.alive = false;
    }
    const access = accessTokens.get(t);
    if (access) access.alive = false;
    sendJson(res, 200, {});
  }

  function me(req: IncomingMessage, res: ServerResponse) {
    const header = req.headers.authorization ?? '';
    const match = /^(?:Bearer|token) (.+)$/i.exec(header);
    const entry = match ? accessTokens.get(match[1]!) : undefined;
    if (!entry?.alive || (entry.expiresAt !== null && entry.expiresAt <= Date.now())) {
      return send(res, 401, JSON.stringify({ message: 'Bad credentials' }), {
        'content-type': 'application/json',
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    sendJson(res, 200, { id: entry.user.id, login: entry.user.login, name: entry.user.name, email: entry.user.email });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const form = req.method === 'POST' ? await readForm(req) : {};
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      form,
      accept: req.headers.accept ?? '',
      authorization: req.headers.authorization !== undefined,
    });
    const paths = dialect.paths;
    if (req.method === 'GET' && paths.discovery && url.pathname === paths.discovery && dialect.discovery)
      return sendJson(res, 200, dialect.discovery(origin));
    if (req.method === 'GET' && paths.jwks && url.pathname === paths.jwks) return sendJson(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && url.pathname === paths.authorize) return authorize(res, url);
    if (req.method === 'POST' && url.pathname === '/imitation/decide') return decide(res, form);
    if (req.method === 'POST' && url.pathname === paths.token) return tokenEndpoint(req, res, form);
    if (req.method === 'POST' && paths.device && url.pathname === paths.device) return deviceStart(req, res, form);
    if (req.method === 'GET' && paths.devicePage && url.pathname === paths.devicePage) return devicePage(res);
    if (req.method === 'POST' && url.pathname === '/imitation/device') return deviceDecide(res, form);
    if (req.method === 'POST' && paths.revoke && url.pathname === paths.revoke) return revoke(req, res, form);
    if (req.method === 'GET' && url.pathname === paths.me) return me(req, res);
    send(res, 404, JSON.stringify({ message: 'Not Found' }), { 'content-type': 'application/json' });
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    dialect,
    user,
    requests,
    expireAccessTokens() {
      for (const entry of accessTokens.values()) entry.alive = false;
    },
    accepts(t) {
      const entry = accessTokens.get(t);
      return entry?.alive === true && (entry.expiresAt === null || entry.expiresAt > Date.now());
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
