/**
 * Turns a protocol and a set of adapters into the actors the statechart invokes. This is the
 * only place where the machine meets I/O; each actor gets the AbortSignal XState gives it and
 * passes it down, so leaving a state aborts whatever that state started.
 */
import { fromCallback, fromPromise } from 'xstate';
import type {
  BrowserOpener,
  Clock,
  HttpClient,
  Lock,
  LockLease,
  RandomSource,
  RedirectOutcome,
  RedirectReceiver,
  RedirectSession,
  TokenStore,
} from '../../adapters/contracts.js';
import { AuthError, toAuthError } from '../../adapters/errors.js';
import type {
  DevicePollResult,
  ExpectEvent,
  FlowSession,
  CallbackResult,
  LockCommand,
  RenewalSave,
  RereadResult,
  StartResult,
  TokenSet,
} from '../../machines/types.js';
import type { AuthProtocol, ProtocolContext } from '../protocol.js';
import { loginLockKey, renewalLockKey } from './lock-keys.js';
import { decodeTokenSet, encodeTokenSet, isFresh, isUsable, sameToken } from './token-codec.js';
import { withDeadline } from './with-deadline.js';

/** The adapters {@link createFlowActors} wires into the machine's actors. */
export interface FlowAdapters {
  http: HttpClient;
  browser: BrowserOpener;
  /** null: the host receives the redirect itself and sends CALLBACK (a web server, say). */
  receiver: RedirectReceiver | null;
  /** With receiver null: the redirect URI the host serves. */
  externalRedirectUri?: string | null;
  store: TokenStore;
  clock: Clock;
  random: RandomSource;
  /** Deadline for each token-store call; a keychain that hangs fails with ERR_STORAGE. */
  storeTimeoutMs: number;
  /**
   * Serialises renewing the login (re-read -> refresh -> save) across everything that shares the
   * store: the file lock for CLI processes, Redis for many instances. null: this process only.
   */
  lock: Lock | null;
  /**
   * Makes interactive logins one at a time per account: a second process waits for the first
   * one's outcome (under the key `<storageKey>#login`, distinct from the renewal lock's). null:
   * no such wait (a server whose logins finish on other instances).
   */
  loginLock?: Lock | null;
  /**
   * The store entry (and lock key) of this login: protocol, issuer or base URL, client, profile.
   * A function: the key of each running login, found from its actor system (`actor.system` of the
   * root actor; one per login), for a host that runs many logins from one provided machine.
   */
  storageKey: string | ((system: object) => string);
}

/** The events one lock-holding actor sends back to the machine. */
interface LockEvents {
  busy?: (holder: number | null) => { type: 'LOGIN_LOCK_BUSY'; holder: number | null };
  acquired: { type: 'LOCK_ACQUIRED' } | { type: 'LOGIN_LOCK_ACQUIRED' };
  failed: (error: ReturnType<AuthError['toJSON']>) => { type: 'LOCK_FAILED' | 'LOGIN_LOCK_FAILED'; error: unknown };
}

/**
 * A callback actor that holds `lock` on its login's key while it lives: ACQUIRE takes it (answered with
 * `events`), RELEASE lets it go, stopping it aborts the wait or releases. No lock: granted at once.
 */
function lockHolder(lock: Lock | null, keyFor: (system: object) => string, events: LockEvents) {
  return fromCallback<LockCommand, void>(({ sendBack, receive, system }) => {
    let abort: AbortController | null = null;
    let lease: LockLease | null = null;
    const release = () => {
      abort?.abort();
      abort = null;
      const held = lease;
      lease = null;
      if (held) void held.release().catch(() => {});
    };
    receive((command) => {
      if (command.type === 'RELEASE') return release();
      if (lease || abort) return lease ? sendBack(events.acquired) : undefined;
      if (!lock) return sendBack(events.acquired);
      // Found when asked for, not when the actor starts: a host may bind the login to its system later.
      let key: string;
      try {
        key = keyFor(system);
      } catch (error) {
        return sendBack(events.failed(toAuthError(error).toJSON()) as never);
      }
      const waiting = new AbortController();
      abort = waiting;
      // BUSY always reaches the machine before ACQUIRED: it decides whether to look again.
      let told: Promise<void> = Promise.resolve();
      const busy = events.busy;
      const onWait = busy
        ? () => {
            // Who holds it is only for the person's message: a failure to tell is no failure.
            told = Promise.resolve()
              .then(() => lock.holder?.(key) ?? null)
              .catch(() => null)
              .then((holder) => {
                if (!waiting.signal.aborted) sendBack(busy(holder));
              });
          }
        : undefined;
      lock.acquire(key, { signal: waiting.signal, ...(onWait ? { onWait } : {}) }).then(
        (acquired) =>
          told.then(() => {
            if (waiting.signal.aborted) return void acquired.release().catch(() => {});
            lease = acquired;
            abort = null;
            sendBack(events.acquired);
          }),
        (error: unknown) => {
          if (waiting.signal.aborted) return;
          abort = null;
          sendBack(events.failed(toAuthError(error).toJSON()) as never);
        },
      );
    });
    return release;
  });
}

