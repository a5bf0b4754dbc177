/**
 * The login machine as a server-side engine: a web service runs logins for many of its users at
 * once, on several instances, and the redirect may reach any of them. `begin` runs the machine to
 * awaitingUser and keeps its persisted snapshot in a FlowStore under the `state` it sent;
 * `complete`, on any instance, takes that snapshot exactly once, resumes the machine with the
 * callback, exchanges the code and saves the user's token. There is no loopback listener and no
 * browser: the host serves the redirect URI and shows the authorization URL itself.
 */
import { createActor, type Snapshot } from 'xstate';
import type { Clock, FlowStore, HttpClient, Lock, RandomSource, TokenStore } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import { cryptoRandom, systemClock } from '../../adapters/system-clock.js';
import { DEFAULT_FLOW_CONFIG, type FlowConfig, type TokenSet } from '../../machines/types.js';
import type { AuthProtocol } from '../protocol.js';
import { withDeadline } from '../flow/with-deadline.js';
import { checkedCallback } from './callback-params.js';
import { decodeFlowRecord, encodeFlowRecord } from './flow-record.js';
import { bindUser, provideServiceMachine, type ServiceActor, type ServiceMachine } from './service-machine.js';
import { publicToken, UserLogouts, type UserToken } from './user-tokens.js';
import { userStorageKey } from './user-key.js';

/** What a {@link LoginService} is built from. Times are milliseconds. */
export interface LoginServiceOptions<Req = unknown, Res = unknown> {
  /** Pocket or OAuth 2.0, in 'redirect' mode. */
  protocol: AuthProtocol<Req, Res>;
  /** How the service reaches the provider (FetchHttpClient, AxiosHttpClient). */
  http: HttpClient;
  /** The redirect URI the host serves (the same on every instance, e.g. behind a load balancer). */
  redirectUri: string;
  /** Logins in flight, shared by every instance (RedisFlowStore). */
  flows: FlowStore;
  /** The users' tokens, shared by every instance (RedisTokenStore). */
  tokens: TokenStore;
  /** Serialises each user's refresh, save and logout across instances (RedisLock). */
  lock: Lock;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: node:crypto. */
  random?: RandomSource;
  /** Retries and back-off of the machine; `userTimeoutMs` (default 5 min) is also the flows' time to live. */
  config?: Partial<Omit<FlowConfig, 'mode'>>;
  /** Deadline of each token-store and flow-store call (ms). Default 10,000. */
  storeTimeoutMs?: number;
  /** A token this close to its expiry (ms) is refreshed by `token()`. Default 60,000. */
  refreshSkewMs?: number;
  /** Longest wait for a user's lock (ms). Default 30,000. */
  lockTimeoutMs?: number;
}

/** What `begin` gives the host: send the person's browser to `authorizationUrl`. */
export interface BegunLogin {
  /** The authorization request (or Pocket's authorize page) to redirect the browser to. */
  authorizationUrl: string;
  /** The `state` the callback must bring back (not a secret; it names the flow). */
  state: string;
  /** Epoch ms after which the callback is refused (ERR_EXPIRED). */
  expiresAt: number;
}

/** What `complete` reports: whose login it was, and what the provider said about the person. */
export interface CompletedLogin {
  /** The user id given to `begin`. */
  userId: string;
  /** The provider's name for the person, where it gives one. */
  username: string | null;
  /** Epoch ms; null when the token does not expire (Pocket). */
  expiresAt: number | null;
}

export type { UserToken };

/**
 * Logins for the many users of a server-side host with several instances: `begin` on any
 * instance, `complete` on whichever instance the callback reaches (the flow is kept in a shared
 * FlowStore under its `state` and taken exactly once), then `token` for a usable access token,
 * refreshed single-flight under a shared lock. Redirect mode only (ERR_CONFIG for a device
 * protocol, thrown by the constructor).
 *
 * @see RFC 6749 section 4.1, RFC 6749 section 10.12, RFC 9700 section 4.14.2
 * @example
 * ```ts
 * const redis = await createRedisClient({ url: process.env.REDIS_URL });
 * const lock = new RedisLock(redis);
 * const logins = createLoginService({
 *   protocol: createOAuth2Protocol({ issuer: 'https://id.example.com', clientId: 'web-app' }),
 *   http: new FetchHttpClient(),
 *   redirectUri: 'https://app.example.com/oauth/callback',
 *   flows: new RedisFlowStore(redis),
 *   tokens: new RedisTokenStore(redis, { fence: lock }),
 *   lock,
 * });
 * // GET /connect:         res.redirect((await logins.begin(user.id)).authorizationUrl)
 * // GET /oauth/callback:  await logins.complete(req.query)
 * // anywhere:             const { accessToken } = await logins.token(user.id)
 * ```
 */
