/**
 * The login machine provided once per service, not once per login: providing rebuilds the
 * machine's state-node tree, which costs more than running a login's transitions. What differs
 * between logins (whose login it is) is looked up from the running actor's system.
 */
import { createMachine, fromPromise, raise, type Actor } from 'xstate';
import type { Lock, TokenStore } from '../../adapters/contracts.js';
import { AuthError, toAuthError } from '../../adapters/errors.js';
import { authMachine } from '../../machines/auth-machine.js';
import type { RenewalSave, TokenSet } from '../../machines/types.js';
import { createFlowActors, saveRenewal, saveTokenSet, type FlowAdapters } from '../flow/actors.js';
import { renewalLockKey } from '../flow/lock-keys.js';
import { decodeTokenSet } from '../flow/token-codec.js';
import { withDeadline } from '../flow/with-deadline.js';
import type { AuthProtocol } from '../protocol.js';
import { storeAgain } from './store-again.js';
import { withLock } from './with-lock.js';

export type ServiceMachine = typeof authMachine;
export type ServiceActor = Actor<ServiceMachine>;

/** Whose login an actor runs. */
interface Binding {
  /** The user's token-store key (also the user's lock key). */
  key: string;
}

/** The binding of each running login, by its actor system (one system per root actor). */
const bindings = new WeakMap<object, Binding>();

/** Tells the machine's actors whose login `actor` runs: a completed login's save and a renewal alike. */
export function bindUser(actor: ServiceActor, key: string): void {
  bindings.set(actor.system, { key });
}

function bindingOf(system: object): Binding {
  const binding = bindings.get(system);
  if (binding === undefined) throw new AuthError('ERR_CONFIG', 'This login was not started by the login service.');
  return binding;
}

export interface ServiceMachineAdapters
  extends Omit<FlowAdapters, 'receiver' | 'browser' | 'store' | 'lock' | 'storageKey'> {
  tokens: TokenStore;
  lock: Lock;
  lockTimeoutMs: number;
}

export function provideServiceMachine<Req, Res>(
  protocol: AuthProtocol<Req, Res>,
  adapters: ServiceMachineAdapters,
): ServiceMachine {
  const { tokens, lock } = adapters;
  const storeCall = <T>(work: Promise<T>, what: string) =>
    withDeadline(
      work,
      adapters.storeTimeoutMs,
      'ERR_STORAGE',
      `The token store (${tokens.location}) did not answer within ${adapters.storeTimeoutMs} ms while ${what}.`,
    );
  const actors = createFlowActors(protocol, {
    ...adapters,
    store: tokens,
    // The machine's own single-flight renewal (acquiringLock -> rereading -> refreshing or
    // renewedElsewhere -> savingRefreshed; clearingToken compares before it deletes) runs under
    // the user's lock, on the user's entry.
    lock,
    storageKey: (system) => bindingOf(system).key,
    // Not invoked by the server's statechart (below): the host serves the redirect URI, hands
    // the callback over and redirects the person itself.
    receiver: null,
    browser: { open: async () => {} },
  });
  // `token(userId)` enters the machine through LOGIN (not forced) -> checkingStore: the stored
  // entry is handed over as it is, even when expired, so that REFRESH renews it (or, dead,
  // removes it) under the lock. No entry: not logged in; the service never starts a sign-in there.
  const loadToken = fromPromise<TokenSet | null, void>(async ({ system }) => {
    try {
      const secret = await storeCall(tokens.get(bindingOf(system).key), 'reading the login');
      if (secret === null) {
        throw new AuthError('ERR_NOT_LOGGED_IN', 'This user has not connected an account yet: begin a login first.');
      }
      return decodeTokenSet(secret, tokens.location);
    } catch (error) {
      throw toAuthError(error);
    }
  });
  // A completed login's token is saved under the user's lock, taken here around the write rather
  // than by a lock-holding actor in authorized.saving (see serverStatechart): it can never land
  // between a renewal's read of a refused token and its removal. A renewal saves by
  // compare-and-set under the same lock (saveRenewedToken).
  const saveToken = fromPromise<void, { token: TokenSet }>(async ({ input, system, signal }) => {
    try {
      const key = bindingOf(system).key;
      // Tried again while Redis is away for a moment, lock and all: the code is spent, and a
      // token lost here means the person has to log in again.
      await storeAgain(
        () =>
          withLock(lock, renewalLockKey(key), adapters.lockTimeoutMs, signal, () =>
            saveTokenSet(protocol, tokens, key, input.token, storeCall),
          ),
        adapters.storeTimeoutMs,
        signal,
      );
    } catch (error) {
      throw toAuthError(error);
    }
  });
  // A renewal's compare-and-set, tried again while Redis is away for a moment (still under the
  // user's lock, kept alive meanwhile): the refresh token it replaces is already spent, so giving
  // up at the first failure would leave a dead one stored and lose the login.
  const saveRenewedToken = fromPromise<RenewalSave, { token: TokenSet; renewedFrom: TokenSet }>(
    async ({ input, system, signal }) => {
      try {
        const key = bindingOf(system).key;
        return await storeAgain(
          () => saveRenewal(protocol, tokens, key, input, storeCall),
          adapters.storeTimeoutMs,
          signal,
        );
      } catch (error) {
        throw toAuthError(error);
      }
    },
  );
  const { implementations } = authMachine;
  return createMachine(serverStatechart(adapters.externalRedirectUri ?? null), {
    ...implementations,
    actors: { ...implementations.actors, ...actors, loadToken, saveToken, saveRenewedToken },
    actions: {
      ...implementations.actions,
      // No account login lock (see serverStatechart): granted at once, in the same step.
      acquireLoginLock: raise({ type: 'LOGIN_LOCK_ACQUIRED' }),
      // No receiver to tell: the callback is checked against the flow's own state.
      expectCallback: () => {},
      // No account login lock to let go (the default looks for one on every ready, idle, failed).
      releaseLoginLock: () => {},
    },
  }) as unknown as ServiceMachine;
}

