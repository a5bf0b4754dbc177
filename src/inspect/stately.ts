/**
 * The Stately inspector (https://stately.ai/docs/inspector), fed only redacted events:
 *
 *   const { inspect } = await createStatelyInspect({ kind: 'websocket', url: 'ws://127.0.0.1:8080' });
 *   createAuthFlow({ ...options, inspect });
 *
 * Stately's observer wants actor objects; it gets stand-ins that carry only the sessionId, the
 * id, the parent's sessionId, the machine definition and the redacted snapshot.
 */
import type { RedactedInspectionEvent } from './inspection-event.js';
import { createRedactingInspector, type RedactingInspector } from './redacting-inspector.js';
import type { Redactor } from './redactor.js';
import { loadStatelyModule, type StatelyInspector, type StatelyModule } from './stately-module.js';

/** Options of {@link createStatelyInspect}: where the Stately inspector runs. */
export type StatelyInspectOptions = (
  | {
      /** Sends events over a WebSocket, e.g. to `@statelyai/inspect`'s receiver or a relay. */
      kind: 'websocket';
      /** e.g. "ws://127.0.0.1:8080". */
      url: string;
    }
  | {
      /** Opens (or fills an iframe with) the Stately inspector page; browser hosts only. */
      kind: 'browser';
      /** Default https://stately.ai/inspect. */
      url?: string;
      /** An iframe to show the inspector in, instead of a new window. */
      iframe?: unknown;
    }
) & {
  /** Share a redactor with other inspectors. */
  redactor?: Redactor;
  /** Replaces the import of @statelyai/inspect (tests, bundlers). */
  importModule?: () => Promise<unknown>;
};

/** What {@link createStatelyInspect} returns. */
export interface StatelyInspection {
  /** Pass this as `inspect` to createAuthFlow or createActor. */
  inspect: RedactingInspector;
  /** The Stately inspector itself. */
  inspector: StatelyInspector;
  /** Stops the inspector (closes its WebSocket). */
  stop(): void;
}

interface StandIn {
  id: string;
  sessionId: string;
  _parent?: { sessionId: string };
  logic?: { config: unknown };
  getSnapshot(): unknown;
}

/** The XState-shaped event Stately's observer reads, built from a redacted one; null for kinds it ignores. */
export function toStatelyInspectionEvent(event: RedactedInspectionEvent): Record<string, unknown> | null {
  const standIn = (snapshot: unknown): StandIn => ({
    id: event.actorId,
    sessionId: event.sessionId,
    getSnapshot: () => snapshot,
  });
  switch (event.type) {
    case '@xstate.actor': {
      const ref = standIn(event.snapshot);
      if (event.parentSessionId !== null) ref._parent = { sessionId: event.parentSessionId };
      if (event.definition !== undefined) ref.logic = { config: event.definition };
      return { type: event.type, rootId: event.rootId, actorRef: ref };
    }
    case '@xstate.event':
      return {
        type: event.type,
        rootId: event.rootId,
        actorRef: standIn(undefined),
        sourceRef: event.sourceSessionId === null ? undefined : { sessionId: event.sourceSessionId },
        event: event.event,
      };
    case '@xstate.snapshot':
      return {
        type: event.type,
        rootId: event.rootId,
        actorRef: standIn(event.snapshot),
        event: event.event,
        snapshot: event.snapshot,
      };
    default:
      // Stately shows actors, events and snapshots only.
      return null;
  }
}

function createInspector(module: StatelyModule, options: StatelyInspectOptions): StatelyInspector {
  if (options.kind === 'websocket') return module.createWebSocketInspector({ url: options.url });
  return module.createBrowserInspector({
    ...(options.url === undefined ? {} : { url: options.url }),
    ...(options.iframe === undefined ? {} : { iframe: options.iframe }),
  });
}

/**
 * Creates a Stately inspector and returns the observer that feeds it redacted events. Throws
 * AuthError ERR_CONFIG when @statelyai/inspect is not installed.
 */
export async function createStatelyInspect(options: StatelyInspectOptions): Promise<StatelyInspection> {
  const module = await loadStatelyModule(options.importModule);
  const inspector = createInspector(module, options);
  const inspect = createRedactingInspector(
    (event) => {
      const converted = toStatelyInspectionEvent(event);
      if (converted) inspector.inspect.next?.(converted);
    },
    options.redactor ? { redactor: options.redactor } : {},
  );
  return { inspect, inspector, stop: () => inspector.stop?.() };
}
