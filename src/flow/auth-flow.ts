/**
 * createAuthFlow: the statechart wired to a protocol and adapters, behind promise methods. A host
 * that wants the machine itself uses `flow.actor` (or `authMachine.provide(createFlowActors(...))`).
 */
import { createActor, type Actor, type InspectionEvent, type Observer, type Snapshot } from 'xstate';
import type {
  BrowserOpener,
  Clock,
  HttpClient,
  Lock,
  RandomSource,
  RedirectReceiver,
  TokenStore,
} from '../../adapters/contracts.js';
import { AuthError, isAuthError, toAuthError } from '../../adapters/errors.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { cryptoRandom, systemClock } from '../../adapters/system-clock.js';
import { authMachine } from '../../machines/auth-machine.js';
import type { AuthEmitted, AuthErrorData, FlowConfig, TokenSet } from '../../machines/types.js';
import type { AuthProtocol } from '../protocol.js';
import { createFlowImplementations } from './actors.js';
import { decodeTokenSet, isUsable } from './token-codec.js';
import { withDeadline } from './with-deadline.js';

/** What {@link createAuthFlow} wires together: a protocol, the adapters, and the flow's settings. */
export interface AuthFlowOptions<Req, Res> {
  /** Pocket ({@link createPocketProtocol}) or OAuth 2.0 / OIDC ({@link createOAuth2Protocol}). */
  protocol: AuthProtocol<Req, Res>;
  /** Every HTTP request of the flow goes through it (AxiosHttpClient, FetchHttpClient). */
  http: HttpClient;
  /** Default: none that opens anything; the host shows the URL from the `authorizationUrl` event. */
  browser?: BrowserOpener;
  /** null: the host receives the redirect itself and calls `flow.callback(params)`. */
  receiver: RedirectReceiver | null;
  /** With `receiver: null`: the redirect URI the host serves (RFC 6749 section 3.1.2). */
  externalRedirectUri?: string;
  /** Default: memory (this process only). */
  store?: TokenStore;
  /**
   * Makes renewing the login single-flight across processes or instances that share the store
   * (a file lock for CLI processes, Redis for a server). Default: none (this process only).
   */
  lock?: Lock;
  /**
   * Makes interactive logins one at a time per account: a login (or `login({ signIn: false })`)
   * that finds no usable stored login while another process is waiting for its person waits for
   * that login's outcome and uses it, instead of opening a second approval page. Held from the
   * wait through the save, for as long as the person takes: give a lock whose leases outlive the
   * user timeout (the CLI gives its FileLock, which the kernel frees when a holder dies). The key
   * is `<storageKey>#login`, distinct from the renewal lock's. Default: none.
   */
  loginLock?: Lock;
  /**
   * The store entry (and lock key) of this login. Default: the protocol's own key (issuer or
   * base URL and client); a host with several accounts per client adds the account to it.
   */
  storageKey?: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: node:crypto. */
  random?: RandomSource;
  /** Deadline of each token-store call, in milliseconds (default 10,000); past it: ERR_STORAGE. */
  storeTimeoutMs?: number;
  /** Retries, back-off and the wait for the person; see {@link FlowConfig}. */
  config?: Partial<FlowConfig>;
  /** XState inspection observer, e.g. the redacting one from src/inspect. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** A snapshot from `flow.persist()` to resume, e.g. in another process. */
  snapshot?: Snapshot<unknown>;
}

/** What a login resolves to. Holds no secret. */
export interface LoginResult {
  /** Who logged in, when the provider says (Pocket's username, OIDC's name or sub). */
  username: string | null;
  /** Whether a stored token was used (no browser). */
  fromStore: boolean;
  /** When the access token expires, in epoch milliseconds; null when the provider gives no expiry. */
  expiresAt: number | null;
  /**
   * Another process was logging in to the same account: this login waited for it (pid when
   * known) and, with `fromStore`, uses the login it completed. null: no wait.
   */
  waitedFor: { pid: number | null } | null;
}

const noBrowser: BrowserOpener = { open: async () => {} };

type AuthActor = Actor<typeof authMachine>;

/**
 * The login statechart wired to a protocol and adapters, behind promise methods: `login()`,
 * `fetch()`, `logout()`. Made by {@link createAuthFlow}; `flow.actor` is the running XState actor
 * for hosts that want to watch or drive the machine itself.
 */
export class AuthFlow<Req = unknown, Res = unknown> {
  /** The running XState actor of {@link authMachine}. */
  readonly actor: AuthActor;
  /** Where this flow keeps its login (the `store` option, or memory). */
  readonly store: TokenStore;
  readonly #storageKey: string;
  readonly #clock: Clock;
  readonly #storeTimeoutMs: number;
  readonly #page: { sent(): Promise<void>; release(): void };
  #nextFetchId = 0;

