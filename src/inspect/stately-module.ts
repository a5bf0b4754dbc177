/**
 * Loads @statelyai/inspect, an optional peer: a host that wants the Stately inspector installs
 * it. Typed here by the little we use, so our declarations do not depend on the package.
 */
import { AuthError } from '../../adapters/errors.js';

/** The part of a Stately inspector we use. */
export interface StatelyInspector {
  /** An XState inspection observer; it reads `actorRef.sessionId`, `.id`, `._parent`, `.logic.config` and `.getSnapshot()`. */
  inspect: {
    /** Takes one XState inspection event. */
    next?: (event: unknown) => void;
  };
  /** Starts the inspector (opens its connection or window). */
  start?(): void;
  /** Stops it (closes its connection). */
  stop?(): void;
}

/** The part of the @statelyai/inspect module we use. */
export interface StatelyModule {
  /** An inspector that opens stately.ai/inspect (or fills an iframe); browsers only. */
  createBrowserInspector(options?: Record<string, unknown>): StatelyInspector;
  /** An inspector that sends events over a WebSocket (`{ url }`). */
  createWebSocketInspector(options?: Record<string, unknown>): StatelyInspector;
}

/** The optional peer package {@link createStatelyInspect} loads; install it to use the Stately inspector. */
export const STATELY_PACKAGE = '@statelyai/inspect';

const importStately = (): Promise<unknown> => import('@statelyai/inspect');

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Imports @statelyai/inspect. Throws AuthError ERR_CONFIG saying what to install when it is not
 * there. `importModule` replaces the import (tests).
 */
export async function loadStatelyModule(importModule: () => Promise<unknown> = importStately): Promise<StatelyModule> {
  let loaded: unknown;
  try {
    loaded = await importModule();
  } catch (error) {
    if (isModuleNotFound(error)) {
      throw new AuthError(
        'ERR_CONFIG',
        `The Stately inspector needs the optional package ${STATELY_PACKAGE}. Install it with: npm install --save-dev ${STATELY_PACKAGE}`,
      );
    }
    throw new AuthError('ERR_CONFIG', `The optional package ${STATELY_PACKAGE} is installed but could not be loaded.`, {
      cause: error,
    });
  }
  const module = loaded as Partial<StatelyModule> & { default?: Partial<StatelyModule> };
  // Under CommonJS interop the exports may sit on `default`.
  const api = typeof module.createWebSocketInspector === 'function' ? module : module.default;
  if (typeof api?.createWebSocketInspector !== 'function' || typeof api.createBrowserInspector !== 'function') {
    throw new AuthError(
      'ERR_CONFIG',
      `The installed ${STATELY_PACKAGE} has no createWebSocketInspector / createBrowserInspector: install version 0.7 or later.`,
    );
  }
  return api as StatelyModule;
}
