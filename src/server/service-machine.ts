/**
 * The login machine provided once per service, not once per login: providing rebuilds the
 * machine's state-node tree, which costs more than running a login's transitions. What differs
 * between logins (whose login it is) is looked up from the running actor's system.
 */
import { fromCallback, fromPromise, type Actor } from 'xstate';
import type { Lock, TokenStore } from '../../adapters/contracts.js';
import { AuthError, toAuthError } from '../../adapters/errors.js';
import { authMachine } from '../../machines/auth-machine.js';
import type { TokenSet } from '../../machines/types.js';
import { createFlowActors, saveTokenSet, type FlowAdapters } from '../flow/actors.js';
import { decodeTokenSet } from '../flow/token-codec.js';
import { withDeadline } from '../flow/with-deadline.js';
import type { AuthProtocol } from '../protocol.js';

export type ServiceMachine = typeof authMachine;
export type ServiceActor = Actor<ServiceMachine>;

/** Whose login an actor runs, and what it runs it for. */
interface Binding {
  /** The user's token-store key (also the user's lock key). */
  key: string;
  /**
   * 'login': `complete` saves a new login; 'renew': `token` renews through the machine's fetching
   * states. Either way the machine's holdLock holds the user's lock around the save.
   */
  purpose: 'login' | 'renew';
}

/** The binding of each running login, by its actor system (one system per root actor). */
const bindings = new WeakMap<object, Binding>();

/** Tells the machine's actors whose login `actor` runs, and why. */
export function bindUser(actor: ServiceActor, key: string, purpose: Binding['purpose']): void {
  bindings.set(actor.system, { key, purpose });
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
    // The host serves the redirect URI and hands the callback over; nothing opens a browser.
    receiver: null,
    browser: { open: async () => {} }, // replaced below
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
  // A completed login's token is saved while the machine holds the user's lock (authorized.saving
  // takes it before saveToken runs), so it can never land between a renewal's read of a refused
  // token and its removal. A renewal saves by compare-and-set under the same lock (saveRenewedToken).
  const saveToken = fromPromise<void, { token: TokenSet }>(async ({ input, system }) => {
    try {
      await saveTokenSet(protocol, tokens, bindingOf(system).key, input.token, storeCall);
    } catch (error) {
      throw toAuthError(error);
    }
  });
  // Nothing to open: the host redirects the person itself. A callback actor that does nothing,
  // rather than a promise that resolves: stopping a promise actor still running aborts its
  // AbortController, and each abort builds a DOMException with a stack (measured: the largest
  // single cost left in a login after the machine was provided once).
  // (Typed as the promise it replaces: the machine only invokes it and never waits for it.)
  const openBrowser = fromCallback<never, { url: string }>(() => undefined) as unknown as typeof actors.openBrowser;
  return authMachine.provide({ actors: { ...actors, loadToken, saveToken, openBrowser } });
}
