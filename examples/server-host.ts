/**
 * An example host for authmachine/server: "connect your account" on node:http. Run two of these
 * on two ports against one Redis; a login begun on one completes on the other.
 *
 *   PROVIDER=pocket POCKET_BASE_URL=... POCKET_CONSUMER_KEY_FILE=... REDIS_URL=redis://127.0.0.1:6379 \
 *   REDIRECT_URI=http://127.0.0.1:8080/callback PORT=8081 npx tsx examples/server-host.ts
 *
 * Routes (the user comes from `?user=`; a real host takes it from its own session):
 *   GET  /login?user=ID     302 to the provider (with Accept: application/json, {authorizationUrl, state})
 *   GET  /callback?...      finishes the login the callback belongs to, on whichever instance
 *   GET  /me?user=ID        calls the provider with the user's token (refreshed single-flight)
 *   POST /logout?user=ID    forgets (and revokes where it can) the user's login
 * Errors answer {error: CODE, message} with a 4xx/5xx status. Prints {"listening": port} when ready.
 *
 * A published host imports from 'authmachine/server', 'authmachine/pocket', 'authmachine/oauth2'
 * and 'authmachine/adapters'; this file imports the sources so it runs from a checkout.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest } from '../adapters/contracts.js';
import { AxiosHttpClient } from '../adapters/http-axios.js';
import { AuthError, toAuthError, type AuthErrorCode } from '../adapters/errors.js';
import { createOAuth2Protocol } from '../src/oauth2/index.js';
import { createPocketProtocol } from '../src/pocket/protocol.js';
import type { AuthProtocol } from '../src/protocol.js';
import {
  createLoginService,
  createRedisClient,
  RedisFlowStore,
  RedisLock,
  RedisTokenStore,
  type UserToken,
} from '../src/server/index.js';

const env = process.env;
const port = Number(env.PORT ?? 0);
const redis = await createRedisClient({
  url: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  commandTimeoutMs: Number(env.REDIS_TIMEOUT_MS ?? 2_000),
});
const http = new AxiosHttpClient();

const server = createServer((request, response) => {
  route(request, response).catch((error: unknown) => sendError(response, toAuthError(error)));
});
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const listeningPort = (server.address() as AddressInfo).port;

const protocol: AuthProtocol<unknown, unknown> =
  env.PROVIDER === 'oauth'
    ? createOAuth2Protocol({
        issuer: required('OAUTH_ISSUER'),
        clientId: required('OAUTH_CLIENT_ID'),
        scope: env.OAUTH_SCOPE ?? 'openid offline_access',
      })
    : createPocketProtocol({ consumerKey: consumerKey(), baseUrl: required('POCKET_BASE_URL') });

const logins = createLoginService({
  protocol,
  http,
  // Every instance gives the provider the same redirect URI: the load balancer's in production.
  redirectUri: env.REDIRECT_URI ?? `http://127.0.0.1:${listeningPort}/callback`,
  flows: new RedisFlowStore(redis),
  tokens: new RedisTokenStore(redis),
  lock: new RedisLock(redis),
  config: env.USER_TIMEOUT_MS ? { userTimeoutMs: Number(env.USER_TIMEOUT_MS) } : {},
  ...(env.REFRESH_SKEW_MS ? { refreshSkewMs: Number(env.REFRESH_SKEW_MS) } : {}),
});

async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const user = url.searchParams.get('user') ?? '';
  const wantsJson = (request.headers.accept ?? '').includes('application/json');
  if (request.method === 'GET' && url.pathname === '/login') {
    const begun = await logins.begin(user);
    if (wantsJson) return sendJson(response, 200, { authorizationUrl: begun.authorizationUrl, state: begun.state });
    response.writeHead(302, { Location: begun.authorizationUrl, 'Cache-Control': 'no-store' }).end();
    return;
  }
  if (request.method === 'GET' && url.pathname === '/callback') {
    const done = await logins.complete(Object.fromEntries(url.searchParams));
    if (wantsJson)
      return sendJson(response, 200, { userId: done.userId, username: done.username, instance: listeningPort });
    response
      .writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end(`Connected${done.username ? ` as ${done.username}` : ''}. You can close this tab.\n`);
    return;
  }
  if (request.method === 'GET' && url.pathname === '/me') {
    const token = await logins.token(user);
    return sendJson(response, 200, {
      user,
      instance: listeningPort,
      expiresAt: token.expiresAt,
      provider: await callProvider(token),
    });
  }
  if (request.method === 'POST' && url.pathname === '/logout') {
    return sendJson(response, 200, { removed: await logins.logout(user) });
  }
  sendJson(response, 404, { error: 'not_found' });
}

/** The host's own use of the token: Pocket's /v3/get, or the OAuth resource given in OAUTH_RESOURCE. */
async function callProvider(token: UserToken): Promise<unknown> {
  const call: Omit<HttpRequest, 'timeoutMs'> =
    env.PROVIDER === 'oauth'
      ? { method: 'GET', url: required('OAUTH_RESOURCE'), headers: { Authorization: `Bearer ${token.accessToken}` } }
      : {
          method: 'POST',
          url: `${required('POCKET_BASE_URL')}/v3/get`,
          headers: { 'Content-Type': 'application/json', 'X-Accept': 'application/json' },
          body: JSON.stringify({ consumer_key: consumerKey(), access_token: token.accessToken, count: 1 }),
        };
  const answer = await http.send({ ...call, timeoutMs: 10_000 });
  if (answer.status === 401) throw new AuthError('ERR_TOKEN_INVALID', 'The provider refused the token.');
  if (answer.status !== 200) throw new AuthError('ERR_PROTOCOL', `The provider answered ${answer.status}.`);
  const body = JSON.parse(answer.body) as { sub?: string; list?: Record<string, unknown> };
  return env.PROVIDER === 'oauth' ? { sub: body.sub } : { items: Object.keys(body.list ?? {}).length };
}

const STATUS: Partial<Record<AuthErrorCode, number>> = {
  ERR_CONFIG: 400,
  ERR_STATE_MISMATCH: 400,
  ERR_EXPIRED: 410,
  ERR_DECLINED: 403,
  ERR_NOT_LOGGED_IN: 401,
  ERR_TOKEN_INVALID: 401,
  ERR_STORAGE: 503,
  ERR_TIMEOUT: 504,
};

function sendError(response: ServerResponse, error: AuthError): void {
  if (response.headersSent) return void response.destroy();
  sendJson(response, STATUS[error.code] ?? 502, { error: error.code, message: error.message });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    .end(JSON.stringify(body));
}

/** POCKET_CONSUMER_KEY, or the first line of the file POCKET_CONSUMER_KEY_FILE names. */
function consumerKey(): string {
  if (env.POCKET_CONSUMER_KEY_FILE) return readFileSync(env.POCKET_CONSUMER_KEY_FILE, 'utf8').split('\n')[0]!.trim();
  return required('POCKET_CONSUMER_KEY');
}

function required(name: string): string {
  const value = env[name];
  if (!value) throw new AuthError('ERR_CONFIG', `Set ${name}.`);
  return value;
}

const stop = async () => {
  server.close(); // no new requests
  await logins.close(); // a code or refresh token already sent is finished and saved
  server.closeAllConnections();
  redis.disconnect();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
console.log(JSON.stringify({ listening: listeningPort }));