  constructor(options: AuthFlowOptions<Req, Res>) {
    this.store = options.store ?? new MemoryTokenStore();
    this.#storageKey = options.storageKey ?? options.protocol.storageKey;
    this.#clock = options.clock ?? systemClock;
    this.#storeTimeoutMs = options.storeTimeoutMs ?? 10_000;
    const { actors, actions, pageSent, releasePage } = createFlowImplementations(options.protocol, {
      http: options.http,
      browser: options.browser ?? noBrowser,
      receiver: options.receiver,
      externalRedirectUri: options.externalRedirectUri ?? null,
      store: this.store,
      clock: this.#clock,
      random: options.random ?? cryptoRandom,
      storeTimeoutMs: this.#storeTimeoutMs,
      lock: options.lock ?? null,
      loginLock: options.loginLock ?? null,
      storageKey: this.#storageKey,
    });
    this.#page = { sent: pageSent, release: releasePage };
    const machine = authMachine.provide({ actors, actions });
    this.actor = createActor(machine, {
      input: { config: { mode: options.protocol.mode, ...options.config } },
      ...(options.inspect ? { inspect: options.inspect } : {}),
      ...(options.snapshot ? { snapshot: options.snapshot } : {}),
    });
    this.actor.start();
  }

  /**
   * Logs in, or reuses a stored login that is still usable unless `force` is set. `signIn: false`
   * (a token printer): never starts a sign-in; uses a stored login, or waits for the one another
   * process is completing (with `loginLock`), else rejects with ERR_NOT_LOGGED_IN.
   * @throws AuthError the code the flow failed with: ERR_DECLINED, ERR_TIMEOUT (the person did not
   *   come back within `userTimeoutMs`, or another process's login outlasted `loginWaitMs`),
   *   ERR_STATE_MISMATCH, ERR_ISSUER_MISMATCH, ERR_CODE_INVALID, ERR_INVALID_CLIENT, ERR_EXPIRED
   *   (device code), ERR_NETWORK, ERR_SERVER, ERR_RATE_LIMITED, ERR_BAD_RESPONSE, ERR_PROTOCOL,
   *   ERR_INSECURE_URL, ERR_LISTENER, ERR_STORAGE, ERR_STORAGE_UNAVAILABLE, ERR_CONFIG,
   *   ERR_CANCELLED, ERR_NOT_LOGGED_IN (with `signIn: false`).
   * @see RFC 6749 section 4.1, RFC 8628 section 3
   */
  login(options: { force?: boolean; signIn?: boolean } = {}): Promise<LoginResult> {
    if (this.actor.getSnapshot().matches({ authorized: 'ready' }) && !(options.force && options.signIn !== false))
      return Promise.resolve(this.#loginResult(true, null));
    let sawSignIn = false;
    let waitedFor: { pid: number | null } | null = null;
    const waiting = this.actor.on('waitingForLogin', (e) => (waitedFor = { pid: e.holder }));
    const settled = this.#waitFor((s) => {
      if (s.matches('signingIn')) sawSignIn = true;
      return s.matches({ authorized: 'ready' }) || s.matches('failed') || s.matches('idle');
    });
    this.actor.send({ type: 'LOGIN', force: options.force ?? false, signIn: options.signIn ?? true });
    // The browser's page tells the outcome before the caller hears it (and maybe exits).
    return settled
      .then(async (s) => {
        await this.#page.sent();
        if (s.matches('failed')) throw failureOf(s);
        if (s.matches('idle')) throw new AuthError('ERR_CANCELLED', 'The login was cancelled.');
        return this.#loginResult(!sawSignIn, waitedFor);
      })
      .finally(() => waiting.unsubscribe());
  }

  /**
   * Loads a usable stored login, and never starts a new one (no listener, no browser, no request
   * to the provider): for commands that act on an existing login. Null when there is none.
   * @throws AuthError ERR_STORAGE, ERR_STORAGE_UNAVAILABLE (the store failed).
   */
  async resume(): Promise<LoginResult | null> {
    if (this.actor.getSnapshot().matches({ authorized: 'ready' })) return this.#loginResult(true, null);
    const secret = await this.#storeCall(this.store.get(this.#storageKey), 'reading the login');
    if (secret === null || !isUsable(decodeTokenSet(secret, this.store.location), this.#clock.now())) return null;
    // Should the entry vanish in between, the machine would go on to sign in: stop it at the door.
    const guard = this.actor.subscribe((s) => {
      if (s.matches('signingIn')) this.actor.send({ type: 'CANCEL' });
    });
    try {
      return await this.login();
    } catch (error) {
      if (isAuthError(error, 'ERR_CANCELLED')) return null;
      throw error;
    } finally {
      guard.unsubscribe();
    }
  }

  /**
   * One authenticated call through the machine. A token within `refreshSkewMs` of its expiry is
   * renewed first; a 401 renews it once. Renewal is single-flight under the flow's lock.
   * @throws AuthError ERR_NOT_LOGGED_IN, ERR_TOKEN_INVALID (dead and not renewable: log in again),
   *   ERR_FORBIDDEN (Pocket), ERR_NETWORK, ERR_TIMEOUT, ERR_SERVER, ERR_RATE_LIMITED, ERR_STORAGE,
   *   ERR_UNEXPECTED (an answer of another kind), and the protocol's own errors.
   * @see RFC 6750 section 3.1, RFC 6749 section 6
   */
  fetch<R extends Req>(request: R): Promise<AnswerTo<Res, R>> {
    return this.#ask({ type: 'FETCH', request }).then((answer) => {
      if (!answersRequest(request, answer))
        throw new AuthError('ERR_UNEXPECTED', 'The protocol answered a different kind of request.');
      return answer as AnswerTo<Res, R>;
    });
  }

  /**
   * The current token set, renewed first (single-flight, under the lock) when it is expired or
   * within `refreshSkewMs` of expiry. Never starts a login: rejects with ERR_NOT_LOGGED_IN when
   * there is none, ERR_TOKEN_INVALID when it can no longer be renewed. Holds secrets.
   * @throws AuthError ERR_NOT_LOGGED_IN, ERR_TOKEN_INVALID, ERR_NETWORK, ERR_TIMEOUT, ERR_SERVER, ERR_STORAGE
   */
  async freshToken(): Promise<TokenSet> {
    await this.#ask({ type: 'REFRESH' });
    return this.actor.getSnapshot().context.token as TokenSet;
  }

  #ask(what: { type: 'FETCH'; request: Req } | { type: 'REFRESH' }): Promise<unknown> {
    if (!this.actor.getSnapshot().matches({ authorized: 'ready' })) {
      return Promise.reject(new AuthError('ERR_NOT_LOGGED_IN', 'Not logged in. Run the login first.'));
    }
    const id = String(++this.#nextFetchId);
    return new Promise<unknown>((resolve, reject) => {
      const subs = [
        this.actor.on('fetched', (e) => {
          if (e.id !== id) return;
          done();
          resolve(e.result);
        }),
        this.actor.on('fetchFailed', (e) => {
          if (e.id !== id) return;
          done();
          reject(AuthError.fromData(e.error));
        }),
        this.actor.subscribe((s) => {
          if (!s.matches('failed')) return;
          done();
          reject(failureOf(s));
        }),
      ];
      const done = () => {
        for (const sub of subs) sub.unsubscribe();
      };
      const now = this.#clock.now();
      this.actor.send(
        what.type === 'FETCH' ? { type: 'FETCH', request: what.request, id, now } : { type: 'REFRESH', id, now },
      );
    });
  }

  /**
   * Revokes where the protocol can (RFC 7009) and deletes the stored token.
   * @throws AuthError ERR_STORAGE (the entry could not be removed), and the revocation endpoint's
   *   ERR_NETWORK, ERR_TIMEOUT, ERR_SERVER.
   */
  async logout(): Promise<void> {
    // An unreadable entry counts as nothing usable; a store that fails shows on the delete below.
    if ((await this.resume().catch(() => null)) === null) {
      // Nothing usable to revoke (none stored, expired for good, unreadable): leave nothing behind.
      await this.#storeCall(this.store.delete(this.#storageKey), 'removing the login');
      return;
    }
    const settled = this.#waitFor((s) => s.matches('idle') || s.matches('failed'));
    this.actor.send({ type: 'LOGOUT' });
    const s = await settled;
    if (s.matches('failed')) throw failureOf(s);
  }

  /** Tells the flow what came back to a redirect URI the host serves itself. */
  callback(params: Record<string, string>): void {
    this.actor.send({ type: 'CALLBACK', params });
  }

  /** Cancels whatever the flow is doing (CANCEL): every running request is aborted, the listener closed. */
  cancel(): void {
    this.actor.send({ type: 'CANCEL' });
  }

  /** Plain JSON; holds the flow's secrets (PKCE verifier, request token): store it like a token. */
  persist(): unknown {
    return this.actor.getPersistedSnapshot();
  }

  /**
   * Listens to what the flow emits (`authorizationUrl`, `browserFailed`, `retrying`, ...).
   * Returns a subscription; call `unsubscribe()` on it to stop.
   */
  on<T extends AuthEmitted['type']>(
    type: T,
    handler: (event: AuthEmitted & (T extends '*' ? unknown : { type: T })) => void,
  ) {
    return this.actor.on(type, handler);
  }

  /** The current state name, e.g. "awaitingUser", and the error when failed. */
  get state(): { value: string; error: AuthErrorData | null } {
    const s = this.actor.getSnapshot();
    return { value: stateName(s.value), error: s.context.error };
  }

  /** Stops the actor for good (its invoked actors are aborted; a held browser page gets the neutral one). */
  stop(): void {
    this.actor.stop();
    this.#page.release();
  }

  #storeCall<T>(work: Promise<T>, what: string): Promise<T> {
    const deadline = this.#storeTimeoutMs;
    const message = `The token store (${this.store.location}) did not answer within ${deadline} ms while ${what}.`;
    return withDeadline(work, deadline, 'ERR_STORAGE', message).catch((error: unknown) => {
      throw toAuthError(error);
    });
  }

  #loginResult(fromStore: boolean, waitedFor: { pid: number | null } | null): LoginResult {
    const token = this.actor.getSnapshot().context.token as TokenSet;
    return { username: token.username ?? null, fromStore, expiresAt: token.expiresAt ?? null, waitedFor };
  }

  #waitFor(done: (s: ReturnType<AuthActor['getSnapshot']>) => boolean) {
    return new Promise<ReturnType<AuthActor['getSnapshot']>>((resolve) => {
      const sub = this.actor.subscribe((s) => {
        if (done(s)) {
          sub.unsubscribe();
          resolve(s);
        }
      });
    });
  }
}

