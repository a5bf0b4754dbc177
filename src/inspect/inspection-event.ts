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

export interface RedactedActorEvent extends RedactedBase {
  type: '@xstate.actor';
  parentSessionId: string | null;
  /** The machine's id for machine actors (e.g. "auth"), else null. */
  machineId: string | null;
  snapshot: RedactedSnapshot;
  /** Machines only: the machine's configuration (states, transitions), functions replaced by their names. */
  definition?: JsonValue;
}

export interface RedactedEventEvent extends RedactedBase {
  type: '@xstate.event';
  sourceSessionId: string | null;
  event: { type: string; [key: string]: JsonValue };
}

export interface RedactedSnapshotEvent extends RedactedBase {
  type: '@xstate.snapshot';
  event: { type: string; [key: string]: JsonValue };
  snapshot: RedactedSnapshot;
}

/** One transition taken in a microstep: state ids only. */
export interface RedactedTransition {
  eventType: string;
  source: string | null;
  targets: string[];
}

export interface RedactedMicrostepEvent extends RedactedBase {
  type: '@xstate.microstep';
  event: { type: string; [key: string]: JsonValue };
  snapshot: RedactedSnapshot;
  transitions: RedactedTransition[];
}

export interface RedactedActionEvent extends RedactedBase {
  type: '@xstate.action';
  action: { type: string; params: JsonValue };
}

export type RedactedInspectionEvent =
  | RedactedActorEvent
  | RedactedEventEvent
  | RedactedSnapshotEvent
  | RedactedMicrostepEvent
  | RedactedActionEvent;