/**
 * The login statechart for a server: the same states, guards and actions, without what has
 * nothing to do there. Each invocation costs an actor per login (built, registered, started,
 * stopped) and each step a new snapshot, and a login in flight keeps them alive across its waits.
 * - The account's login lock (the root's `loginLock`): a server's logins of one account finish on
 *   other instances, so there is none. A forced LOGIN (`begin`) goes from idle straight to
 *   requestingToken, past checkingStore.waitingForLogin and signingIn.preparing, which only wait
 *   for that lock and for a receiver. `token()`'s LOGIN has `signIn: false`, so begin is the only
 *   way into signingIn (preparing is never entered); should its checkingStore ever reach
 *   waitingForLogin, `acquireLoginLock` grants the lock at once and it fails as not logged in.
 * - The redirect receiver (`signingIn`'s `receiver`): the host serves the redirect URI, which is
 *   startAuthorization's input; `expectCallback` has no one to tell.
 * - The browser opener (`awaitingUser`'s `openBrowser`): the host redirects the person itself.
 *   awaitingUser starts in waitingForRedirect: a login service runs redirect logins only, so
 *   `choosing` has nothing to choose.
 * - The renewal lock of a new login's save (`authorized.saving`'s `lock`): the service's
 *   saveToken takes the user's lock around the write itself, so saving starts at writing.
 * And two delays that could never fire, each a timer set and cleared per login: waitingForLogin's
 * loginWaitTimeout (the lock is granted in the same step) and awaitingUser's userTimeout (`begin`
 * stops the actor there; the FlowStore's time to live ends a login nobody completes).
 */
