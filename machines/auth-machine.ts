/**
 * The login statechart. No I/O happens here: every effect is an invoked actor that the host
 * provides with `authMachine.provide({ actors: { ... } })` (src/flow wires the protocols and
 * adapters). Read this file top to bottom to see what happens after the person approves.
 *
 *   idle -> checkingStore -> signingIn(preparing -> requestingToken -> awaitingUser)
 *        -> exchanging -> authorized(saving -> ready) <-> fetching -> failed (RETRY)
 *
 * Renewing a token is single-flight across processes: `fetching` holds the login's lock (an
 * invoked actor, so CANCEL and the lockTimeout delay end the wait) from acquiringLock through
 * rereading -> refreshing -> savingRefreshed, re-reads the stored entry once it holds it, and
 * uses a token another process already renewed instead of spending a rotated refresh token.
 * Saving a renewal is a compare-and-set under that lock, and a new login is saved under it too.
 *
 * Interactive logins are one at a time per account: with no usable stored login, checkingStore
 * waits for the account's login lock (waitingForLogin). The root's loginLock actor holds it from
 * there through signingIn and exchanging until the new login is saved (or the attempt ends), so a
 * second process waits for the first one's outcome and uses it instead of opening a second page.
 */
import { assign, emit, enqueueActions, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import { safeProviderText } from '../vocabulary/index.js';
import { flowError, toFlowError } from './errors.js';
import { backoffDelay, backoffState, errorParams, retryTransition } from './retry.js';
import {
  DEFAULT_FLOW_CONFIG,
  type AuthContext,
  type AuthEmitted,
  type AuthEvent,
  type AuthInput,
  type CallbackResult,
  type DevicePollResult,
  type ExpectEvent,
  type FlowSession,
  type LockCommand,
  type PendingFetch,
  type RedirectOutcome,
  type RetryingStep,
  type RenewalSave,
  type StrayError,
  type RereadResult,
  type StartResult,
  type TokenSet,
} from './types.js';

/** Placeholder for an actor the host must provide; fails the flow with a clear ERR_CONFIG. */
function required<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw flowError('ERR_CONFIG', `The host did not provide the "${name}" actor.`);
  });
}

const SLOW_DOWN_STEP_MS = 5_000; // RFC 8628 section 3.5

/** Everything that belongs to one login attempt, cleared whenever it ends. */
const clearedAttempt = {
  attempt: 0,
  retryAfterMs: null,
  redirectUri: null,
  session: null,
  authorizationUrl: null,
  userCode: null,
  pollIntervalMs: 0,
  browser: null,
  strayCallbacks: 0,
  strayError: null,
  callback: null,
} satisfies Partial<AuthContext>;

/** Everything that may hold a secret or belongs to one login, cleared on idle and failed. */
const clearedLogin = {
  ...clearedAttempt,
  token: null,
  pendingFetch: null,
  refreshed: false,
  renewedFrom: null,
} satisfies Partial<AuthContext>;

function initialContext(input: AuthInput | undefined): AuthContext {
  const config = { ...DEFAULT_FLOW_CONFIG, ...input?.config };
  return {
    ...clearedLogin,
    config,
    force: false,
    signIn: true,
    waitedForLogin: false,
    userDeadlineMs: config.userTimeoutMs,
    error: null,
  };
}

/** Where every permanent failure goes: `failed`, with the error kept as plain JSON. */
const failWithError = { target: '#auth.failed', actions: { type: 'failWithEventError', params: errorParams } } as const;

/**
 * LOGIN from a resting state: forced straight to the login lock (then signingIn), else the store
 * is looked at first.
 */
const loginTransitions = [
  { guard: 'isForcedSignIn', target: '#auth.checkingStore.waitingForLogin', actions: 'rememberLogin' },
  { target: '#auth.checkingStore', actions: 'rememberLogin' },
] as const;

/** Input of the actors that act on the current token (save, fetch's refresh, logout). */
const tokenInContext = ({ context }: { context: AuthContext }) => ({ token: context.token as TokenSet });

/** The token in context may not be sent as it is: expired, or (with a refresh token) within the skew window. */
function tokenIsStale(context: AuthContext, now: number | undefined): boolean {
  const expiresAt = context.token?.expiresAt;
  if (now === undefined || !Number.isFinite(now) || expiresAt === undefined) return false;
  if (now >= expiresAt) return true;
  return typeof context.token?.refreshToken === 'string' && now >= expiresAt - context.config.refreshSkewMs;
}

/**
 * What an untrusted error redirect said, cleaned for a terminal and a page. Null for a stray hit
 * that carried no `error`.
 */
function strayErrorOf(params: Record<string, string>): StrayError | null {
  const error = params['error'];
  if (error === undefined || error === '') return null;
  const description = params['error_description'];
  return {
    error: safeProviderText(error, 64),
    ...(description ? { description: safeProviderText(description, 200) } : {}),
  };
}

/** "error: description", as the terminal shows it. */
const strayText = (stray: StrayError) => `${stray.error}${stray.description ? `: ${stray.description}` : ''}`;

