/**
 * RedirectReceiver on the loopback interface (RFC 8252 section 7.3): an HTTP server on
 * 127.0.0.1 (and [::1] if asked) that waits for the one genuine redirect of this login.
 *
 * Everything else - a hit before the state is armed, a wrong or missing state, another path or
 * method, a Host header naming some other host (DNS rebinding), an oversized URL - gets a 4xx
 * page and the receiver keeps waiting. Slow clients are cut off by the server's own timeouts.
 *
 * The genuine hit's response is held open: the page tells how the login ended once the flow
 * knows (`complete`), or, after a bounded wait, on close() or on abort, sends the person back to
 * the terminal. It never says "complete" before the token exchange did.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { safeProviderText } from '../vocabulary/index.js';
import type {
  CallbackResult,
  RedirectListenOptions,
  RedirectOutcome,
  RedirectReceiver,
  RedirectSession,
  StrayErrorRedirect,
} from './contracts.js';
import { AuthError } from './errors.js';
import { sendOutcomePage, sendPage, sendStrayErrorPage } from './loopback-pages.js';

/** Options of {@link LoopbackReceiver}. It binds 127.0.0.1 (and [::1] when asked) only. */
export interface LoopbackReceiverOptions {
  /** Port to bind; 0 (the default) lets the OS pick a free one. */
  port?: number;
  /** Path served when listen() names none. Default "/callback". */
  path?: string;
  /** Also bind [::1] on the same port (for hosts that send the browser to "localhost"). Default false. */
  ipv6?: boolean;
  /** Longest request target accepted; longer ones get 414. Default 8192 bytes. */
  maxUrlBytes?: number;
  /** Time a client has to send its request (headers and all). Default 10 000 ms. */
  requestTimeoutMs?: number;
  /**
   * Longest wait, in milliseconds, for `complete(outcome)` after the genuine callback; then the
   * browser gets a neutral "return to your terminal" page. Default 30 000.
   */
  outcomeWaitMs?: number;
}

/**
 * Receives the authorization response on a loopback listener (RFC 8252 section 7.3): a fresh
 * server per listen() on 127.0.0.1 (and [::1] when asked), one path, the expected `state`
 * checked (a forged or stray hit gets 400 and the wait goes on); the flow closes it when it
 * leaves awaitingUser.
 * @throws AuthError from `listen`: ERR_LISTENER (the port cannot be bound), ERR_CONFIG (a path
 *   without a leading "/"), ERR_CANCELLED.
 * @see RFC 8252 section 7.3, RFC 6749 section 10.12
 */
export class LoopbackReceiver implements RedirectReceiver {
  readonly #options: LoopbackReceiverOptions;

  constructor(options: LoopbackReceiverOptions = {}) {
    this.#options = { ...options };
  }