/** Rethrows as an AuthError so the machine records a stable code, never a foreign message. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toAuthError(error);
  }
}

/**
 * The actors the statechart invokes, made from a protocol and adapters, for
 * `authMachine.provide({ actors: createFlowActors(protocol, adapters) })`. Each rejects with an
 * AuthError (a foreign error becomes ERR_UNEXPECTED, its message dropped). Without the actions of
 * {@link createFlowImplementations}, the browser's page after the redirect never learns the
 * outcome and shows the receiver's neutral page after its bounded wait.
 */
export function createFlowActors<Req, Res>(protocol: AuthProtocol<Req, Res>, adapters: FlowAdapters) {
  return createFlowImplementations(protocol, adapters).actors;
}

/** What {@link createFlowImplementations} returns. */
export interface FlowImplementations<Req, Res> {
  /** The actors of {@link createFlowActors}. */
  actors: ReturnType<typeof buildActors<Req, Res>>;
  /** The machine's host-provided actions. */
  actions: {
    /** Answers the browser page the redirect receiver holds with how the login ended; nothing when none is held. */
    tellRedirectOutcome: (args: unknown, params: { outcome: RedirectOutcome }) => void;
  };
  /** Resolves once the outcome page last told is written (at once when none is owed). */
  pageSent(): Promise<void>;
  /** Answers a page still held with the neutral one (the flow is stopped before it knew). */
  releasePage(): void;
}

/**
 * Everything a host provides to the statechart, for
 * `authMachine.provide({ actors, actions })`: the actors of {@link createFlowActors} and the
 * `tellRedirectOutcome` action, which answers the browser page the redirect receiver holds open
 * with how the login ended. `pageSent()` resolves once that page is written (a process about to
 * exit waits for it); `releasePage()` answers it with the neutral page (the flow is stopped).
 * @see RFC 8252 section 7.3 (the loopback redirect)
 */
export function createFlowImplementations<Req, Res>(
  protocol: AuthProtocol<Req, Res>,
  adapters: FlowAdapters,
): FlowImplementations<Req, Res> {
  // The receiver's session outlives its actor from the genuine callback until the outcome is
  // known: leaving signingIn for exchanging must not answer the page yet.
  let heldSession: RedirectSession | null = null;
  let pageSent: Promise<void> = Promise.resolve();
  const tell = (outcome: RedirectOutcome | null) => {
    const session = heldSession;
    heldSession = null;
    if (session === null) return;
    const sent = outcome === null ? session.close() : (session.complete?.(outcome) ?? session.close());
    pageSent = sent.catch(() => {});
  };
  const actions = {
    tellRedirectOutcome: (_: unknown, params: { outcome: RedirectOutcome }) => tell(params.outcome),
  };
  return {
    actors: buildActors(protocol, adapters, (session) => {
      tell(null);
      heldSession = session;
    }),
    actions,
    pageSent: () => pageSent,
    releasePage: () => tell(null),
  };
}