/** How a login that came back through the redirect ended, from the error `failed` holds. */
function outcomeOfError(error: AuthContext['error']): RedirectOutcome {
  if (error === null) return { kind: 'failed', code: 'ERR_UNEXPECTED' };
  if (error.code === 'ERR_CANCELLED') return { kind: 'cancelled' };
  const provider = error.providerCode === undefined ? {} : { providerCode: error.providerCode };
  return error.code === 'ERR_DECLINED'
    ? { kind: 'declined', ...provider }
    : { kind: 'failed', code: error.code, ...provider };
}

/** The wait a pending or slow_down answer asked for (Retry-After), if any. */
const serverWaitOf = (result: DevicePollResult) =>
  result.status === 'approved' ? null : (result.retryAfterMs ?? null);

// Guard and action params, read from the typed event of the transition that uses them.
const nowParams = ({ event }: { event: { now?: number } }) => ({ now: event.now });
const rereadParams = ({ event }: { event: { output: RereadResult } }) => ({ reread: event.output });
const pollParams = ({ event }: { event: { output: DevicePollResult } }) => ({ result: event.output });
const renewalSaveParams = ({ event }: { event: { output: RenewalSave } }) => ({ save: event.output });
const storedParams = ({ event }: { event: { output: TokenSet | null } }) => ({ token: event.output });

/** FETCH and REFRESH both park their id here until fetched / fetchFailed reports on them. */
const pendingFetch = ({ event }: { event: { id: string; request: unknown } }): PendingFetch => ({
  id: event.id,
  request: event.request,
});
const pendingRefresh = ({ event }: { event: { id: string } }): PendingFetch => ({
  id: event.id,
  request: null,
  refreshOnly: true,
});

