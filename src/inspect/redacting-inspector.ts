/**
 * createRedactingInspector: an XState inspection observer that forwards every inspection event
 * as redacted plain JSON (see inspection-event.ts), so a host can show, log or send it anywhere
 * without leaking the flow's secrets.
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { RedactedInspectionEvent, RedactedSnapshot, RedactedTransition } from './inspection-event.js';
import { createRedactor, type JsonValue, type Redactor } from './redactor.js';
import { leafStateIds } from './state-ids.js';

/** Options of {@link createRedactingInspector}. */
export interface RedactingInspectorOptions {
  /** Clock for the `at` field. Default Date.now. */
  now?: () => number;
  /**
   * Actors whose outputs are summarised (shape and size) instead of shown, because they may be
   * big: the authenticated call's results. Default ["fetchResource"].
   */
  summarisedActors?: readonly string[];
  /** Share one redactor between inspectors so they remember the same secrets. */
  redactor?: Redactor;
}

/** The observer to pass as `inspect`; also exposes its redactor for redacting related output. */
export interface RedactingInspector extends Observer<InspectionEvent> {
  /** Takes one XState inspection event and forwards it redacted. */
  next(event: InspectionEvent): void;
  /** The redactor it uses (remembers the secrets it has seen). */
  readonly redactor: Redactor;
}

interface ActorLike {
  sessionId: string;
  id?: unknown;
  logic?: { id?: unknown; config?: unknown };
  _parent?: { sessionId?: unknown };
}

type EventJson = { type: string; [key: string]: JsonValue };

/**
 * Returns the observer to pass as `inspect` to createAuthFlow or createActor. Each XState
 * inspection event reaches `forward` as redacted plain JSON, in order, synchronously. Secrets
 * seen anywhere in the session are remembered and cut out of later strings too.
 */
