/**
 * The embedded Pocket emulator: one node:http server on 127.0.0.1 that speaks Pocket's v3 API
 * (see pocket-api.md in the project's shared notes), with its own consumer keys, a demo account and an authorize page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock, RandomSource } from '../../../adapters/contracts.js';
import { AuthError } from '../../../adapters/errors.js';
import { cryptoRandom, systemClock } from '../../../adapters/system-clock.js';
import { handleAuthorizeDecision, handleAuthorizePage } from './authorize-page.js';
import { BodyTooLargeError, parseParams, readBody } from './body.js';
import type { ApprovalMode, EmulatorContext } from './context.js';
import { DEMO_ITEMS } from './demo-items.js';
import { MAX_PAGE_SIZE } from './get-params.js';
import { answerWithFault, FaultQueue, type EmulatorEndpoint, type EmulatorFault } from './faults.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { sendPocketError, sendStatusOnly } from './responses.js';
import { handleOAuthAuthorize, handleOAuthRequest } from './routes-oauth.js';
import { handleDataCall } from './routes-data.js';
import { Account, EmulatorStore, type DataEndpointName, type IssueKeyOptions } from './store.js';
import { SyntheticItems } from './synthetic-items.js';

/** One answered request, for the `log` hook. Holds no secrets: the path has no query string. */
export interface EmulatorLogEvent {
  method: string;
  /** The path only, e.g. "/v3/get" (query strings can hold request tokens). */
  path: string;
  status: number;
  /** Pocket's X-Error-Code, when the answer had one. */
  errorCode?: string;
  durationMs: number;
}

/** Options of {@link startPocketEmulator}. Times are milliseconds unless a name says seconds. */
export interface PocketEmulatorOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Loopback address to listen on: "127.0.0.1" (default) or "::1" (IPv6-only hosts, tests). */
  host?: '127.0.0.1' | '::1';
  /** How the authorize page decides. Default 'page' (a person clicks). */
  approval?: ApprovalMode;
  /** When set, the account holds this many generated items instead of the ten demo articles. */
  syntheticItems?: number;
  /** Default 320 per user and 10,000 per key, per hour. */
  rateLimits?: RateLimitOptions;
  /** Time source for rate-limit windows, `since` and item times. Default: the system clock. */
  clock?: Clock;
  /** Source of token bytes. Default: node:crypto. */
  random?: RandomSource;
  /** The signed-in person's username. Default "demo". */
  username?: string;
  /** App name of the default consumer key, shown on the authorize page. */
  appName?: string;
  /** Called after every answered request. Never receives secrets. */
  log?: (event: EmulatorLogEvent) => void;
  /** Largest request body accepted (413 beyond). Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Most items one /v3/get answer holds, whatever `count` asks for (the real service capped a
   * page at 30). Default 5000. A client that stops at the first short page misses the rest.
   */
  pageCap?: number;
  /**
   * Serve https with this key and certificate (PEM) instead of plain http, as the real service
   * did: `url` then starts with https://. For tests of clients that must trust a private CA.
   */
  tls?: { key: string; cert: string };
}

