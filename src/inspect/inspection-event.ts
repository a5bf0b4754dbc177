/**
 * The plain-JSON form of XState's inspection events that the redacting inspector forwards: no
 * actor objects (sessionIds instead), no state-node graphs, and every secret redacted.
 */
import type { JsonValue } from './redactor.js';

/** A snapshot with only what a person inspecting the flow needs. */
export interface RedactedSnapshot {
  status: string;
  /** Machines only: the state value, e.g. {"signingIn": {"awaitingUser": "waitingForRedirect"}}. */
  value?: JsonValue;
  /** Machines only: active leaf state ids, e.g. ["auth.signingIn.awaitingUser.waitingForRedirect"]. */
  stateIds?: string[];
  /** Machines only, redacted. */
  context?: JsonValue;
  /** Promise and callback actors: what they were started with, redacted. */
  input?: JsonValue;
  output?: JsonValue;
  error?: JsonValue;
  /** Child actors by id: their sessionIds. */
  children?: Record<string, string>;
}

interface RedactedBase {
  /** 1, 2, 3... in the order the events happened. */
  seq: number;
  /** Epoch milliseconds when the inspector saw the event. */
  at: number;
  /** sessionId of the root actor (the flow). */
  rootId: string;
  /** sessionId of the actor the event is about (the recipient, for @xstate.event). */
  sessionId: string;
  /** That actor's id, e.g. "startAuthorization" for an invoked actor. */
  actorId: string;
}

/** XState's `@xstate.actor`: an actor was created (the flow, or an invoked actor). */
export interface RedactedActorEvent extends RedactedBase {
  type: '@xstate.actor';
  /** The parent's sessionId; null for the root. */
  parentSessionId: string | null;
  /** The machine's id for machine actors (e.g. "auth"), else null. */
  machineId: string | null;
  /** Its first snapshot, redacted. */
  snapshot: RedactedSnapshot;
  /** Machines only: the machine's configuration (states, transitions), functions replaced by their names. */
  definition?: JsonValue;
}

/** XState's `@xstate.event`: an event was sent to an actor. */
export interface RedactedEventEvent extends RedactedBase {
  type: '@xstate.event';
  /** The sender's sessionId; null when the host sent it. */
  sourceSessionId: string | null;
  /** The event, secrets replaced by "[redacted]". */
  event: { type: string; [key: string]: JsonValue };
}

/** XState's `@xstate.snapshot`: an actor's snapshot after an event. */
export interface RedactedSnapshotEvent extends RedactedBase {
  type: '@xstate.snapshot';
  /** The event that led to it, redacted. */
  event: { type: string; [key: string]: JsonValue };
  /** The new snapshot, redacted. */
  snapshot: RedactedSnapshot;
}

/** One transition taken in a microstep: state ids only. */
export interface RedactedTransition {
  eventType: string;
  source: string | null;
  targets: string[];
}

/** XState's `@xstate.microstep`: one step of a macrostep, with the transitions it took. */
export interface RedactedMicrostepEvent extends RedactedBase {
  type: '@xstate.microstep';
  /** The event being processed, redacted. */
  event: { type: string; [key: string]: JsonValue };
  /** The snapshot after the step, redacted. */
  snapshot: RedactedSnapshot;
  /** The transitions taken, by state id. */
  transitions: RedactedTransition[];
}

/** XState's `@xstate.action`: an action ran. */
export interface RedactedActionEvent extends RedactedBase {
  type: '@xstate.action';
  /** The action's name and its params, redacted. */
  action: { type: string; params: JsonValue };
}

/**
 * One XState inspection event as plain JSON with every secret replaced by "[redacted]": what
 * the redacting inspector hands on, and what the inspector page and remote inspectors receive.
 */
export type RedactedInspectionEvent =
  | RedactedActorEvent
  | RedactedEventEvent
  | RedactedSnapshotEvent
  | RedactedMicrostepEvent
  | RedactedActionEvent;