  async listen(options: RedirectListenOptions): Promise<LoopbackSession> {
    if (options.signal.aborted) throw cancelled('before it started');
    const path = options.path ?? this.#options.path ?? '/callback';
    if (!path.startsWith('/')) throw new AuthError('ERR_CONFIG', 'The redirect path must start with "/".');
    const session = new LoopbackSession(path, this.#options, options.onStrayError);
    await session.start(options.signal);
    return session;
  }
}

/** The address does not exist here (no such loopback address, or no IPv6 at all). */
function isUnavailableAddress(error: AuthError): boolean {
  const code = (error.cause as { code?: string } | undefined)?.code;
  return code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT';
}

function cancelled(when: string): AuthError {
  return new AuthError('ERR_CANCELLED', `The redirect listener was closed ${when}.`);
}

/** Compares secrets in time that does not depend on where they differ (or on their lengths). */
function sameSecret(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** One listening receiver. Extra to the contract: `port` and the bound `addresses`. */
export class LoopbackSession implements RedirectSession {
  readonly callback: Promise<CallbackResult>;
  readonly addresses: string[] = [];
  #port = 0;
  #expected: { state: string | null } | undefined;
  #settled = false;
  #resolve!: (result: CallbackResult) => void;
  #reject!: (error: AuthError) => void;
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  #closing: Promise<void> | undefined;
  #signal: AbortSignal | undefined;
  /** The genuine callback's response, held until the outcome is known. */
  #held: ServerResponse | undefined;
  #heldTimer: NodeJS.Timeout | undefined;
  #answered: Promise<void> | undefined;
  readonly #onAbort = () => void this.#shutDown(cancelled('because the login was cancelled'));

  constructor(
    readonly path: string,
    private readonly options: LoopbackReceiverOptions,
    private readonly onStrayError?: (stray: StrayErrorRedirect) => void,
  ) {
    this.callback = new Promise<CallbackResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A caller that never awaits `callback` must not see an unhandled rejection on close.
    this.callback.catch(() => {});
  }

  get port(): number {
    return this.#port;
  }

  /** On the first address bound: 127.0.0.1, or [::1] on a host whose loopback has no IPv4. */
  get redirectUri(): string {
    const host = this.addresses[0] === '::1' ? '[::1]' : '127.0.0.1';
    return `http://${host}:${this.#port}${this.path}`;
  }

  /** True while a server of this session still listens or a connection to it is still open. */
  get open(): boolean {
    return this.#servers.some((server) => server.listening) || [...this.#sockets].some((socket) => !socket.destroyed);
  }

  expect(state: string | null): void {
    this.#expected = { state };
  }

  close(): Promise<void> {
    return this.#shutDown(cancelled('before a response arrived'));
  }

  /** Answers the held browser request with how the login ended, then closes the session. */
  async complete(outcome: RedirectOutcome): Promise<void> {
    await this.#answer(outcome);
    await this.close();
  }

  /** Sends the held page once (later calls wait for the first); resolves once it is written. */
  #answer(outcome: RedirectOutcome | null): Promise<void> {
    this.#answered ??= new Promise<void>((resolve) => {
      clearTimeout(this.#heldTimer);
      const res = this.#held;
      this.#held = undefined;
      if (res === undefined || res.writableEnded || res.destroyed) return resolve();
      res.once('close', () => resolve());
      res.once('finish', () => resolve());
      sendOutcomePage(res, outcome);
    });
    return this.#answered;
  }