export class LoginService<Req = unknown, Res = unknown> {
  readonly #protocol: AuthProtocol<Req, Res>;
  readonly #flows: FlowStore;
  readonly #machine: ServiceMachine;
  readonly #config: FlowConfig;
  readonly #clock: Clock;
  readonly #users: UserLogouts<Req, Res>;
  readonly #closing = new AbortController();
  /** The persisted snapshot of a new actor of #machine (idle, this service's config). */
  readonly #idle: { context: object } & Record<string, unknown>;
  /** Logins and renewals running now: close() cancels them. */
  readonly #running = new Set<ServiceActor>();
  /** Every call in progress, for close() to wait for. */
  readonly #calls = new Set<Promise<unknown>>();
  readonly #storeTimeoutMs: number;

  /** @throws AuthError ERR_CONFIG when the protocol is not in redirect mode. */
  constructor(options: LoginServiceOptions<Req, Res>) {
    if (options.protocol.mode !== 'redirect') {
      throw new AuthError(
        'ERR_CONFIG',
        'The login service runs redirect logins; the device grant has no callback to hand over.',
      );
    }
    this.#protocol = options.protocol;
    this.#flows = options.flows;
    this.#clock = options.clock ?? systemClock;
    const lockTimeoutMs = options.lockTimeoutMs ?? options.config?.lockTimeoutMs ?? 30_000;
    this.#config = {
      ...DEFAULT_FLOW_CONFIG,
      ...options.config,
      mode: 'redirect',
      refreshSkewMs: options.refreshSkewMs ?? options.config?.refreshSkewMs ?? 60_000,
      lockTimeoutMs,
    };
    const storeTimeoutMs = options.storeTimeoutMs ?? 10_000;
    this.#storeTimeoutMs = storeTimeoutMs;
    const random = options.random ?? cryptoRandom;
    this.#machine = provideServiceMachine(options.protocol, {
      http: options.http,
      externalRedirectUri: options.redirectUri,
      tokens: options.tokens,
      lock: options.lock,
      clock: this.#clock,
      random,
      storeTimeoutMs,
      lockTimeoutMs,
    });
    this.#idle = createActor(this.#machine, { input: { config: this.#config } }).getPersistedSnapshot() as unknown as {
      context: object;
    };
    this.#users = new UserLogouts({
      protocol: options.protocol,
      http: options.http,
      tokens: options.tokens,
      lock: options.lock,
      clock: this.#clock,
      random,
      storeTimeoutMs,
      lockTimeoutMs,
      signal: this.#closing.signal,
    });
  }

  /**
   * Starts a login for `userId`: asks the provider for a request token (Pocket) or builds PKCE,
   * state and nonce (and a PAR, where offered), and keeps the flow for `userTimeoutMs`.
   * @throws AuthError ERR_CONFIG (a user id that is not 1-256 characters), ERR_STORAGE,
   *   ERR_CANCELLED (the service was closed), and the provider's and network's:
   *   ERR_INVALID_CLIENT, ERR_RATE_LIMITED, ERR_SERVER, ERR_BAD_RESPONSE, ERR_NETWORK, ERR_TIMEOUT.
   * @see RFC 6749 section 4.1.1, RFC 7636 section 4, RFC 9126
   */
  begin(userId: string): Promise<BegunLogin> {
    return this.#track(this.#begin(userId));
  }

  async #begin(userId: string): Promise<BegunLogin> {
    this.#ensureOpen();
    userStorageKey(this.#protocol.storageKey, userId);
    const actor = this.#start(this.#fromIdle());
    try {
      const reached = this.#settle(actor, (s) => s.matches({ signingIn: 'awaitingUser' }));
      actor.send({ type: 'LOGIN', force: true });
      const s = await reached;
      const state = s.context.session?.state;
      if (typeof state !== 'string' || state === '' || s.context.authorizationUrl === null) {
        throw new AuthError(
          'ERR_CONFIG',
          `The ${this.#protocol.name} protocol started a login without a state to bind the callback to.`,
        );
      }
      const ttlMs = s.context.userDeadlineMs;
      const snapshot = actor.getPersistedSnapshot();
      await this.#flowCall(
        this.#flows.save(state, encodeFlowRecord({ userId, snapshot }), ttlMs),
        'saving the login in progress',
      );
      return { authorizationUrl: s.context.authorizationUrl, state, expiresAt: this.#clock.now() + ttlMs };
    } finally {
      this.#stop(actor);
    }
  }

  /**
   * Finishes the login the callback belongs to, on whichever instance it arrives: takes the flow
   * by `state` (exactly once across instances), resumes the machine, exchanges the code and
   * saves the user's token.
   * @param callbackParams the redirect's query parameters (`state`, and `code` or `error`; `iss`):
   *   best the request URL's own `searchParams`, which keep a parameter sent twice (as does an
   *   array from most query parsers; `Object.fromEntries` would keep only its last value). Each
   *   parameter must come once: one sent twice is refused before the flow is taken, so a mangled
   *   copy of a callback cannot end the real login.
   * @param options.userId the user of the session the callback arrived in (from the host's own
   *   session, never from the callback). Pass it: the login must have been begun for that same
   *   user, else it is refused and ended, nothing saved. Without it, a person sent someone
   *   else's authorization URL (begun for the sender's user id) who approves it connects their
   *   own provider account to the sender's user (RFC 6749 section 10.12).
   * @throws AuthError ERR_STATE_MISMATCH (no state, or not one of at most 512 well-formed
   *   characters; or the login was begun for another user than `options.userId`), ERR_CONFIG
   *   (`options.userId` not a valid user id), ERR_BAD_RESPONSE (a parameter twice or not a string), ERR_EXPIRED (no login
   *   waits for this state: it ran out of time or was already completed), ERR_DECLINED,
   *   ERR_ISSUER_MISMATCH, ERR_CODE_INVALID, provider and network errors, ERR_STORAGE (the store
   *   failed or did not answer within `storeTimeoutMs`, or the kept flow is unreadable: changed,
   *   or kept by another version), ERR_TIMEOUT (the user's lock stayed held `lockTimeoutMs`
   *   while saving), ERR_CANCELLED (the service was closed before the flow was taken).
   * @see RFC 6749 section 4.1.2, RFC 9207 section 2.4
   */
  complete(
    callbackParams: URLSearchParams | Record<string, string>,
    options: { userId?: string } = {},
  ): Promise<CompletedLogin> {
    return this.#track(this.#complete(callbackParams, options.userId));
  }

  async #complete(
    query: URLSearchParams | Record<string, string>,
    sessionUser: string | undefined,
  ): Promise<CompletedLogin> {
    if (sessionUser !== undefined) userStorageKey(this.#protocol.storageKey, sessionUser);
    const { params: callbackParams, state } = checkedCallback(query);
    this.#ensureOpen(); // before the flow is taken: a closing instance leaves it to the others
    const text = await this.#flowCall(this.#flows.take(state), 'taking the login in progress');
    if (text === null) {
      throw new AuthError(
        'ERR_EXPIRED',
        `No login is waiting for this callback: it was not completed within ${duration(this.#config.userTimeoutMs)} of its start, or it was already completed. Start the login again.`,
      );
    }
    const record = decodeFlowRecord(text, this.#flows.location, state);
    if (sessionUser !== undefined && record.userId !== sessionUser) {
      // Taken all the same: a login handed to another person is over, not left for a retry.
      throw new AuthError(
        'ERR_STATE_MISMATCH',
        'This callback belongs to a login begun for another user of this service, so it was not completed (RFC 6749 section 10.12). Start the login again.',
      );
    }
    const actor = createActor(this.#machine, {
      snapshot: record.snapshot as Snapshot<unknown>,
      input: { config: this.#config },
    });
    // A snapshot XState cannot restore leaves the actor in error, never to be started: started,
    // it would throw where nothing catches it (an uncaught exception in the host).
    if (actor.getSnapshot().status !== 'active') throw unreadableFlow(this.#flows.location);
    bindUser(actor, userStorageKey(this.#protocol.storageKey, record.userId));
    this.#start(actor);
    try {
      const done = this.#settle(
        actor,
        (s) => s.matches({ authorized: 'ready' }),
        () => unreadableFlow(this.#flows.location),
      );
      actor.send({ type: 'CALLBACK', params: { ...callbackParams } });
      const s = await done;
      const token = s.context.token as TokenSet;
      return { userId: record.userId, username: token.username ?? null, expiresAt: token.expiresAt ?? null };
    } finally {
      this.#stop(actor);
    }
  }

  /**
   * A usable access token for `userId`, renewed when it is within `refreshSkewMs` of expiry.
   * The machine's own renewal, as for the CLI: under the user's lock (waiting at most
   * `lockTimeoutMs`) it reads the entry again, uses a token another instance already renewed,
   * else refreshes and saves; a refused token is removed only if the entry still holds it. So a
   * provider that rotates refresh tokens never sees one used twice.
   * @throws AuthError ERR_CONFIG (bad user id), ERR_NOT_LOGGED_IN, ERR_TOKEN_INVALID (refused or
   *   removed meanwhile: log in again), ERR_TIMEOUT (lock), ERR_STORAGE, ERR_CANCELLED (close),
   *   network and provider errors.
   * @see RFC 6749 section 6, RFC 9700 section 4.14.2 (refresh token rotation)
   */
  token(userId: string): Promise<UserToken> {
    return this.#track(this.#token(userId));
  }

  async #token(userId: string): Promise<UserToken> {
    this.#ensureOpen();
    const actor = this.#fromIdle();
    bindUser(actor, userStorageKey(this.#protocol.storageKey, userId));
    this.#start(actor);
    try {
      // LOGIN { signIn: false }: checkingStore hands over the stored entry; the statechart itself
      // never starts a sign-in from here (no entry is ERR_NOT_LOGGED_IN).
      const loaded = this.#settle(actor, (s) => s.matches({ authorized: 'ready' }));
      actor.send({ type: 'LOGIN', force: false, signIn: false });
      await loaded;
      this.#ensureOpen(); // a CANCEL sent while the login was merely loaded found nothing to cancel
      await this.#renewed(actor);
      return publicToken(actor.getSnapshot().context.token as TokenSet);
    } finally {
      this.#stop(actor);
    }
  }

  /**
   * Forgets the user's login (under the user's lock) and revokes it where the protocol can.
   * Resolves false when there was none. The entry is removed even when revocation fails; that
   * failure is then thrown.
   * @throws AuthError ERR_CONFIG (bad user id), ERR_TIMEOUT (lock), ERR_STORAGE, ERR_CANCELLED
   *   (close), and the revocation endpoint's errors (ERR_NETWORK, ERR_SERVER, ...).
   * @see RFC 7009
   */
  logout(userId: string): Promise<boolean> {
    return this.#track(this.#logout(userId));
  }

  async #logout(userId: string): Promise<boolean> {
    return this.#users.logout(userStorageKey(this.#protocol.storageKey, userId));
  }

  /**
   * Refuses new calls (ERR_CANCELLED) and cancels the calls in progress that have spent nothing
   * yet (waits for a lock, retries' pauses, a request token being asked for, a revocation); it
   * lets finish those that have sent a one-time secret (a code being exchanged, a refresh token
   * being spent) and the saves that follow, since the provider will not honour that secret again.
   * Resolves once every call in progress has ended: only then close the stores' clients (the
   * host's to close), as a rolling deploy does on SIGTERM.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    for (const actor of this.#running) {
      if (!spendsOneTimeSecret(actor.getSnapshot())) actor.send({ type: 'CANCEL' });
    }
    await Promise.allSettled([...this.#calls]);
  }

  #track<T>(call: Promise<T>): Promise<T> {
    this.#calls.add(call);
    const forget = () => this.#calls.delete(call);
    call.then(forget, forget);
    return call;
  }

  /**
   * A new actor at idle. Every login and renewal starts from the same idle snapshot (this
   * service's config, nothing else), so it is computed once and each actor is restored from it:
   * building the initial snapshot again per login (entering idle, with its entry actions that
   * clear what a fresh context does not hold) cost about a tenth of the service's CPU per login.
   * A restored actor runs no entry actions; idle's have nothing to do on a fresh context.
   */
  #fromIdle(): ServiceActor {
    const { context, ...idle } = this.#idle;
    // A context of its own per actor (XState replaces, never changes it; this is only a guard).
    return createActor(this.#machine, {
      snapshot: { ...idle, context: { ...context } } as unknown as Snapshot<unknown>,
      input: { config: this.#config },
    });
  }

  #ensureOpen(): void {
    if (this.#closing.signal.aborted) throw new AuthError('ERR_CANCELLED', 'This login service was closed.');
  }

  #start(actor: ServiceActor): ServiceActor {
    this.#running.add(actor);
    actor.start();
    return actor;
  }

  #stop(actor: ServiceActor): void {
    this.#running.delete(actor);
    actor.stop();
  }

  /** REFRESH from authorized.ready: resolves once the token in context may be sent. */
  #renewed(actor: ServiceActor): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const subs = [
        actor.on('fetched', () => {
          done();
          resolve();
        }),
        actor.on('fetchFailed', (e) => {
          done();
          reject(AuthError.fromData(e.error));
        }),
        actor.subscribe({
          next: (s) => {
            if (!s.matches('failed')) return;
            done();
            reject(failure(s));
          },
          error: () => {
            done();
            reject(internalFailure());
          },
        }),
      ];
      const done = () => {
        for (const sub of subs) sub.unsubscribe();
      };
      actor.send({ type: 'REFRESH', id: 'token', now: this.#clock.now() });
    });
  }

  /**
   * Resolves when `done` holds; rejects with the flow's error when it fails. An exception inside
   * the machine (the actor's own error, not a failed login) rejects with `crashed()`: every
   * observer has an error handler, else XState rethrows it as an uncaught exception.
   */
  #settle(
    actor: ServiceActor,
    done: (s: ReturnType<ServiceActor['getSnapshot']>) => boolean,
    crashed: () => AuthError = internalFailure,
  ) {
    return new Promise<ReturnType<ServiceActor['getSnapshot']>>((resolve, reject) => {
      const sub = actor.subscribe({
        next: (s) => {
          if (done(s)) resolve(s);
          else if (s.matches('failed')) reject(failure(s));
          else if (s.matches('idle')) reject(new AuthError('ERR_CANCELLED', 'The login was cancelled.'));
          else return;
          sub.unsubscribe();
        },
        error: () => reject(crashed()),
      });
    });
  }

  /** A flow-store call with the store calls' deadline: a FlowStore that hangs is ERR_STORAGE. */
  #flowCall<T>(work: Promise<T>, what: string): Promise<T> {
    const ms = this.#storeTimeoutMs;
    return withDeadline(
      work,
      ms,
      'ERR_STORAGE',
      `The flow store (${this.#flows.location}) did not answer within ${ms} ms while ${what}.`,
    );
  }
}

