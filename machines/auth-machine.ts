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
 */
import { assign, emit, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import { flowError, toFlowError } from './errors.js';
import { backoffDelay, backoffState, retryTransition } from './retry.js';
import {
  DEFAULT_FLOW_CONFIG,
  type AuthContext,
  type AuthEmitted,
  type AuthEvent,
  type AuthInput,
  type CallbackResult,
  type DevicePollResult,
  type ExpectEvent,
  type AuthErrorData,
  type FlowSession,
  type LockCommand,
  type PendingFetch,
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

/** The server's timing that came with a pending or slow_down answer. */
function pollOutput(event: unknown): { intervalMs?: number; retryAfterMs?: number } {
  return ((event as { output?: unknown }).output ?? {}) as { intervalMs?: number; retryAfterMs?: number };
}

function initialContext(input: AuthInput | undefined): AuthContext {
  const config = { ...DEFAULT_FLOW_CONFIG, ...input?.config };
  return {
    config,
    force: false,
    attempt: 0,
    retryAfterMs: null,
    redirectUri: null,
    session: null,
    authorizationUrl: null,
    userCode: null,
    pollIntervalMs: 0,
    userDeadlineMs: config.userTimeoutMs,
    browser: null,
    strayCallbacks: 0,
    callback: null,
    token: null,
    refreshed: false,
    pendingFetch: null,
    error: null,
  };
}

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
  callback: null,
} satisfies Partial<AuthContext>;

/** Where every permanent failure goes: `failed`, with the actor's error kept as plain JSON. */
const failWithError = { target: '#auth.failed', actions: 'failWithEventError' } as const;

/** Input of the actors that act on the current token (save, fetch's refresh, logout). */
const tokenInContext = ({ context }: { context: AuthContext }) => ({ token: context.token as TokenSet });

function errorOf(event: unknown): AuthErrorData {
  return toFlowError((event as { error?: unknown }).error);
}

/** The host's clock reading carried by FETCH / REFRESH, if any. */
function nowOf(event: unknown): number | null {
  const now = (event as { now?: unknown }).now;
  return typeof now === 'number' && Number.isFinite(now) ? now : null;
}

/** The token in context may not be sent as it is: expired, or (with a refresh token) within the skew window. */
function tokenIsStale(context: AuthContext, event: unknown): boolean {
  const now = nowOf(event);
  const expiresAt = context.token?.expiresAt;
  if (now === null || expiresAt === undefined) return false;
  if (now >= expiresAt) return true;
  return typeof context.token?.refreshToken === 'string' && now >= expiresAt - context.config.refreshSkewMs;
}

function rereadOf(event: unknown): RereadResult {
  return (event as { output: RereadResult }).output;
}

/** FETCH and REFRESH both park their id here until fetched / fetchFailed reports on them. */
const pendingFrom = ({ event }: { event: AuthEvent }): PendingFetch =>
  event.type === 'REFRESH' ? { id: event.id, request: null, refreshOnly: true } : { id: (event as { id: string }).id, request: (event as { request?: unknown }).request };

export const authMachine = setup({
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
      sendBack({ type: 'RECEIVER_FAILED', error: flowError('ERR_CONFIG', 'The host did not provide the "receiveRedirect" actor.') });
    }),
    requestToken: required<StartResult, { redirectUri: string | null }>('requestToken'),
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
    /** Read the stored entry again once the lock is held (see RereadResult). */
    rereadToken: required<RereadResult, { token: TokenSet; refreshSkewMs: number }>('rereadToken'),
  },
  guards: {
    isForced: ({ event }) => event.type === 'LOGIN' && event.force === true,
    isDeviceMode: ({ context }) => context.config.mode === 'device',
    hasStoredToken: ({ event }) => (event as { output?: unknown }).output != null,
    callbackStateMatches: ({ context, event }) =>
      event.type === 'CALLBACK' && context.session !== null && context.session.state !== null && event.params.state === context.session.state,
    /** Manual confirmation is only accepted when there is no state to check (seed-style Pocket). */
    confirmationAllowed: ({ context }) => context.session !== null && context.session.state === null,
    canRetry: ({ context, event }) => {
      const error = errorOf(event);
      if (!error.retryable || context.attempt + 1 >= context.config.maxAttempts) return false;
      return (error.retryAfterMs ?? 0) <= context.config.maxRetryAfterMs;
    },
    pollApproved: ({ event }) => (event as { output?: DevicePollResult }).output?.status === 'approved',
    pollSlowDown: ({ event }) => (event as { output?: DevicePollResult }).output?.status === 'slow_down',
    tokenInvalid: ({ event }) => errorOf(event).code === 'ERR_TOKEN_INVALID',
    tokenIsStale: ({ context, event }) => tokenIsStale(context, event),
    storedGone: ({ event }) => rereadOf(event).stored === null,
    alreadyRenewed: ({ context }) => context.refreshed,
    storedRenewed: ({ event }) => rereadOf(event).renewed,
    storedRefreshable: ({ event }) => typeof rereadOf(event).stored?.refreshToken === 'string',
    isRefreshOnly: ({ context }) => context.pendingFetch?.refreshOnly === true,
  },
  delays: {
    retryDelay: ({ context }) => backoffDelay(context.config, context.attempt, context.retryAfterMs),
    userTimeout: ({ context }) => context.userDeadlineMs,
    lockTimeout: ({ context }) => context.config.lockTimeoutMs,
    // After a failed poll the server's Retry-After (429/503) wins over a shorter poll interval.
    pollInterval: ({ context }) => Math.max(context.pollIntervalMs, context.retryAfterMs ?? 0),
  },
  actions: {
    resetAttempts: assign({ attempt: 0, retryAfterMs: null }),
    countAttempt: assign(({ context, event }) => ({
      attempt: context.attempt + 1,
      retryAfterMs: errorOf(event).retryAfterMs ?? null,
    })),
    emitRetrying: emit(({ context, event }) => ({
      type: 'retrying' as const,
      step: String((event as { type: string }).type).replace('xstate.error.actor.', ''),
      attempt: context.attempt,
      delayMs: backoffDelay(context.config, context.attempt, context.retryAfterMs),
      code: errorOf(event).code,
    })),
    failWithEventError: assign({ error: ({ event }) => errorOf(event) }),
    failTokenInvalid: assign({
      error: flowError('ERR_TOKEN_INVALID', 'The stored login is no longer valid and was removed. Log in again.'),
    }),
    failLoginGone: assign({
      error: flowError('ERR_TOKEN_INVALID', 'The stored login was removed meanwhile (a logout, or another process found it dead). Log in again.'),
    }),
    adoptStoredToken: assign({ token: ({ event }) => rereadOf(event).stored, refreshed: true }),
    useStoredToken: assign({ token: ({ event }) => rereadOf(event).stored }),
    emitFetched: emit(({ context, event }) => ({
      type: 'fetched' as const,
      id: context.pendingFetch?.id ?? '',
      result: (event as { output?: unknown }).output,
    })),
    /** A REFRESH is answered with a fresh token in context and no result. */
    emitRefreshed: emit(({ context }) => ({ type: 'fetched' as const, id: context.pendingFetch?.id ?? '', result: null })),
    emitFetchFailed: emit(({ context, event }) => ({
      type: 'fetchFailed' as const,
      id: context.pendingFetch?.id ?? '',
      error: errorOf(event),
    })),
    forgetAttempt: assign(clearedAttempt),
    forgetSecrets: assign({ ...clearedAttempt, token: null, pendingFetch: null, refreshed: false }),
  },
}).createMachine({
  id: 'auth',
  context: ({ input }) => initialContext(input),
  initial: 'idle',
  states: {
    idle: {
      entry: 'forgetSecrets',
      on: {
        LOGIN: [
          { guard: 'isForced', target: 'signingIn', actions: assign({ force: true }) },
          { target: 'checkingStore', actions: assign({ force: false }) },
        ],
      },
    },

    checkingStore: {
      on: { CANCEL: 'idle' },
      invoke: {
        id: 'loadToken',
        src: 'loadToken',
        onDone: [
          { guard: 'hasStoredToken', target: 'authorized.ready', actions: assign({ token: ({ event }) => event.output }) },
          { target: 'signingIn' },
        ],
        onError: { target: 'failed', actions: 'failWithEventError' },
      },
    },

    // The receiver lives for all of signingIn: the redirect URI must exist before the token
    // request (Pocket and OAuth both send it), and leaving signingIn closes it.
    signingIn: {
      entry: 'forgetAttempt',
      invoke: { id: 'receiver', src: 'receiveRedirect', input: ({ context }) => ({ mode: context.config.mode }) },
      on: {
        CANCEL: 'idle',
        RECEIVER_FAILED: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
      },
      initial: 'preparing',
      states: {
        preparing: {
          on: { REDIRECT_READY: { target: 'requestingToken', actions: assign({ redirectUri: ({ event }) => event.redirectUri }) } },
        },

        requestingToken: {
          initial: 'attempt',
          entry: 'resetAttempts',
          states: {
            attempt: {
              invoke: {
                id: 'requestToken',
                src: 'requestToken',
                input: ({ context }) => ({ redirectUri: context.redirectUri }),
                onDone: {
            target: '#auth.signingIn.awaitingUser',
            actions: [
              assign(({ context, event }) => ({
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
              sendTo('receiver', ({ event }) => ({ type: 'EXPECT', state: event.output.session.state }) satisfies ExpectEvent),
            ],
                },
                onError: [retryTransition, failWithError],
              },
            },
            backoff: backoffState,
          },
        },

        awaitingUser: {
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
                    : flowError('ERR_TIMEOUT', 'Nobody completed the login in the browser in time. Run the login again.'),
              }),
            },
          },
          initial: 'choosing',
          states: {
            choosing: {
              always: [{ guard: 'isDeviceMode', target: 'polling' }, { target: 'waitingForRedirect' }],
            },
            waitingForRedirect: {
              on: {
                CALLBACK: [
                  {
                    guard: 'callbackStateMatches',
                    target: '#auth.exchanging',
                    actions: assign({ callback: ({ event }) => ({ kind: 'redirect' as const, params: event.params }) }),
                  },
                  // A forged or stray hit: ignore it and keep waiting for the genuine one.
                  { actions: [assign({ strayCallbacks: ({ context }) => context.strayCallbacks + 1 }), emit({ type: 'strayCallback' as const })] },
                ],
                USER_CONFIRMED: {
                  guard: 'confirmationAllowed',
                  target: '#auth.exchanging',
                  actions: assign({ callback: { kind: 'confirmed' as const } }),
                },
              },
            },
            polling: {
              invoke: {
                id: 'pollDevice',
                src: 'pollDevice',
                input: ({ context }) => ({ session: context.session as FlowSession }),
                onDone: [
                  {
                    guard: 'pollApproved',
                    target: '#auth.authorized.saving',
                    actions: [
                      'forgetAttempt',
                      assign({ token: ({ event }) => (event.output as Extract<DevicePollResult, { status: 'approved' }>).token }),
                    ],
                  },
                  {
                    guard: 'pollSlowDown',
                    target: 'waitingToPoll',
                    // RFC 8628 section 3.5: 5 s more from now on, or the interval the server named if longer.
                    actions: assign({
                      pollIntervalMs: ({ context, event }) => Math.max(context.pollIntervalMs + SLOW_DOWN_STEP_MS, pollOutput(event).intervalMs ?? 0),
                      retryAfterMs: ({ event }) => pollOutput(event).retryAfterMs ?? null,
                    }),
                  },
                  { target: 'waitingToPoll', actions: assign({ retryAfterMs: ({ event }) => pollOutput(event).retryAfterMs ?? null }) },
                ],
                onError: [
                  { guard: 'canRetry', target: 'waitingToPoll', actions: ['countAttempt', 'emitRetrying'] },
                  failWithError,
                ],
              },
            },
            waitingToPoll: {
              after: { pollInterval: 'polling' },
            },
          },
        },
      },
    },

    exchanging: {
      on: { CANCEL: 'idle' },
      initial: 'attempt',
      entry: 'resetAttempts',
      states: {
        attempt: {
          invoke: {
            id: 'exchangeCode',
            src: 'exchangeCode',
            input: ({ context }) => ({ session: context.session as FlowSession, callback: context.callback as CallbackResult }),
            onDone: { target: '#auth.authorized.saving', actions: ['forgetAttempt', assign({ token: ({ event }) => event.output })] },
            onError: [retryTransition, failWithError],
          },
        },
        backoff: backoffState,
      },
    },

    authorized: {
      initial: 'ready',
      states: {
        saving: {
          on: { CANCEL: '#auth.idle' },
          invoke: {
            id: 'saveToken',
            src: 'saveToken',
            input: tokenInContext,
            onDone: 'ready',
            // The keychain failed: say so. Never fall back to a plaintext file silently.
            onError: failWithError,
          },
        },
        ready: {
          // Cleared here, not on leaving fetching: the transition out still reports its id.
          entry: assign({ pendingFetch: null }),
          on: {
            FETCH: [
              // Never send a token known to be expired or about to be: renew it first.
              { guard: 'tokenIsStale', target: '#auth.fetching.acquiringLock', actions: assign({ pendingFetch: pendingFrom, refreshed: false }) },
              { target: '#auth.fetching', actions: assign({ pendingFetch: pendingFrom, refreshed: false }) },
            ],
            REFRESH: [
              { guard: 'tokenIsStale', target: '#auth.fetching.acquiringLock', actions: assign({ pendingFetch: pendingFrom, refreshed: false }) },
              { actions: emit(({ event }) => ({ type: 'fetched' as const, id: event.id, result: null })) },
            ],
            LOGOUT: 'loggingOut',
            LOGIN: { guard: 'isForced', target: '#auth.signingIn', actions: assign({ force: true, token: null }) },
          },
        },
        // A transient revocation failure is retried like any call; the stored token is deleted
        // on every try whatever the server says, so a failed logout leaves no usable secret.
        loggingOut: {
          on: { CANCEL: '#auth.idle' },
          initial: 'attempt',
          entry: 'resetAttempts',
          states: {
            attempt: {
              invoke: {
                id: 'logout',
                src: 'logout',
                input: tokenInContext,
                onDone: '#auth.idle',
                onError: [retryTransition, failWithError],
              },
            },
            backoff: backoffState,
          },
        },
      },
    },

    fetching: {
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
          initial: 'attempt',
          entry: ['resetAttempts', sendTo('lock', { type: 'RELEASE' } satisfies LockCommand)],
          states: {
            attempt: {
              invoke: {
                id: 'fetchResource',
                src: 'fetchResource',
                input: ({ context }) => ({ token: context.token as TokenSet, request: context.pendingFetch?.request }),
                onDone: { target: '#auth.authorized.ready', actions: 'emitFetched' },
                onError: [
                  retryTransition,
                  // Refused: see under the lock whether another process renewed it, else renew or clear it.
                  { guard: 'tokenInvalid', target: '#auth.fetching.acquiringLock' },
                  { target: '#auth.authorized.ready', actions: 'emitFetchFailed' },
                ],
              },
            },
            backoff: backoffState,
          },
        },
        acquiringLock: {
          entry: sendTo('lock', { type: 'ACQUIRE' } satisfies LockCommand),
          on: {
            LOCK_ACQUIRED: 'rereading',
            LOCK_FAILED: { target: '#auth.authorized.ready', actions: 'emitFetchFailed' },
          },
          after: {
            lockTimeout: {
              target: '#auth.authorized.ready',
              actions: emit(({ context }) => ({
                type: 'fetchFailed' as const,
                id: context.pendingFetch?.id ?? '',
                error: flowError('ERR_TIMEOUT', 'Another process kept this login locked for too long while renewing it. Try again.', true),
              })),
            },
          },
        },
        // The lock is held: what is stored now is what counts, not what this process read earlier.
        rereading: {
          invoke: {
            id: 'rereadToken',
            src: 'rereadToken',
            input: ({ context }) => ({ token: context.token as TokenSet, refreshSkewMs: context.config.refreshSkewMs }),
            onDone: [
              { guard: 'storedGone', target: '#auth.failed', actions: 'failLoginGone' },
              // One renewal per call: a token refused after it is dead.
              { guard: 'alreadyRenewed', target: 'clearingToken' },
              { guard: 'storedRenewed', target: 'renewedElsewhere', actions: 'adoptStoredToken' },
              { guard: 'storedRefreshable', target: 'refreshing', actions: 'useStoredToken' },
              { target: 'clearingToken' },
            ],
            onError: failWithError,
          },
        },
        // Another process already renewed the token: use it as it is.
        renewedElsewhere: {
          always: [{ guard: 'isRefreshOnly', target: '#auth.authorized.ready', actions: 'emitRefreshed' }, { target: 'requesting' }],
        },
        refreshing: {
          initial: 'attempt',
          entry: 'resetAttempts',
          states: {
            attempt: {
              invoke: {
                id: 'refreshToken',
                src: 'refreshToken',
                input: tokenInContext,
                onDone: { target: '#auth.fetching.savingRefreshed', actions: assign({ token: ({ event }) => event.output, refreshed: true }) },
                onError: [
                  retryTransition,
                  { guard: 'tokenInvalid', target: '#auth.fetching.clearingToken' },
                  { target: '#auth.authorized.ready', actions: 'emitFetchFailed' },
                ],
              },
            },
            backoff: backoffState,
          },
        },
        savingRefreshed: {
          invoke: {
            id: 'saveToken',
            src: 'saveToken',
            input: tokenInContext,
            onDone: [{ guard: 'isRefreshOnly', target: '#auth.authorized.ready', actions: 'emitRefreshed' }, { target: 'requesting' }],
            onError: failWithError,
          },
        },
        // The token is dead and cannot be renewed: forget it (the stored entry only if it still
        // holds this very token: compare-and-delete), then say so.
        clearingToken: {
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
      entry: 'forgetSecrets',
      exit: assign({ error: null }),
      on: {
        RETRY: [
          { guard: ({ context }) => context.force, target: 'signingIn' },
          { target: 'checkingStore' },
        ],
        LOGIN: [
          { guard: 'isForced', target: 'signingIn', actions: assign({ force: true }) },
          { target: 'checkingStore', actions: assign({ force: false }) },
        ],
        CANCEL: 'idle',
      },
    },
  },
});

export type AuthMachine = typeof authMachine;
