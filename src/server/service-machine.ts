/**
 * The login machine provided once per service, not once per login: providing rebuilds the
 * machine's state-node tree, which costs more than running a login's transitions. What differs
 * between logins (whose token a login saves) is looked up from the running actor's system.
 */
import { fromCallback, fromPromise, type Actor } from 'xstate';
import type { Lock, TokenStore } from '../../adapters/contracts.js';
import { AuthError, toAuthError } from '../../adapters/errors.js';
import { authMachine } from '../../machines/auth-machine.js';
import type { TokenSet } from '../../machines/types.js';
import { createFlowActors, type FlowAdapters } from '../flow/actors.js';
import { encodeTokenSet } from '../flow/token-codec.js';
import { withDeadline } from '../flow/with-deadline.js';
import type { AuthProtocol } from '../protocol.js';
import { withLock } from './with-lock.js';

export type ServiceMachine = typeof authMachine;
export type ServiceActor = Actor<ServiceMachine>;

/** The user key of each running login, by its actor system (one system per root actor). */
const userKeys = new WeakMap<ServiceActor['system'], string>();

/** Tells the machine's saveToken whose login `actor` is. */
export function bindUser(actor: ServiceActor, userKey: string): void {
  userKeys.set(actor.system, userKey);
}

export interface ServiceMachineAdapters
  extends Omit<FlowAdapters, 'receiver' | 'browser' | 'store' | 'lock' | 'storageKey'> {
  tokens: TokenStore;
  lock: Lock;
  lockTimeoutMs: number;
  /** Aborted when the service closes. */
  signal: AbortSignal;
}

export function provideServiceMachine<Req, Res>(
  protocol: AuthProtocol<Req, Res>,
  adapters: ServiceMachineAdapters,
): ServiceMachine {
  const { tokens, lock } = adapters;
  const actors = createFlowActors(protocol, {
    ...adapters,
    store: tokens,
    // The service saves each user's token under that user's key and lock (below); the machine's
    // own fetching path, which would use these two, is not run by the service.
    lock: null,
    storageKey: protocol.storageKey,
    // The host serves the redirect URI and hands the callback over; nothing opens a browser.
    receiver: null,
    browser: { open: async () => {} }, // replaced below
  });
  // A login's token is saved under the user's key, holding the user's lock, so it can never land
  // between token()'s read of a refused token and its removal.
  const saveToken = fromPromise<void, { token: TokenSet }>(async ({ input, system, signal }) => {
    const key = userKeys.get(system);
    if (key === undefined) throw new AuthError('ERR_CONFIG', 'This login was not started by the login service.');
    try {
      await withLock(lock, key, adapters.lockTimeoutMs, signal, () =>
        withDeadline(
          tokens.set(key, encodeTokenSet(input.token)),
          adapters.storeTimeoutMs,
          'ERR_STORAGE',
          `The token store (${tokens.location}) did not answer within ${adapters.storeTimeoutMs} ms while saving the login.`,
        ),
      );
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
  return authMachine.provide({ actors: { ...actors, saveToken, openBrowser } });
}