function serverStatechart(redirectUri: string | null): typeof authMachine.config {
  const { invoke: _loginLock, ...root } = authMachine.config;
  const idle = child(root, 'idle');
  const [forced, ...unforced] = loginTransitionsOf(idle);
  const { invoke: _receiver, ...signingIn } = child(root, 'signingIn');
  const { invoke: _openBrowser, after: _userTimeout, ...awaitingUser } = child(signingIn, 'awaitingUser');
  const checkingStore = child(root, 'checkingStore');
  const { after: _loginWaitTimeout, ...waitingForLogin } = child(checkingStore, 'waitingForLogin');
  const authorized = child(root, 'authorized');
  const { invoke: _saveLock, ...saving } = child(authorized, 'saving');
  const ready = child(authorized, 'ready');
  return {
    ...root,
    states: {
      ...root.states,
      idle: {
        ...idle,
        on: {
          ...idle.on,
          LOGIN: [{ ...forced, target: '#auth.signingIn.requestingToken', actions: [] }, ...unforced],
        },
      },
      checkingStore: { ...checkingStore, states: { ...checkingStore.states, waitingForLogin } },
      signingIn: {
        ...signingIn,
        // No forgetAttempt on entry: only begin's forced LOGIN enters signingIn, from the fresh
        // idle snapshot.
        entry: [],
        states: {
          ...signingIn.states,
          // No resetAttempts on entry: it is entered only from idle, with no attempt counted.
          requestingToken: { ...withRedirectUri(child(signingIn, 'requestingToken'), redirectUri), entry: [] },
          // No entry: its resetAttempts is for device polling's retries and its browser flag for
          // the opener; exchanging resets the attempts when the callback comes.
          awaitingUser: { ...awaitingUser, entry: [], initial: 'waitingForRedirect' },
        },
      },
      // No resetAttempts on entry: the flow was kept with none counted (startAuthorization's
      // onDone resets them), and nothing in awaitingUser counts any on a server.
      exchanging: { ...child(root, 'exchanging'), entry: [] },
      authorized: {
        ...authorized,
        states: {
          ...authorized.states,
          saving: { ...saving, initial: 'writing' },
          // Only tellRedirectOutcome (no page to tell; releaseLoginLock is provided as nothing):
          // the assign that clears a finished FETCH's leftovers for the next one is not needed, as
          // every service actor stops at ready ('fetched' is emitted on the way in, read before).
          ready: { ...ready, entry: [{ type: 'tellRedirectOutcome', params: { outcome: { kind: 'authorized' } } }] },
        },
      },
    },
  } as typeof authMachine.config;
}

/**
 * requestingToken with the host's redirect URI as startAuthorization's input: the forced LOGIN
 * skips preparing, where the receiver's URI was assigned to the context.
 */
function withRedirectUri(requestingToken: StateConfig, redirectUri: string | null): StateConfig {
  const attempt = child(requestingToken, 'attempt');
  const invoke = attempt.invoke as { src?: unknown } | undefined;
  if (invoke?.src !== 'startAuthorization') {
    throw new Error("The login statechart's requestingToken.attempt no longer invokes startAuthorization.");
  }
  return {
    ...requestingToken,
    states: {
      ...requestingToken.states,
      attempt: { ...attempt, invoke: { ...invoke, input: () => ({ redirectUri }) } },
    },
  } as StateConfig;
}

type TransitionConfig = { guard?: unknown; target?: string; actions?: unknown };

/** idle's LOGIN transitions: first the forced one, then the rest (throws when that changes). */
function loginTransitionsOf(idle: StateConfig): [TransitionConfig, ...TransitionConfig[]] {
  const login = (idle.on as Record<string, unknown> | undefined)?.LOGIN as TransitionConfig[] | undefined;
  if (!Array.isArray(login) || login[0]?.guard !== 'isForcedSignIn') {
    throw new Error("The login statechart's idle no longer starts a forced LOGIN first; adapt the server's.");
  }
  return login as [TransitionConfig, ...TransitionConfig[]];
}

type StateConfig = NonNullable<(typeof authMachine.config)['states']>[string];

/** A child state's config; throws when the login statechart no longer has it (caught by every test). */
function child(parent: { states?: Record<string, StateConfig> }, key: string): StateConfig {
  const found = parent.states?.[key];
  if (found === undefined) throw new Error(`The login statechart has no state "${key}" to adapt for a server.`);
  return found;
}