export function createRedactingInspector(
  forward: (event: RedactedInspectionEvent) => void,
  options: RedactingInspectorOptions = {},
): RedactingInspector {
  const redactor = options.redactor ?? createRedactor();
  const now = options.now ?? Date.now;
  const summarised = new Set(options.summarisedActors ?? ['fetchResource']);
  let seq = 0;

  const machineIdOf = (ref: ActorLike): string | null => {
    const config = ref.logic?.config as { states?: unknown; id?: unknown } | undefined;
    if (!config || typeof config !== 'object' || !config.states) return null;
    return typeof ref.logic?.id === 'string' ? ref.logic.id : typeof config.id === 'string' ? config.id : '(machine)';
  };

  const eventJson = (event: unknown): EventJson => {
    const raw = (event ?? {}) as { type?: unknown; output?: unknown };
    const type = typeof raw.type === 'string' ? raw.type : 'unknown';
    const done = /^xstate\.done\.actor\.(.+)$/.exec(type);
    const json = redactor.redact(event) as Record<string, JsonValue>;
    if (done?.[1] !== undefined && summarised.has(done[1]) && 'output' in raw)
      json.output = redactor.summarise(raw.output);
    return { ...json, type: redactor.scrub(type) };
  };

  const snapshotJson = (snapshot: unknown, ref: ActorLike): RedactedSnapshot => {
    const s = (snapshot ?? {}) as Record<string, unknown>;
    const out: RedactedSnapshot = { status: typeof s.status === 'string' ? s.status : 'active' };
    const machineId = machineIdOf(ref);
    if (machineId !== null && 'value' in s) {
      // State names come from the machine definition, never from data: shown as they are (and
      // not learned from, or a state named under a key like "requestingToken" would be scrubbed
      // out of every string).
      out.value = JSON.parse(JSON.stringify(s.value ?? null)) as JsonValue;
      out.stateIds = leafStateIds(s.value, machineId);
      out.context = redactor.redact(s.context);
    }
    if (s.input !== undefined) out.input = redactor.redact(s.input);
    if (s.output !== undefined)
      out.output = summarised.has(String(ref.id)) ? redactor.summarise(s.output) : redactor.redact(s.output);
    if (s.error !== undefined) out.error = redactor.redact(s.error);
    if (s.children && typeof s.children === 'object') {
      out.children = Object.fromEntries(
        Object.entries(s.children as Record<string, ActorLike | undefined>).flatMap(([id, child]) =>
          typeof child?.sessionId === 'string' ? [[redactor.scrub(id), child.sessionId]] : [],
        ),
      );
    }
    return out;
  };

  // Learn from every part that may hold a secret before redacting any part, so a secret is cut
  // out of the first string it appears in even when its denied key comes later in the event.
  const learnFrom = (event: InspectionEvent) => {
    const e = event as {
      event?: unknown;
      snapshot?: unknown;
      action?: { params?: unknown };
      actorRef: { getSnapshot?: () => unknown };
    };
    redactor.learn(e.event);
    redactor.learn(e.action?.params);
    const snapshot = (event.type === '@xstate.actor' ? e.actorRef.getSnapshot?.() : e.snapshot) as
      | Record<string, unknown>
      | undefined;
    if (snapshot)
      for (const part of [snapshot.context, snapshot.input, snapshot.output, snapshot.error]) redactor.learn(part);
  };

  const transitionsJson = (transitions: unknown): RedactedTransition[] =>
    ((transitions ?? []) as { eventType?: unknown; source?: { id?: unknown }; target?: { id?: unknown }[] }[]).map(
      (t) => ({
        eventType: redactor.scrub(String(t.eventType ?? '')),
        source: typeof t.source?.id === 'string' ? t.source.id : null,
        targets: (t.target ?? []).map((node) => String(node?.id)),
      }),
    );

  const definitionJson = (ref: ActorLike): JsonValue | undefined => {
    if (machineIdOf(ref) === null) return undefined;
    try {
      // Functions (guards, actions, inputs) become their names, as the Stately inspector expects.
      const plain = JSON.parse(
        JSON.stringify(ref.logic?.config, (_key, value: unknown) =>
          typeof value === 'function' ? { type: value.name || 'anonymous' } : value,
        ),
      );
      return redactor.redactKnown(plain);
    } catch {
      return undefined;
    }
  };

  const convert = (event: InspectionEvent): RedactedInspectionEvent | null => {
    learnFrom(event);
    const ref = event.actorRef as unknown as ActorLike;
    const base = {
      seq: ++seq,
      at: now(),
      rootId: event.rootId,
      sessionId: ref.sessionId,
      actorId: redactor.scrub(typeof ref.id === 'string' ? ref.id : ref.sessionId),
    };
    switch (event.type) {
      case '@xstate.actor': {
        const definition = definitionJson(ref);
        const parent = ref._parent?.sessionId;
        return {
          ...base,
          type: event.type,
          parentSessionId: typeof parent === 'string' ? parent : null,
          machineId: machineIdOf(ref),
          snapshot: snapshotJson((event.actorRef as { getSnapshot?: () => unknown }).getSnapshot?.(), ref),
          ...(definition === undefined ? {} : { definition }),
        };
      }
      case '@xstate.event':
        return {
          ...base,
          type: event.type,
          sourceSessionId: event.sourceRef?.sessionId ?? null,
          event: eventJson(event.event),
        };
      case '@xstate.snapshot':
        return {
          ...base,
          type: event.type,
          event: eventJson(event.event),
          snapshot: snapshotJson(event.snapshot, ref),
        };
      case '@xstate.microstep':
        return {
          ...base,
          type: event.type,
          event: eventJson(event.event),
          snapshot: snapshotJson(event.snapshot, ref),
          transitions: transitionsJson(event._transitions),
        };
      case '@xstate.action':
        return {
          ...base,
          type: event.type,
          action: { type: redactor.scrub(event.action.type), params: actionParamsJson(event.action.params) },
        };
      default:
        return null;
    }
  };

  // An emitted `fetched` event carries the authenticated call's result: summarise it.
  const actionParamsJson = (params: unknown): JsonValue => {
    const json = redactor.redact(params);
    const emitted = (params as { event?: { type?: unknown; result?: unknown } } | null)?.event;
    if (
      emitted &&
      emitted.type === 'fetched' &&
      'result' in emitted &&
      json &&
      typeof json === 'object' &&
      !Array.isArray(json)
    ) {
      const eventJson = json.event as Record<string, JsonValue>;
      eventJson.result = redactor.summarise(emitted.result);
    }
    return json;
  };

  return {
    redactor,
    next(event: InspectionEvent) {
      let redacted: RedactedInspectionEvent | null = null;
      try {
        redacted = convert(event);
      } catch {
        // Inspection must never break the login it watches; an event we cannot convert is dropped.
        return;
      }
      if (redacted) forward(redacted);
    },
  };
}