function buildActors<Req, Res>(
  protocol: AuthProtocol<Req, Res>,
  adapters: FlowAdapters,
  holdSession: (session: RedirectSession) => void,
) {
  const ctx = (signal: AbortSignal): ProtocolContext => ({
    http: adapters.http,
    random: adapters.random,
    clock: adapters.clock,
    signal,
  });
  const store = adapters.store;
  const storageKey = adapters.storageKey;
  const keyOf = typeof storageKey === 'string' ? () => storageKey : storageKey;
  const storeCall = <T>(work: Promise<T>, what: string) =>
    withDeadline(
      work,
      adapters.storeTimeoutMs,
      'ERR_STORAGE',
      `The token store (${store.location}) did not answer within ${adapters.storeTimeoutMs} ms while ${what}.`,
    );

  return {
    loadToken: fromPromise<TokenSet | null, void>(({ signal, system }) =>
      guarded(async () => {
        const secret = await storeCall(store.get(keyOf(system)), 'reading the login');
        if (signal.aborted || secret === null) return null;
        const token = decodeTokenSet(secret, store.location);
        return isUsable(token, adapters.clock.now()) ? token : null;
      }),
    ),

    receiveRedirect: fromCallback<ExpectEvent, { mode: 'redirect' | 'device' }>(({ input, sendBack, receive }) => {
      if (input.mode === 'device' || adapters.receiver === null) {
        sendBack({
          type: 'REDIRECT_READY',
          redirectUri: input.mode === 'device' ? null : (adapters.externalRedirectUri ?? null),
        });
        return () => {};
      }
      const abort = new AbortController();
      let session: Awaited<ReturnType<RedirectReceiver['listen']>> | null = null;
      let expected: ExpectEvent | null = null;
      let delivered = false;
      receive((event) => {
        expected = event;
        session?.expect(event.state);
      });
      adapters.receiver
        .listen({
          signal: abort.signal,
          path: '/callback',
          // Untrusted (no or wrong state): the machine counts it as stray and tells the person.
          onStrayError: (stray) =>
            sendBack({
              type: 'CALLBACK',
              params: {
                error: stray.error,
                ...(stray.errorDescription ? { error_description: stray.errorDescription } : {}),
              },
            }),
        })
        .then((opened) => {
          session = opened;
          if (abort.signal.aborted) return void opened.close();
          if (expected) opened.expect(expected.state);
          sendBack({ type: 'REDIRECT_READY', redirectUri: opened.redirectUri });
          return opened.callback.then((result) => {
            delivered = true;
            sendBack(
              result.kind === 'redirect' ? { type: 'CALLBACK', params: result.params } : { type: 'USER_CONFIRMED' },
            );
          });
        })
        .catch((error: unknown) => {
          if (!abort.signal.aborted) sendBack({ type: 'RECEIVER_FAILED', error: toAuthError(error).toJSON() });
        });
      return () => {
        // After the genuine callback the session keeps the browser's page until the outcome.
        if (delivered && session?.complete) return holdSession(session);
        abort.abort();
        void session?.close();
      };
    }),

    startAuthorization: fromPromise<StartResult, { redirectUri: string | null }>(({ input, signal }) =>
      guarded(() => protocol.start(ctx(signal), input)),
    ),

    openBrowser: fromPromise<void, { url: string }>(({ input, signal }) =>
      guarded(() => adapters.browser.open(input.url, signal)),
    ),

    pollDevice: fromPromise<DevicePollResult, { session: FlowSession }>(({ input, signal }) =>
      guarded(async () => {
        if (!protocol.pollDevice)
          throw new AuthError('ERR_CONFIG', `The ${protocol.name} protocol has no device grant.`);
        return protocol.pollDevice(ctx(signal), input);
      }),
    ),

    exchangeCode: fromPromise<TokenSet, { session: FlowSession; callback: CallbackResult }>(({ input, signal }) =>
      guarded(() => protocol.exchange(ctx(signal), input)),
    ),

    saveToken: fromPromise<void, { token: TokenSet }>(({ input, system }) =>
      guarded(() => saveTokenSet(protocol, store, keyOf(system), input.token, storeCall)),
    ),

    fetchResource: fromPromise<unknown, { token: TokenSet; request: unknown }>(({ input, signal }) =>
      guarded(() => protocol.fetch(ctx(signal), { token: input.token, request: input.request as Req })),
    ),

    refreshToken: fromPromise<TokenSet, { token: TokenSet }>(({ input, signal }) =>
      guarded(async () => {
        if (!protocol.refresh) throw new AuthError('ERR_TOKEN_INVALID', 'The login expired. Log in again.');
        return protocol.refresh(ctx(signal), input);
      }),
    ),

    // Compare-and-delete: an entry that holds another token (renewed or logged in again by
    // another process) is not this token's to remove. The lock is held here, so nothing of ours
    // writes the entry between the read and the delete.
    clearToken: fromPromise<void, { token: TokenSet }>(({ input, system }) =>
      guarded(async () => {
        const key = keyOf(system);
        const secret = await storeCall(store.get(key), 'reading the login');
        if (secret === null) return;
        let stored: TokenSet | null = null;
        try {
          stored = decodeTokenSet(secret, store.location);
        } catch {
          stored = null; // unreadable: no login can be lost by removing it
        }
        if (stored !== null && !sameToken(stored, input.token)) return;
        await storeCall(store.delete(key), 'removing the login');
      }),
    ),

    rereadToken: fromPromise<RereadResult, { token: TokenSet; refreshSkewMs: number }>(({ input, system }) =>
      guarded(async () => {
        const secret = await storeCall(store.get(keyOf(system)), 'reading the login');
        if (secret === null) return { stored: null, renewed: false };
        const stored = decodeTokenSet(secret, store.location);
        const renewed = !sameToken(stored, input.token) && isFresh(stored, adapters.clock.now(), input.refreshSkewMs);
        return { stored, renewed };
      }),
    ),

    holdLock: lockHolder(adapters.lock, (system) => renewalLockKey(keyOf(system)), {
      acquired: { type: 'LOCK_ACQUIRED' },
      failed: (error) => ({ type: 'LOCK_FAILED', error }),
    }),

    holdLoginLock: lockHolder(adapters.loginLock ?? null, (system) => loginLockKey(keyOf(system)), {
      busy: (holder) => ({ type: 'LOGIN_LOCK_BUSY', holder }),
      acquired: { type: 'LOGIN_LOCK_ACQUIRED' },
      failed: (error) => ({ type: 'LOGIN_LOCK_FAILED', error }),
    }),

    // Compare-and-set under the renewal lock: write only over the very token this renewal was
    // made from. Anything else there is newer (a login saved meanwhile) or gone (a logout).
    saveRenewedToken: fromPromise<RenewalSave, { token: TokenSet; renewedFrom: TokenSet }>(({ input, system }) =>
      guarded(() => saveRenewal(protocol, store, keyOf(system), input, storeCall)),
    ),

    logout: fromPromise<void, { token: TokenSet }>(({ input, signal, system }) =>
      guarded(async () => {
        const key = keyOf(system);
        // Forget the token locally even when the server cannot be told: a logout must not leave
        // a usable secret behind because the network is down. The revocation error is reported.
        let revokeError: unknown = null;
        if (protocol.revoke) await protocol.revoke(ctx(signal), input).catch((error: unknown) => (revokeError = error));
        await storeCall(store.delete(key), 'removing the login');
        if (revokeError !== null) throw revokeError;
      }),
    ),
  };
}