/** A running emulator. */
export interface PocketEmulator {
  /** Base URL, e.g. "http://127.0.0.1:41234" (no trailing slash). Use it where clients say "https://getpocket.com". */
  readonly url: string;
  readonly port: number;
  /** The default consumer key, issued at start. */
  readonly consumerKey: string;
  /** The demo account's username. */
  readonly username: string;
  /** Issues another consumer key (with its own app name and permissions). */
  issueConsumerKey(options?: IssueKeyOptions): string;
  /** Issues an access token for the account without the OAuth dance (benchmarks, data tests). */
  issueAccessToken(consumerKey?: string): string;
  /** The authorize page URL for a request token. */
  authorizeUrl(requestToken: string, redirectUri?: string): string;
  /** Decides a pending request token as the person would; false if it is unknown or decided. */
  decide(requestToken: string, decision: 'approve' | 'decline'): boolean;
  /** Makes the next `times` (default 1) calls to `endpoint` fail with `fault`. */
  failNext(endpoint: EmulatorEndpoint, fault: EmulatorFault, options?: { times?: number }): void;
  /** How many queued faults for `endpoint` have not been used yet (a request takes one on arrival). */
  pendingFaults(endpoint: EmulatorEndpoint): number;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const DATA_ROUTES: Record<string, DataEndpointName> = { '/v3/get': 'get', '/v3/add': 'add', '/v3/send': 'send' };

function pageCapOf(cap: number | undefined): number {
  if (cap === undefined) return MAX_PAGE_SIZE;
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError('pageCap must be a whole number of at least 1.');
  return Math.min(cap, MAX_PAGE_SIZE);
}

/** Starts an emulator on 127.0.0.1. Rejects with ERR_LISTENER when the port cannot be bound (EADDRINUSE). */
export async function startPocketEmulator(options: PocketEmulatorOptions = {}): Promise<PocketEmulator> {
  const clock = options.clock ?? systemClock;
  const store = new EmulatorStore(options.random ?? cryptoRandom);
  const username = options.username ?? 'demo';
  const synthetic = options.syntheticItems ? new SyntheticItems(options.syntheticItems) : undefined;
  const account = new Account(username, synthetic);
  if (!synthetic) for (const item of DEMO_ITEMS) account.put(structuredClone(item));
  store.accounts.set(username, account);
  const defaultKey = store.issueConsumerKey({ appName: options.appName ?? 'authmachine demo' }).key;

  const context: EmulatorContext = {
    store,
    clock,
    limiter: new RateLimiter(options.rateLimits ?? {}, clock),
    approval: options.approval ?? 'page',
    username,
    pageCap: pageCapOf(options.pageCap),
  };
  const faults = new FaultQueue();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const stalls = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const sockets = new Set<Socket>();
  let closing = false;

  const stall = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          stalls.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      stalls.add(entry);
    });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const fault = faults.take(path);
    if (fault) {
      if (answerWithFault(response, fault)) return;
      if ('stallMs' in fault) await stall(fault.stallMs);
      if (closing) return;
    }
    const method = request.method ?? 'GET';
    const isData = path in DATA_ROUTES;
    const isOAuth = path === '/v3/oauth/request' || path === '/v3/oauth/authorize';
    const isPage = path === '/auth/authorize';
    if (!isData && !isOAuth && !isPage) return sendStatusOnly(response, 404);
    if (method !== 'GET' && method !== 'POST') return sendStatusOnly(response, 405, { Allow: 'GET, POST' });

    let raw: Buffer;
    try {
      raw = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendStatusOnly(response, 413, { Connection: 'close' });
      throw error;
    }
    if (isPage && method === 'GET') return handleAuthorizePage(context, response, url.searchParams);
    const parsed = parseParams(raw, request.headers['content-type'], isPage ? new URLSearchParams() : url.searchParams);
    if (isPage) return handleAuthorizeDecision(context, request, response, parsed.params);
    if (path === '/v3/oauth/request') return handleOAuthRequest(context, request, response, parsed.params);
    if (path === '/v3/oauth/authorize') return handleOAuthAuthorize(context, request, response, parsed.params);
    const endpoint = DATA_ROUTES[path];
    if (endpoint === undefined) return sendStatusOnly(response, 404);
    return handleDataCall(context, request, response, endpoint, parsed);
  }

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    response.on('finish', () => {
      if (!options.log) return;
      const errorCode = response.getHeader('X-Error-Code');
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const event: EmulatorLogEvent = {
        method: request.method ?? 'GET',
        path,
        status: response.statusCode,
        durationMs: performance.now() - started,
      };
      if (errorCode !== undefined) event.errorCode = String(errorCode);
      try {
        options.log(event);
      } catch {
        // A failing log hook must not take the server down.
      }
    });
    route(request, response).catch(() => {
      if (!response.headersSent) sendPocketError(response, 199, {}, 500);
      else response.destroy();
    });
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createServer(handler);
  // 'connection' is the TCP socket for both http and https (https emits 'secureConnection' after it).
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = options.host ?? '127.0.0.1';
  const display = host === '::1' ? '[::1]' : host;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'error';
      reject(
        new AuthError(
          'ERR_LISTENER',
          `The Pocket emulator could not listen on ${display}:${options.port ?? 0} (${code}).`,
          { cause: { code } },
        ),
      );
    };
    server.once('error', failed);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `${options.tls ? 'https' : 'http'}://${display}:${port}`;

  return {
    url: baseUrl,
    port,
    consumerKey: defaultKey,
    username,
    issueConsumerKey: (keyOptions) => store.issueConsumerKey(keyOptions).key,
    issueAccessToken: (consumerKey = defaultKey) => {
      if (!store.keys.has(consumerKey)) throw new Error('unknown consumer key');
      return store.newAccessToken(consumerKey, username);
    },
    authorizeUrl: (requestToken, redirectUri) => {
      const query = new URLSearchParams({ request_token: requestToken });
      if (redirectUri !== undefined) query.set('redirect_uri', redirectUri);
      return `${baseUrl}/auth/authorize?${query.toString()}`;
    },
    decide: (requestToken, decision) => {
      const record = store.requestTokens.get(requestToken);
      if (!record || record.used || record.decision !== 'pending') return false;
      record.decision = decision === 'approve' ? 'approved' : 'declined';
      if (decision === 'approve') record.approvedBy = username;
      return true;
    },
    failNext: (endpoint, fault, failOptions) => faults.add(endpoint, fault, failOptions?.times ?? 1),
    pendingFaults: (endpoint) => faults.pending(endpoint),
    clearFaults: () => faults.clear(),
    close: async () => {
      closing = true;
      for (const entry of stalls) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      stalls.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
