/**
 * An example host for authmachine/server: "connect your account" on node:http. Run two of these
 * on two ports against one Redis; a login begun on one completes on the other (README.md,
 * "Many users, many instances"). `--help` lists its settings.
 *
 *   PROVIDER=pocket POCKET_BASE_URL=http://127.0.0.1:8080 POCKET_CONSUMER_KEY_FILE=... \
 *   REDIS_URL=redis://127.0.0.1:6380 REDIRECT_URI=http://127.0.0.1:8082/callback \
 *   PORT=8081 node --import tsx examples/server-host.ts
 *
 * Routes (the user comes from `?user=`; a real host takes it from its own session):
 *   GET  /login?user=ID     302 to the provider (with Accept: application/json, {authorizationUrl, state})
 *   GET  /callback?...      finishes the login the callback belongs to, on whichever instance
 *   GET  /me?user=ID        calls the provider with the user's token (refreshed single-flight)
 *   POST /logout?user=ID    forgets (and revokes where it can) the user's login
 * Errors answer {error: CODE, message} with a 4xx/5xx status. Prints {"listening": port} when
 * ready. A setting that is wrong, or a Redis it cannot reach, is one line {"error", "message"}
 * on stderr and exit code 1, before it listens.
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

const HELP = `Usage: [settings] node --import tsx examples/server-host.ts

An example host of authmachine/server on node:http (127.0.0.1 only). Run two on two ports with
the same REDIS_URL and REDIRECT_URI: a login begun on one completes on the other.

Settings (environment):
  PROVIDER                  pocket (default) or oauth
  POCKET_BASE_URL           pocket: the Pocket server, e.g. the emulator's http://127.0.0.1:8080
  POCKET_CONSUMER_KEY       pocket: the consumer key, or
  POCKET_CONSUMER_KEY_FILE  pocket: a file whose first line is the key (the emulator writes one)
  OAUTH_ISSUER              oauth: the issuer URL (its metadata is discovered, RFC 8414)
  OAUTH_CLIENT_ID           oauth: a public client registered with REDIRECT_URI
  OAUTH_SCOPE               oauth: default "openid offline_access"
  OAUTH_RESOURCE            oauth: the protected resource that /me calls with the token
  REDIS_URL                 default redis://127.0.0.1:6379
  REDIRECT_URI              where the provider sends the browser back, the same on every
                            instance (default this instance's http://127.0.0.1:PORT/callback)
  PORT                      default 0: a free port, printed as {"listening": port}
  USER_TIMEOUT_MS           how long a login waits for the person, ms (default 300000)
  REFRESH_SKEW_MS           renew a token this close to its expiry, ms (default 60000)
  REDIS_TIMEOUT_MS          deadline of each Redis command, ms (default 2000)
`;

const env = process.env;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}

// Every setting is read and checked before Redis is reached or a port is taken.
const settings = readSettings();
const http = new AxiosHttpClient();
const redis = await createRedisClient({ url: settings.redisUrl, commandTimeoutMs: settings.redisTimeoutMs }).catch(
  (error: unknown) => exitWith(toAuthError(error)),
);

const server = createServer((request, response) => {
  route(request, response).catch((error: unknown) => sendError(response, toAuthError(error)));
});
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(settings.port, '127.0.0.1', resolve);
}).catch((error: unknown) =>
  exitWith(
    (error as { code?: unknown }).code === 'EADDRINUSE'
      ? new AuthError('ERR_CONFIG', `Port ${settings.port} on 127.0.0.1 is in use: set PORT to a free one (0: any).`)
      : toAuthError(error),
  ),
);
const listeningPort = (server.address() as AddressInfo).port;

const lock = new RedisLock(redis);
const logins = createLoginService({
  protocol: settings.protocol,
  http,
  // Every instance gives the provider the same redirect URI: the load balancer's in production.
  redirectUri: env.REDIRECT_URI ?? `http://127.0.0.1:${listeningPort}/callback`,
  flows: new RedisFlowStore(redis),
  // Writes of a login go through only while this instance's lease on it is still its own.
  tokens: new RedisTokenStore(redis, { fence: lock }),
  lock,
  config: settings.userTimeoutMs === undefined ? {} : { userTimeoutMs: settings.userTimeoutMs },
  ...(settings.refreshSkewMs === undefined ? {} : { refreshSkewMs: settings.refreshSkewMs }),
});

function readSettings() {
  try {
    const provider = env.PROVIDER || 'pocket';
    if (provider !== 'pocket' && provider !== 'oauth') {
      throw new AuthError('ERR_CONFIG', `PROVIDER is "${provider}": set it to pocket or oauth.`);
    }
    const protocol: AuthProtocol<unknown, unknown> =
      provider === 'oauth'
        ? createOAuth2Protocol({
            issuer: required('OAUTH_ISSUER', 'the issuer URL of your OAuth provider'),
            clientId: required('OAUTH_CLIENT_ID', 'a public client registered with REDIRECT_URI'),
            scope: env.OAUTH_SCOPE ?? 'openid offline_access',
          })
        : createPocketProtocol({
            consumerKey: consumerKey(),
            baseUrl: required('POCKET_BASE_URL', "the Pocket server, e.g. the emulator's http://127.0.0.1:8080"),
          });
    if (provider === 'oauth') required('OAUTH_RESOURCE', 'the protected resource that /me calls');
    return {
      protocol,
      redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
      port: whole('PORT', 0, 65_535) ?? 0,
      redisTimeoutMs: whole('REDIS_TIMEOUT_MS', 1) ?? 2_000,
      userTimeoutMs: whole('USER_TIMEOUT_MS', 1),
      refreshSkewMs: whole('REFRESH_SKEW_MS', 0),
    };
  } catch (error) {
    return exitWith(toAuthError(error));
  }
}

/** A setting that must be a whole number from `min` to `max`; undefined when unset. */
function whole(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new AuthError('ERR_CONFIG', `${name} is "${text}": set it to a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** Startup failed: one line a person (or a supervisor's log) can act on, and no stack trace. */
function exitWith(error: AuthError): never {
  process.stderr.write(`${JSON.stringify({ error: error.code, message: error.message })}\n`);
  process.exit(1);
}

/** The example's stand-in for a host's session: which user began the login in this browser. */
const SESSION_COOKIE = 'example_user';

function cookie(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return null;
      }
    }
  }
  return null;
}

async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const user = url.searchParams.get('user') ?? '';
  const wantsJson = (request.headers.accept ?? '').includes('application/json');
  if (request.method === 'GET' && url.pathname === '/login') {
    const begun = await logins.begin(user);
    // Stands for the host's session: the browser that began the login brings it to /callback
    // (SameSite=Lax rides along the provider's top-level redirect).
    const session = `${SESSION_COOKIE}=${encodeURIComponent(user)}; Path=/callback; HttpOnly; SameSite=Lax`;
    if (wantsJson) {
      response.setHeader('Set-Cookie', session);
      return sendJson(response, 200, { authorizationUrl: begun.authorizationUrl, state: begun.state });
    }
    response
      .writeHead(302, { Location: begun.authorizationUrl, 'Cache-Control': 'no-store', 'Set-Cookie': session })
      .end();
    return;
  }
  if (request.method === 'GET' && url.pathname === '/callback') {
    // The session's user, when the browser brings one: a login begun for another user is refused,
    // so no one can be made to connect their account to someone else's user (RFC 6749 10.12).
    const sessionUser = cookie(request, SESSION_COOKIE);
    // url.searchParams keeps a parameter sent twice, to refuse it.
    const done = await logins.complete(url.searchParams, sessionUser === null ? {} : { userId: sessionUser });
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
      ? { method: 'GET', url: env.OAUTH_RESOURCE ?? '', headers: { Authorization: `Bearer ${token.accessToken}` } }
      : {
          method: 'POST',
          url: `${env.POCKET_BASE_URL ?? ''}/v3/get`,
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
  const file = env.POCKET_CONSUMER_KEY_FILE;
  if (file) {
    let key = '';
    try {
      key = readFileSync(file, 'utf8').split('\n')[0]?.trim() ?? '';
    } catch {
      throw new AuthError('ERR_CONFIG', `POCKET_CONSUMER_KEY_FILE names ${file}, which cannot be read.`);
    }
    if (key === '')
      throw new AuthError('ERR_CONFIG', `POCKET_CONSUMER_KEY_FILE names ${file}, whose first line is empty.`);
    return key;
  }
  if (env.POCKET_CONSUMER_KEY) return env.POCKET_CONSUMER_KEY;
  throw new AuthError(
    'ERR_CONFIG',
    'Set POCKET_CONSUMER_KEY, or POCKET_CONSUMER_KEY_FILE to a file whose first line is the key (`authmachine emulator` writes one); or set PROVIDER=oauth. See --help.',
  );
}

function required(name: string, what: string): string {
  const value = env[name];
  if (!value) throw new AuthError('ERR_CONFIG', `Set ${name}: ${what}. See --help.`);
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