/**
 * A renewal's compare-and-set (run under the renewal lock): writes `input.token` only over the
 * very token it was renewed from. Anything else there is newer (a login saved meanwhile) or gone
 * (a logout), and is reported instead.
 */
export async function saveRenewal<Req, Res>(
  protocol: AuthProtocol<Req, Res>,
  store: TokenStore,
  key: string,
  input: { token: TokenSet; renewedFrom: TokenSet },
  storeCall: <T>(work: Promise<T>, what: string) => Promise<T>,
): Promise<RenewalSave> {
  const secret = await storeCall(store.get(key), 'reading the login');
  if (secret === null) return { saved: false, stored: null };
  const stored = decodeTokenSet(secret, store.location);
  if (!sameToken(stored, input.renewedFrom)) return { saved: false, stored };
  // A provider that does not rotate may leave the refresh token out: keep what it says to.
  const token =
    protocol.keepFromStored && input.token.refreshToken === undefined
      ? protocol.keepFromStored(input.token, stored)
      : input.token;
  await storeCall(store.set(key, encodeTokenSet(token)), 'saving the login');
  return { saved: true };
}

/**
 * Saves a token set under `key`, keeping from the stored one what the protocol says to keep
 * (a refresh token the provider sends only once, say).
 */
export async function saveTokenSet<Req, Res>(
  protocol: AuthProtocol<Req, Res>,
  store: TokenStore,
  key: string,
  fresh: TokenSet,
  storeCall: <T>(work: Promise<T>, what: string) => Promise<T>,
): Promise<void> {
  let token = fresh;
  if (protocol.keepFromStored && token.refreshToken === undefined) {
    // Only what the protocol says to keep, and only from an entry we can read.
    const stored = await storeCall(store.get(key), 'reading the login').catch(() => null);
    let previous: TokenSet | null = null;
    try {
      previous = stored === null ? null : decodeTokenSet(stored, store.location);
    } catch {
      previous = null;
    }
    if (previous) token = protocol.keepFromStored(token, previous);
  }
  await storeCall(store.set(key, encodeTokenSet(token)), 'saving the login');
}