const machine = setup({
  types: {
    context: {} as AuthContext,
    events: {} as AuthEvent,
    input: {} as AuthInput,
    emitted: {} as AuthEmitted,
  },
  actors: {
    /** Read the stored token set; null when there is none or it can no longer be used. */
    loadToken: required<TokenSet | null, void>('loadToken'),
    /** Bind the redirect receiver; send REDIRECT_READY, then CALLBACK / USER_CONFIRMED. */
    receiveRedirect: fromCallback<ExpectEvent, { mode: 'redirect' | 'device' }>(({ sendBack }) => {
      sendBack({
        type: 'RECEIVER_FAILED',
        error: flowError('ERR_CONFIG', 'The host did not provide the "receiveRedirect" actor.'),
      });
    }),
    startAuthorization: required<StartResult, { redirectUri: string | null }>('startAuthorization'),
    openBrowser: required<void, { url: string }>('openBrowser'),
    pollDevice: required<DevicePollResult, { session: FlowSession }>('pollDevice'),
    exchangeCode: required<TokenSet, { session: FlowSession; callback: CallbackResult }>('exchangeCode'),
    saveToken: required<void, { token: TokenSet }>('saveToken'),
    fetchResource: required<unknown, { token: TokenSet; request: unknown }>('fetchResource'),
    refreshToken: required<TokenSet, { token: TokenSet }>('refreshToken'),
    /** Delete the stored entry if it still holds this token (compare-and-delete). */
    clearToken: required<void, { token: TokenSet }>('clearToken'),
    /** Revoke where the protocol can, then delete the stored token. */
    logout: required<void, { token: TokenSet }>('logout'),
    /**
     * Holds the login's lock while it lives: ACQUIRE takes it (LOCK_ACQUIRED / LOCK_FAILED come
     * back), RELEASE lets it go, and stopping the actor (leaving `fetching`) aborts the wait or
     * releases it. Without a host lock it is granted at once (one process, nothing to share).
     */
    holdLock: fromCallback<LockCommand, void>(({ sendBack, receive }) => {
      receive((command) => {
        if (command.type === 'ACQUIRE') sendBack({ type: 'LOCK_ACQUIRED' });
      });
    }),
    /**
     * Holds the account's login lock (a key distinct from the renewal lock): ACQUIRE takes it
     * (LOGIN_LOCK_BUSY when another process holds it, then LOGIN_LOCK_ACQUIRED or
     * LOGIN_LOCK_FAILED), RELEASE lets it go. Without a host lock it is granted at once.
     */
    holdLoginLock: fromCallback<LockCommand, void>(({ sendBack, receive }) => {
      receive((command) => {
        if (command.type === 'ACQUIRE') sendBack({ type: 'LOGIN_LOCK_ACQUIRED' });
      });
    }),
    /**
     * Saves a renewed token set only if the stored entry still holds the one it was renewed from
     * (compare-and-set, under the renewal lock); else reports what the entry holds.
     */
    saveRenewedToken: required<RenewalSave, { token: TokenSet; renewedFrom: TokenSet }>('saveRenewedToken'),
    /** Read the stored entry again once the lock is held (see RereadResult). */
    rereadToken: required<RereadResult, { token: TokenSet; refreshSkewMs: number }>('rereadToken'),
  },
  guards: {
    /** A forced LOGIN while logged in; a token printer's LOGIN { signIn: false } never forces. */
    isForcedSignIn: ({ event }) => event.type === 'LOGIN' && event.force === true && event.signIn !== false,
    /** The login that failed was a forced one: RETRY forces again. */
    wasForced: ({ context }) => context.force,
    isDeviceMode: ({ context }) => context.config.mode === 'device',
    hasStoredToken: (_, params: { token: TokenSet | null }) => params.token !== null,
    /** This LOGIN may not open a sign-in here (LOGIN { signIn: false }). */
    mayNotSignIn: ({ context }) => !context.signIn,
    /** Another process held the login lock: its login may have been saved meanwhile. */
    waitedForLogin: ({ context }) => context.waitedForLogin,
    renewalSaved: (_, params: { save: RenewalSave }) => params.save.saved,
    renewalLoggedOut: (_, params: { save: RenewalSave }) => !params.save.saved && params.save.stored === null,
    callbackStateMatches: ({ context, event }) =>
      event.type === 'CALLBACK' &&
      context.session !== null &&
      context.session.state !== null &&
      event.params.state === context.session.state,
    /** Manual confirmation is only accepted when there is no state to check (seed-style Pocket). */
    confirmationAllowed: ({ context }) => context.session !== null && context.session.state === null,
    canRetry: ({ context }, params: { error: unknown }) => {
      const error = toFlowError(params.error);
      if (!error.retryable || context.attempt + 1 >= context.config.maxAttempts) return false;
      return (error.retryAfterMs ?? 0) <= context.config.maxRetryAfterMs;
    },
    pollApproved: (_, params: { result: DevicePollResult }) => params.result.status === 'approved',
    pollSlowDown: (_, params: { result: DevicePollResult }) => params.result.status === 'slow_down',
    tokenInvalid: (_, params: { error: unknown }) => toFlowError(params.error).code === 'ERR_TOKEN_INVALID',
    tokenIsStale: ({ context }, params: { now: number | undefined }) => tokenIsStale(context, params.now),
    storedGone: (_, params: { reread: RereadResult }) => params.reread.stored === null,
    alreadyRenewed: ({ context }) => context.refreshed,
    storedRenewed: (_, params: { reread: RereadResult }) => params.reread.renewed,
    storedRefreshable: (_, params: { reread: RereadResult }) => typeof params.reread.stored?.refreshToken === 'string',
    isRefreshOnly: ({ context }) => context.pendingFetch?.refreshOnly === true,
  },
  delays: {
    retryDelay: ({ context }) => backoffDelay(context.config, context.attempt, context.retryAfterMs),
    userTimeout: ({ context }) => context.userDeadlineMs,
    lockTimeout: ({ context }) => context.config.lockTimeoutMs,
    loginWaitTimeout: ({ context }) => context.config.loginWaitMs ?? context.config.userTimeoutMs,
    // After a failed poll the server's Retry-After (429/503) wins over a shorter poll interval.
    pollInterval: ({ context }) => Math.max(context.pollIntervalMs, context.retryAfterMs ?? 0),
  },
  actions: {
    resetAttempts: assign({ attempt: 0, retryAfterMs: null }),
    /**
     * Asks for the account's login lock. Named so that a host without an account lock can provide
     * it otherwise (the login service raises LOGIN_LOCK_ACQUIRED: granted at once).
     */
    acquireLoginLock: sendTo('loginLock', { type: 'ACQUIRE' } satisfies LockCommand),
    /**
     * Tells the redirect receiver which state to accept. Named so that a host without a receiver
     * (the login service serves the redirect URI itself) can provide it as nothing.
     */
    expectCallback: sendTo(
      'receiver',
      (_, params: { state: string | null }) => ({ type: 'EXPECT', state: params.state }) satisfies ExpectEvent,
    ),
    /** Lets the account's login lock go (wherever a login attempt ends). */
    // Only to a running holder: while the actor stops, its children go first (and a stopped holder
    // has let its lock go already).
    releaseLoginLock: enqueueActions(({ enqueue, self }) => {
      if ((self.getSnapshot() as { children?: Record<string, unknown> } | undefined)?.children?.['loginLock'])
        enqueue.sendTo('loginLock', { type: 'RELEASE' } satisfies LockCommand);
    }),
    /** A LOGIN event's options, for the whole attempt (RETRY repeats them). */
    rememberLogin: assign(({ event }) =>
      event.type === 'LOGIN'
        ? { force: event.force === true && event.signIn !== false, signIn: event.signIn !== false }
        : {},
    ),
    // RFC 8628 section 3.5: 5 s more from now on, or the interval the server named if longer.
    slowDown: assign(({ context }, params: { result: DevicePollResult }) => ({
      pollIntervalMs: Math.max(
        context.pollIntervalMs + SLOW_DOWN_STEP_MS,
        (params.result.status === 'slow_down' && params.result.intervalMs) || 0,
      ),
      retryAfterMs: serverWaitOf(params.result),
    })),
    keepServerWait: assign({ retryAfterMs: (_, params: { result: DevicePollResult }) => serverWaitOf(params.result) }),
    takePolledToken: assign({
      token: (_, params: { result: DevicePollResult }) =>
        params.result.status === 'approved' ? params.result.token : null,
    }),
    countAttempt: assign(({ context }, params: { error: unknown }) => ({
      attempt: context.attempt + 1,
      retryAfterMs: toFlowError(params.error).retryAfterMs ?? null,
    })),
    emitRetrying: emit(({ context }, params: { step: RetryingStep; error: unknown }) => ({
      type: 'retrying' as const,
      step: params.step,
      attempt: context.attempt,
      delayMs: backoffDelay(context.config, context.attempt, context.retryAfterMs),
      code: toFlowError(params.error).code,
    })),
    failWithEventError: assign({ error: (_, params: { error: unknown }) => toFlowError(params.error) }),
    failTokenInvalid: assign({
      error: flowError('ERR_TOKEN_INVALID', 'The stored login is no longer valid and was removed. Log in again.'),
    }),
    failNotLoggedIn: assign({
      error: flowError('ERR_NOT_LOGGED_IN', 'No usable login is stored, and none was completed meanwhile. Log in.'),
    }),
    emitWaitingForLogin: emit((_, params: { holder: number | null }) => ({
      type: 'waitingForLogin' as const,
      holder: params.holder,
    })),
    failLoginGone: assign({
      error: flowError(
        'ERR_TOKEN_INVALID',
        'The stored login was removed meanwhile (a logout, or another process found it dead). Log in again.',
      ),
    }),
    adoptStoredToken: assign({ token: (_, params: { reread: RereadResult }) => params.reread.stored, refreshed: true }),
    /** The entry holds a newer login than the renewal: use that one, and let the renewal go. */
    adoptNewerLogin: assign({
      token: (_, params: { save: RenewalSave }) => (params.save.saved ? null : params.save.stored),
      renewedFrom: null,
    }),
    useStoredToken: assign({ token: (_, params: { reread: RereadResult }) => params.reread.stored }),
    emitFetched: emit(({ context }, params: { result: unknown }) => ({
      type: 'fetched' as const,
      id: context.pendingFetch?.id ?? '',
      result: params.result,
    })),
    /** A REFRESH is answered with a fresh token in context and no result. */
    emitRefreshed: emit(({ context }) => ({
      type: 'fetched' as const,
      id: context.pendingFetch?.id ?? '',
      result: null,
    })),
    emitFetchFailed: emit(({ context }, params: { error: unknown }) => ({
      type: 'fetchFailed' as const,
      id: context.pendingFetch?.id ?? '',
      error: toFlowError(params.error),
    })),
    forgetAttempt: assign(clearedAttempt),
    forgetSecrets: assign(clearedLogin),
    /**
     * Tells the redirect receiver's held browser page how the login ended (the host provides it;
     * it does nothing when no page is held). Called on entering ready, failed and idle.
     */
    tellRedirectOutcome: (_, _params: { outcome: RedirectOutcome }) => {},
  },
}).createMachine({
  id: 'auth',
  context: ({ input }) => initialContext(input),
  // The account's login lock lives as long as the machine: taken in checkingStore.waitingForLogin,
  // held through signingIn and exchanging, let go when the attempt ends (idle, failed, ready).
  invoke: { id: 'loginLock', src: 'holdLoginLock' },
  initial: 'idle',
  states: {
    idle: {
      description: 'Nothing is happening and no secret is held. LOGIN starts a login.',
      entry: [
        { type: 'tellRedirectOutcome', params: { outcome: { kind: 'cancelled' } } },
        'forgetSecrets',
        'releaseLoginLock',
      ],
      on: { LOGIN: loginTransitions },
    },

    checkingStore: {
      description:
        'Looks for a usable login: in the token store, else one that another process completes while this one waits.',
      on: { CANCEL: 'idle' },
      initial: 'reading',
      states: {
        reading: {
          description: 'Reads the token store, so a stored login needs no browser.',
          invoke: {
            id: 'loadToken',
            src: 'loadToken',
            onDone: [
              {
                guard: { type: 'hasStoredToken', params: storedParams },
                target: '#auth.authorized.ready',
                actions: assign({ token: ({ event }) => event.output }),
              },
              { target: 'waitingForLogin' },
            ],
            onError: failWithError,
          },
        },
        waitingForLogin: {
          description:
            "Waits for the account's login lock: another process may be waiting for its person's approval, and its outcome is used.",
          entry: [assign({ waitedForLogin: false }), 'acquireLoginLock'],
          on: {
            LOGIN_LOCK_BUSY: {
              actions: [
                assign({ waitedForLogin: true }),
                { type: 'emitWaitingForLogin', params: ({ event }) => ({ holder: event.holder }) },
              ],
            },
            LOGIN_LOCK_ACQUIRED: [
              // --force: a login of our own, but never while another one waits for the person.
              { guard: 'wasForced', target: '#auth.signingIn' },
              // Another login ended meanwhile: see what it left before starting one of our own.
              { guard: 'waitedForLogin', target: 'rereading' },
              { guard: 'mayNotSignIn', target: '#auth.failed', actions: 'failNotLoggedIn' },
              { target: '#auth.signingIn' },
            ],
            LOGIN_LOCK_FAILED: failWithError,
          },
          after: {
            loginWaitTimeout: {
              target: '#auth.failed',
              actions: assign({
                error: flowError(
                  'ERR_TIMEOUT',
                  'Another authmachine process was still logging in to this account when the wait ran out. Try again.',
                  true,
                ),
              }),
            },
          },
        },
        rereading: {
          description:
            'Reads the store again under the login lock: the login the other process just saved is used, not repeated.',
          invoke: {
            id: 'loadToken',
            src: 'loadToken',
            onDone: [
              {
                guard: { type: 'hasStoredToken', params: storedParams },
                target: '#auth.authorized.ready',
                actions: assign({ token: ({ event }) => event.output }),
              },
              { guard: 'mayNotSignIn', target: '#auth.failed', actions: 'failNotLoggedIn' },
              // It died, or ended declined or failed: this process runs its own login.
              { target: '#auth.signingIn' },
            ],
            onError: failWithError,
          },
        },
      },
    },

    // The receiver lives for all of signingIn: the redirect URI must exist before the token
    // request (Pocket and OAuth both send it), and leaving signingIn closes it.
    signingIn: {
      description: 'The redirect receiver listens for the whole sign-in; leaving this state closes it.',
      entry: 'forgetAttempt',
      invoke: { id: 'receiver', src: 'receiveRedirect', input: ({ context }) => ({ mode: context.config.mode }) },
      on: {
        CANCEL: 'idle',
        RECEIVER_FAILED: failWithError,
      },
      initial: 'preparing',
      states: {
        preparing: {
          description: 'Waits for the redirect receiver to bind, since the first request carries its URI.',
          on: {
            REDIRECT_READY: {
              target: 'requestingToken',
              actions: assign({ redirectUri: ({ event }) => event.redirectUri }),
            },
          },
        },

        requestingToken: {
          description:
            'Starts the login at the server: Pocket obtains a request token; OAuth prepares the authorization request (discovery, PKCE, state, PAR) or sends the device authorization request.',
          initial: 'attempt',
          entry: 'resetAttempts',
          states: {
            attempt: {
              description: 'One try of startAuthorization.',
              invoke: {
                id: 'startAuthorization',
                src: 'startAuthorization',
                input: ({ context }) => ({ redirectUri: context.redirectUri }),
                onDone: {
                  target: '#auth.signingIn.awaitingUser',
                  actions: [
                    // The attempts are reset here too, not only on entering the next step: a host
                    // that keeps the flow at awaitingUser then resumes with none counted.
                    assign(({ context, event }) => ({
                      attempt: 0,
                      retryAfterMs: null,
                      session: event.output.session,
                      authorizationUrl: event.output.authorizationUrl,
                      userCode: event.output.userCode ?? null,
                      pollIntervalMs: event.output.pollIntervalMs ?? 0,
                      userDeadlineMs: Math.min(event.output.expiresInMs ?? Infinity, context.config.userTimeoutMs),
                    })),
                    // The host shows the URL first; then the receiver is armed (a manual receiver prompts).
                    emit(({ event }) => ({
                      type: 'authorizationUrl' as const,
                      url: event.output.authorizationUrl,
                      userCode: event.output.userCode ?? null,
                    })),
                    { type: 'expectCallback', params: ({ event }) => ({ state: event.output.session.state }) },
                  ],
                },
                onError: [retryTransition('startAuthorization'), failWithError],
              },
            },
            backoff: backoffState,
          },
        },

        awaitingUser: {
          description:
            'The person approves in the browser (or enters the device code) while the browser opens and the user timeout runs.',
          entry: ['resetAttempts', assign({ browser: 'opening' })],
          invoke: {
            id: 'openBrowser',
            src: 'openBrowser',
            input: ({ context }) => ({ url: context.authorizationUrl ?? '' }),
            onDone: { actions: assign({ browser: 'opened' }) },
            // Not fatal: the URL was also handed to the host, which shows it to the person.
            onError: { actions: [assign({ browser: 'failed' }), emit({ type: 'browserFailed' as const })] },
          },
          after: {
            userTimeout: {
              target: '#auth.failed',
              actions: assign({
                error: ({ context }) =>
                  context.config.mode === 'device'
                    ? flowError('ERR_EXPIRED', 'The code expired before it was approved. Run the login again.')
                    : context.strayError !== null
                      ? {
                          ...flowError(
                            'ERR_TIMEOUT',
                            `The provider answered with the error "${strayText(context.strayError)}", but without this login's state, so it could not be trusted to end the login (RFC 6749 section 10.12), and no trusted answer came in time. Run the login again.`,
                          ),
                          providerCode: context.strayError.error,
                        }
                      : flowError(
                          'ERR_TIMEOUT',
                          'Nobody completed the login in the browser in time. Run the login again.',
                        ),
              }),
            },
          },
          initial: 'choosing',
          states: {
            choosing: {
              description: 'Picks redirect or device polling from the flow config.',
              always: [{ guard: 'isDeviceMode', target: 'polling' }, { target: 'waitingForRedirect' }],
            },
            waitingForRedirect: {
              description:
                "Waits for the redirect with this login's state (or the person's confirmation); stray hits are ignored.",
              on: {
                CALLBACK: [
                  {
                    guard: 'callbackStateMatches',
                    target: '#auth.exchanging',
                    actions: assign({ callback: ({ event }) => ({ kind: 'redirect' as const, params: event.params }) }),
                  },
                  // A forged or stray hit: ignore it and keep waiting for the genuine one, but keep
                  // what an error said, so the person hears it now and the final message names it.
                  {
                    actions: [
                      assign(({ context, event }) => ({
                        strayCallbacks: context.strayCallbacks + 1,
                        strayError: strayErrorOf(event.params) ?? context.strayError,
                      })),
                      emit(({ event }) => {
                        const stray = strayErrorOf(event.params);
                        return { type: 'strayCallback' as const, providerError: stray && strayText(stray) };
                      }),
                    ],
                  },
                ],
                USER_CONFIRMED: {
                  guard: 'confirmationAllowed',
                  target: '#auth.exchanging',
                  actions: assign({ callback: { kind: 'confirmed' as const } }),
                },
              },
            },
            polling: {
              description: 'Asks the token endpoint whether the device code was approved (RFC 8628 section 3.4).',
              invoke: {
                id: 'pollDevice',
                src: 'pollDevice',
                input: ({ context }) => ({ session: context.session as FlowSession }),
                onDone: [
                  {
                    guard: { type: 'pollApproved', params: pollParams },
                    target: '#auth.authorized.saving',
                    actions: ['forgetAttempt', { type: 'takePolledToken', params: pollParams }],
                  },
                  {
                    guard: { type: 'pollSlowDown', params: pollParams },
                    target: 'waitingToPoll',
                    // RFC 8628 section 3.5: 5 s more from now on, or the interval the server named if longer.
                    actions: { type: 'slowDown', params: pollParams },
                  },
                  { target: 'waitingToPoll', actions: { type: 'keepServerWait', params: pollParams } },
                ],
                onError: [
                  // A transient failure waits one poll interval (or Retry-After) and polls again.
                  retryTransition('pollDevice', 'waitingToPoll'),
                  failWithError,
                ],
              },
            },
            waitingToPoll: {
              description: "Waits the server's interval (longer after slow_down or Retry-After) before polling again.",
              after: { pollInterval: 'polling' },
            },
          },
        },
      },
    },

    exchanging: {
      description: "Trades the authorization code (or Pocket's approved request token) for the access token.",
      on: { CANCEL: 'idle' },
      initial: 'attempt',
      entry: 'resetAttempts',
      states: {
        attempt: {
          description: 'One try of the code exchange.',
          invoke: {
            id: 'exchangeCode',
            src: 'exchangeCode',
            input: ({ context }) => ({
              session: context.session as FlowSession,
              callback: context.callback as CallbackResult,
            }),
            onDone: {
              target: '#auth.authorized.saving',
              // One assign, not forgetAttempt and then another: each assign makes a new snapshot.
              actions: assign(({ event }) => ({ ...clearedAttempt, token: event.output })),
            },
            onError: [retryTransition('exchangeCode'), failWithError],
          },
        },
        backoff: backoffState,
      },
    },

    authorized: {
      description: 'A login is held: the token is saved, used for calls, renewed and finally logged out.',
      initial: 'ready',
      states: {
        // Under the renewal lock too: a renewal in another process re-reads, refreshes and saves
        // under it, so it sees this login instead of overwriting it with an older grant.
        saving: {
          description: 'Saves the new token set under the renewal lock; a store failure is reported, never hidden.',
          on: { CANCEL: '#auth.idle' },
          invoke: { id: 'lock', src: 'holdLock' },
          initial: 'acquiringLock',
          states: {
            acquiringLock: {
              description: 'Waits for the renewal lock, held by another process only for the length of one refresh.',
              entry: sendTo('lock', { type: 'ACQUIRE' } satisfies LockCommand),
              on: { LOCK_ACQUIRED: 'writing', LOCK_FAILED: failWithError },
              after: {
                lockTimeout: {
                  target: '#auth.failed',
                  actions: assign({
                    error: flowError(
                      'ERR_TIMEOUT',
                      'Another process kept this login locked for too long; the new login could not be saved. Log in again.',
                      true,
                    ),
                  }),
                },
              },
            },
            writing: {
              description: 'Writes the new token set to the token store.',
              invoke: {
                id: 'saveToken',
                src: 'saveToken',
                input: tokenInContext,
                onDone: '#auth.authorized.ready',
                // The keychain failed: say so. Never fall back to a plaintext file silently.
                onError: failWithError,
              },
            },
          },
        },
        ready: {
          description: 'Logged in and idle: FETCH makes a call, REFRESH renews, LOGOUT ends the login.',
          // Cleared here, not on leaving fetching: the transition out still reports its id.
          entry: [
            { type: 'tellRedirectOutcome', params: { outcome: { kind: 'authorized' } } },
            assign({ pendingFetch: null, renewedFrom: null }),
            'releaseLoginLock',
          ],
          on: {
            FETCH: [
              // Never send a token known to be expired or about to be: renew it first.
              {
                guard: { type: 'tokenIsStale', params: nowParams },
                target: '#auth.fetching.acquiringLock',
                actions: assign({ pendingFetch: pendingFetch, refreshed: false }),
              },
              { target: '#auth.fetching', actions: assign({ pendingFetch: pendingFetch, refreshed: false }) },
            ],
            REFRESH: [
              {
                guard: { type: 'tokenIsStale', params: nowParams },
                target: '#auth.fetching.acquiringLock',
                actions: assign({ pendingFetch: pendingRefresh, refreshed: false }),
              },
              { actions: emit(({ event }) => ({ type: 'fetched' as const, id: event.id, result: null })) },
            ],
            LOGOUT: 'loggingOut',
            LOGIN: {
              guard: 'isForcedSignIn',
              target: '#auth.checkingStore.waitingForLogin',
              actions: ['rememberLogin', assign({ token: null })],
            },
          },
        },
        // A transient revocation failure is retried like any call; the stored token is deleted
        // on every try whatever the server says, so a failed logout leaves no usable secret.
        loggingOut: {
          description: 'Revokes the token where the protocol can and deletes it from the store.',
          on: { CANCEL: '#auth.idle' },
          initial: 'attempt',
          entry: 'resetAttempts',
          states: {
            attempt: {
              description: 'One try of the revocation and deletion.',
              invoke: {
                id: 'logout',
                src: 'logout',
                input: tokenInContext,
                onDone: '#auth.idle',
                onError: [retryTransition('logout'), failWithError],
              },
            },
            backoff: backoffState,
          },
        },
      },
    },

    fetching: {
      description: "One authenticated call, renewing the token under the login's lock when it is stale or refused.",
      // The login's lock: idle until acquiringLock asks for it, released by requesting's entry
      // and whenever fetching is left.
      invoke: { id: 'lock', src: 'holdLock' },
      on: {
        // Cancels the call, not the login.
        CANCEL: {
          target: 'authorized.ready',
          actions: emit(({ context }) => ({
            type: 'fetchFailed' as const,
            id: context.pendingFetch?.id ?? '',
            error: flowError('ERR_CANCELLED', 'The request was cancelled.'),
          })),
        },
      },
      initial: 'requesting',
      states: {
        requesting: {
          description: 'Sends the call with the current token.',
          initial: 'attempt',
          entry: ['resetAttempts', sendTo('lock', { type: 'RELEASE' } satisfies LockCommand)],
          states: {
            attempt: {
              description: 'One try of the call.',
              invoke: {
                id: 'fetchResource',
                src: 'fetchResource',
                input: ({ context }) => ({ token: context.token as TokenSet, request: context.pendingFetch?.request }),
                onDone: {
                  target: '#auth.authorized.ready',
                  actions: { type: 'emitFetched', params: ({ event }) => ({ result: event.output }) },
                },
                onError: [
                  retryTransition('fetchResource'),
                  // Refused: see under the lock whether another process renewed it, else renew or clear it.
                  { guard: { type: 'tokenInvalid', params: errorParams }, target: '#auth.fetching.acquiringLock' },
                  { target: '#auth.authorized.ready', actions: { type: 'emitFetchFailed', params: errorParams } },
                ],
              },
            },
            backoff: backoffState,
          },
        },
        acquiringLock: {
          description: "Waits for the login's lock, so only one process renews the token at a time.",
          entry: sendTo('lock', { type: 'ACQUIRE' } satisfies LockCommand),
          on: {
            LOCK_ACQUIRED: 'rereading',
            LOCK_FAILED: {
              target: '#auth.authorized.ready',
              actions: { type: 'emitFetchFailed', params: errorParams },
            },
          },
          after: {
            lockTimeout: {
              target: '#auth.authorized.ready',
              actions: emit(({ context }) => ({
                type: 'fetchFailed' as const,
                id: context.pendingFetch?.id ?? '',
                error: flowError(
                  'ERR_TIMEOUT',
                  'Another process kept this login locked for too long while renewing it. Try again.',
                  true,
                ),
              })),
            },
          },
        },
        // The lock is held: what is stored now is what counts, not what this process read earlier.
        rereading: {
          description: 'Reads the stored entry again under the lock: another process may have renewed it already.',
          invoke: {
            id: 'rereadToken',
            src: 'rereadToken',
            input: ({ context }) => ({ token: context.token as TokenSet, refreshSkewMs: context.config.refreshSkewMs }),
            onDone: [
              { guard: { type: 'storedGone', params: rereadParams }, target: '#auth.failed', actions: 'failLoginGone' },
              // One renewal per call: a token refused after it is dead.
              { guard: 'alreadyRenewed', target: 'clearingToken' },
              {
                guard: { type: 'storedRenewed', params: rereadParams },
                target: 'renewedElsewhere',
                actions: { type: 'adoptStoredToken', params: rereadParams },
              },
              {
                guard: { type: 'storedRefreshable', params: rereadParams },
                target: 'refreshing',
                actions: { type: 'useStoredToken', params: rereadParams },
              },
              { target: 'clearingToken' },
            ],
            onError: failWithError,
          },
        },
        // The token is fresh: renewed here and saved, or renewed (or logged in) by another process.
        renewedElsewhere: {
          description:
            'The token is fresh (renewed here or by another process): the call goes on, or REFRESH is answered.',
          always: [
            { guard: 'isRefreshOnly', target: '#auth.authorized.ready', actions: 'emitRefreshed' },
            { target: 'requesting' },
          ],
        },
        refreshing: {
          description: 'Spends the refresh token for a new access token (RFC 6749 section 6).',
          initial: 'attempt',
          entry: 'resetAttempts',
          states: {
            attempt: {
              description: 'One try of the refresh.',
              invoke: {
                id: 'refreshToken',
                src: 'refreshToken',
                input: tokenInContext,
                onDone: {
                  target: '#auth.fetching.savingRefreshed',
                  actions: assign(({ context, event }) => ({
                    renewedFrom: context.token,
                    token: event.output,
                    refreshed: true,
                  })),
                },
                onError: [
                  retryTransition('refreshToken'),
                  { guard: { type: 'tokenInvalid', params: errorParams }, target: '#auth.fetching.clearingToken' },
                  { target: '#auth.authorized.ready', actions: { type: 'emitFetchFailed', params: errorParams } },
                ],
              },
            },
            backoff: backoffState,
          },
        },
        // Compare-and-set: a login saved meanwhile (or a logout) wins over this renewal.
        savingRefreshed: {
          description:
            'Saves the renewed token set if the store still holds the one it was renewed from, before the call is made with it.',
          invoke: {
            id: 'saveRenewedToken',
            src: 'saveRenewedToken',
            input: ({ context }) => ({
              token: context.token as TokenSet,
              renewedFrom: context.renewedFrom as TokenSet,
            }),
            onDone: [
              {
                guard: { type: 'renewalSaved', params: renewalSaveParams },
                target: 'renewedElsewhere',
                actions: assign({ renewedFrom: null }),
              },
              {
                guard: { type: 'renewalLoggedOut', params: renewalSaveParams },
                target: '#auth.failed',
                actions: 'failLoginGone',
              },
              { target: 'renewedElsewhere', actions: { type: 'adoptNewerLogin', params: renewalSaveParams } },
            ],
            onError: failWithError,
          },
        },
        // The token is dead and cannot be renewed: forget it (the stored entry only if it still
        // holds this very token: compare-and-delete), then say so.
        clearingToken: {
          description: 'The token is dead: deletes the stored entry only if it still holds this token.',
          invoke: {
            id: 'clearToken',
            src: 'clearToken',
            input: tokenInContext,
            onDone: { target: '#auth.failed', actions: 'failTokenInvalid' },
            onError: failWithError,
          },
        },
      },
    },

    failed: {
      description: 'A permanent failure, with its typed error in context. RETRY or LOGIN tries again; CANCEL rests.',
      entry: [
        // What the error in context means for the held page: declined, cancelled or failed.
        enqueueActions(({ context, enqueue }) =>
          enqueue({ type: 'tellRedirectOutcome', params: { outcome: outcomeOfError(context.error) } }),
        ),
        'forgetSecrets',
        'releaseLoginLock',
      ],
      exit: assign({ error: null }),
      on: {
        RETRY: [{ guard: 'wasForced', target: 'checkingStore.waitingForLogin' }, { target: 'checkingStore' }],
        LOGIN: loginTransitions,
        CANCEL: 'idle',
      },
    },
  },
});

/** The type of {@link authMachine}: what `createActor` and `.provide()` are typed against. */
export type AuthMachine = typeof machine;

/**
 * The login statechart (XState v5), without I/O: idle -> checkingStore -> signingIn
 * (preparing -> requestingToken -> awaitingUser) -> exchanging -> authorized <-> fetching, and
 * failed (RETRY). Every effect is an actor the host provides with `.provide({ actors })`:
 * loadToken, receiveRedirect, startAuthorization, openBrowser, pollDevice, exchangeCode,
 * saveToken, fetchResource, refreshToken, clearToken, logout, rereadToken (one left out fails
 * its state with ERR_CONFIG) and holdLock (by default granted at once: one process, no lock). Delays (retry backoff, user timeout, device polling) are
 * XState delays, so a SimulatedClock drives them. {@link createAuthFlow} wires it to a protocol and
 * adapters; use the machine directly only to bring actors of your own.
 *
 * @example
 * ```ts
 * const actor = createActor(
 *   authMachine.provide({ actors: createFlowActors(protocol, adapters) }),
 *   { input: { config: { userTimeoutMs: 120_000 } } },
 * ).start();
 * actor.send({ type: 'LOGIN' });
 * ```
 */
export const authMachine: AuthMachine = machine;