/**
 * A code exchange or a refresh on its way, or the save after it: cancelled there, the provider
 * would have spent the code or rotated the refresh token for nothing, and the login be lost.
 */
function spendsOneTimeSecret(s: ReturnType<ServiceActor['getSnapshot']>): boolean {
  return (
    s.matches({ exchanging: 'attempt' }) ||
    s.matches({ authorized: 'saving' }) ||
    s.matches({ fetching: { refreshing: 'attempt' } }) ||
    s.matches({ fetching: 'savingRefreshed' })
  );
}

function unreadableFlow(location: string): AuthError {
  return new AuthError(
    'ERR_STORAGE',
    `A login in progress kept in ${location} is unreadable (changed, or kept by another version of authmachine). Start the login again.`,
  );
}

/** No cause kept: XState's errors name states and events, and a bug's message may quote a value. */
function internalFailure(): AuthError {
  return new AuthError('ERR_UNEXPECTED', 'The login service failed unexpectedly. Try again.');
}

/** The error the machine failed with. */
function failure(s: ReturnType<ServiceActor['getSnapshot']>): AuthError {
  return AuthError.fromData(
    s.context.error ?? { code: 'ERR_UNEXPECTED', message: 'The login failed without saying why.', retryable: false },
  );
}

/** "300 ms", "45 s", "5 min": how long a login may wait, for messages. */
function duration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  return ms < 120_000 ? `${Math.round(ms / 1_000)} s` : `${Math.round(ms / 60_000)} min`;
}

/** Creates a {@link LoginService}; see its options. @throws AuthError ERR_CONFIG for a device-mode protocol. */
export function createLoginService<Req, Res>(options: LoginServiceOptions<Req, Res>): LoginService<Req, Res> {
  return new LoginService(options);
}