/**
 * What `flow.fetch(request)` resolves to. A protocol whose answers are tagged with the kind of
 * their request (Pocket: `{ kind: 'get', result }`) gives the answer of that kind, so a caller
 * reads `answer.result` without switching on kinds; any other protocol gives its one answer type.
 */
export type AnswerTo<Res, R> = R extends { kind: infer K }
  ? [Extract<Res, { kind: K }>] extends [never]
    ? Res
    : Extract<Res, { kind: K }>
  : Res;

/** A tagged answer must carry its request's kind (the type above promises it). */
function answersRequest(request: unknown, answer: unknown): boolean {
  const kindOf = (value: unknown) =>
    typeof value === 'object' && value !== null && 'kind' in value ? (value as { kind: unknown }).kind : undefined;
  const asked = kindOf(request);
  const given = kindOf(answer);
  return asked === undefined || given === undefined || asked === given;
}

/** The error a `failed` snapshot holds, as the AuthError a caller catches. */
function failureOf(s: ReturnType<AuthActor['getSnapshot']>): AuthError {
  const data = s.context.error ?? {
    code: 'ERR_UNEXPECTED',
    message: 'The flow failed without saying why.',
    retryable: false,
  };
  return AuthError.fromData(data);
}

/** The innermost meaningful name: "awaitingUser" rather than {"signingIn":{"awaitingUser":...}}. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [outer, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['unknown', null];
  if (outer === 'signingIn' && inner !== null) return stateName(inner);
  return outer;
}

/**
 * Creates a login flow: the statechart wired to a protocol and its adapters.
 *
 * The returned flow's methods reject with {@link AuthError} only: `login()` with the code the flow
 * failed with (ERR_DECLINED, ERR_TIMEOUT, ERR_STATE_MISMATCH, ERR_NETWORK, ERR_STORAGE,
 * ERR_CANCELLED, ...), `fetch()` with ERR_NOT_LOGGED_IN, ERR_TOKEN_INVALID or the protocol's own.
 *
 * @see RFC 8252 (OAuth 2.0 for native apps), RFC 6749 section 4.1 (the authorization code grant)
 * @example
 * ```ts
 * import { createAuthFlow, createOAuth2Protocol, FetchHttpClient, LoopbackReceiver, SystemBrowserOpener, isAuthError } from 'authmachine';
 *
 * const flow = createAuthFlow({
 *   protocol: createOAuth2Protocol({ issuer: 'https://id.example.com', clientId: 'my-cli' }),
 *   http: new FetchHttpClient(),
 *   receiver: new LoopbackReceiver(),
 *   browser: new SystemBrowserOpener(),
 * });
 * flow.on('authorizationUrl', ({ url }) => console.log(`Open ${url}`));
 * try {
 *   const { username } = await flow.login();
 *   const me = await flow.fetch({ url: 'https://api.example.com/me' });
 * } catch (error) {
 *   if (isAuthError(error, 'ERR_DECLINED')) console.error('Access was declined.');
 *   else throw error;
 * } finally {
 *   flow.stop();
 * }
 * ```
 */
export function createAuthFlow<Req, Res>(options: AuthFlowOptions<Req, Res>): AuthFlow<Req, Res> {
  return new AuthFlow(options);
}