  /** From the genuine callback on nothing new is accepted; the held request stays open. */
  #hold(res: ServerResponse): void {
    this.#held = res;
    this.#heldTimer = setTimeout(() => void this.#answer(null), this.options.outcomeWaitMs ?? 30_000);
    res.once('close', () => clearTimeout(this.#heldTimer));
    for (const server of this.#servers) {
      server.close();
      server.closeIdleConnections();
    }
  }

  /**
   * Binds 127.0.0.1 (then [::1] on the same port if asked). A host whose loopback has no
   * 127.0.0.1 (IPv6 only) gets [::1] instead (RFC 8252 section 8.3). A port in use is
   * ERR_LISTENER naming EADDRINUSE, never a silent move to another port.
   */
  async start(signal: AbortSignal): Promise<void> {
    try {
      this.#port = await this.#bind('127.0.0.1', this.options.port ?? 0).catch((error: AuthError) => {
        if (!isUnavailableAddress(error)) throw error;
        return this.#bind('::1', this.options.port ?? 0);
      });
      if (this.options.ipv6 && this.addresses[0] !== '::1') await this.#bindIpv6();
    } catch (error) {
      await this.#shutDown(cancelled('because it could not start'));
      throw error;
    }
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
    if (signal.aborted) this.#onAbort();
  }

  async #bindIpv6(): Promise<void> {
    try {
      await this.#bind('::1', this.#port);
    } catch (error) {
      // No IPv6 loopback on this machine: 127.0.0.1 alone still works, the redirect URI names it.
      if (isUnavailableAddress(error as AuthError)) return;
      throw error;
    }
  }

  #bind(host: string, port: number): Promise<number> {
    const timeout = this.options.requestTimeoutMs ?? 10_000;
    const server = createServer(
      {
        requestTimeout: timeout,
        headersTimeout: timeout,
        keepAliveTimeout: 1000,
        // Node checks the two timeouts above only this often (30 s by default).
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeout / 4))),
        maxHeaderSize: 16 * 1024,
      },
      (req, res) => this.#handle(req, res),
    );
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#servers.push(server);
    return new Promise<number>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const display = host.includes(':') ? `[${host}]` : host;
        const inUse = error.code === 'EADDRINUSE' ? ': another program is using that port' : '';
        reject(
          new AuthError(
            'ERR_LISTENER',
            `Could not listen on ${display}:${port}${error.code ? ` (${error.code})` : ''}${inUse}.`,
            {
              cause: { code: error.code },
            },
          ),
        );
      });
      server.listen({ host, port, exclusive: true }, () => {
        this.addresses.push(host);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '';
    const maxUrlBytes = this.options.maxUrlBytes ?? 8192;
    if (Buffer.byteLength(target) > maxUrlBytes) {
      sendPage(res, 414, 'Request too long', 'This address is too long to be a login response.');
      return;
    }
    if (!this.#hostAllowed(req.headers.host)) {
      sendPage(res, 400, 'Bad request', 'This request did not come to the login listener by its own address.');
      return;
    }
    if (!target.startsWith('/')) {
      sendPage(res, 400, 'Bad request', 'Only plain paths are served here.');
      return;
    }
    const url = new URL(target, `http://127.0.0.1:${this.#port}`);
    if (url.pathname !== this.path) {
      sendPage(res, 404, 'Not found', `Nothing is served at ${url.pathname}.`);
      return;
    }
    if (req.method !== 'GET') {
      sendPage(res, 400, 'Bad request', `The login response must be a GET request, not ${req.method ?? 'unknown'}.`);
      return;
    }
    if (this.#settled) {
      sendPage(res, 400, 'Already used', 'This login has already received its response. You can close this tab.');
      return;
    }
    const expected = this.#expected;
    if (expected === undefined) {
      sendPage(res, 400, 'Not ready', 'The login is not waiting for a response yet. Start it from the terminal.');
      return;
    }
    const params: Record<string, string> = {};
    for (const [name, value] of url.searchParams) {
      if (Object.hasOwn(params, name)) {
        sendPage(res, 400, 'Bad request', `The parameter ${name} appears more than once.`);
        return;
      }
      params[name] = value;
    }
    if (expected.state !== null && (params['state'] === undefined || !sameSecret(params['state'], expected.state))) {
      if (params['error'] !== undefined) {
        this.#strayError(res, params['error'], params['error_description']);
        return;
      }
      sendPage(
        res,
        400,
        'Login not recognised',
        'This response does not belong to the login in progress (its state does not match). It was ignored.',
      );
      return;
    }
    this.#settled = true;
    this.#resolve({ kind: 'redirect', params });
    this.#hold(res);
  }

  /** An error redirect nobody can vouch for: told to the host and the person, and ignored. */
  #strayError(res: ServerResponse, error: string, description: string | undefined): void {
    const stray: StrayErrorRedirect = { error: safeProviderText(error, 64) };
    if (description) stray.errorDescription = safeProviderText(description, 200);
    try {
      this.onStrayError?.(stray);
    } catch {
      // The host's listener must not take the receiver down.
    }
    sendStrayErrorPage(res, stray.error, stray.errorDescription);
  }

  /** Accepts only the loopback names of this very port: a rebound DNS name is refused. */
  #hostAllowed(host: string | undefined): boolean {
    if (host === undefined) return false;
    const allowed = [`127.0.0.1:${this.#port}`, `localhost:${this.#port}`, `[::1]:${this.#port}`];
    return allowed.includes(host.toLowerCase());
  }

  #shutDown(reason: AuthError): Promise<void> {
    this.#closing ??= (async () => {
      this.#signal?.removeEventListener('abort', this.#onAbort);
      if (!this.#settled) {
        this.#settled = true;
        this.#reject(reason);
      }
      // The held page is written before any connection is cut.
      await this.#answer(null);
      const closed = this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) return resolve();
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
      // Idle keep-alive and half-sent requests must not hold the port open.
      for (const socket of this.#sockets) socket.destroy();
      await Promise.all(closed);
    })();
    return this.#closing;
  }
}
