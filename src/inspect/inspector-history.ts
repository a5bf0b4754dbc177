/**
 * What the local inspector page shows, kept for the whole session so a late page, or a person
 * stepping back through a finished flow, sees every step: one step per snapshot of the flow's
 * root actor, with the event that caused it, its time since the flow started, the active states
 * and the redacted context.
 */
import type { RedactedInspectionEvent } from './inspection-event.js';
import type { JsonValue } from './redactor.js';

/** One step of the flow as the inspector page shows it. */
export interface InspectorStep {
  /** 0, 1, 2... */
  index: number;
  /** Milliseconds since the flow started. */
  atMs: number;
  /** The event that led here (redacted), e.g. {"type": "CALLBACK", "params": {...}}. */
  event: { type: string; [key: string]: JsonValue };
  /** Active leaf state ids, e.g. ["auth.signingIn.awaitingUser.waitingForRedirect"]. */
  stateIds: string[];
  /** The actor's status: "active", "done", "error" or "stopped". */
  status: string;
  /** The machine's context, redacted. */
  context: JsonValue;
}

export type HistoryMessage = { kind: 'reset' } | { kind: 'step'; step: InspectorStep };

export class InspectorHistory {
  readonly #steps: InspectorStep[] = [];
  readonly #listeners = new Set<(message: HistoryMessage) => void>();
  #rootId: string | null = null;
  #startedAt = 0;

  constructor(private readonly maxSteps = 5_000) {}

  get steps(): readonly InspectorStep[] {
    return this.#steps;
  }

  /** Feeds one redacted inspection event; a new root actor (a new flow) starts a new history. */
  add(event: RedactedInspectionEvent): void {
    if (event.type === '@xstate.actor' && event.parentSessionId === null) {
      this.#rootId = event.sessionId;
      this.#startedAt = event.at;
      this.#steps.length = 0;
      this.#publish({ kind: 'reset' });
      return;
    }
    if (event.type !== '@xstate.snapshot' || event.sessionId !== this.#rootId || !event.snapshot.stateIds) return;
    if (this.#steps.length >= this.maxSteps) return;
    const step: InspectorStep = {
      index: this.#steps.length,
      atMs: event.at - this.#startedAt,
      event: event.event,
      stateIds: event.snapshot.stateIds,
      status: event.snapshot.status,
      context: event.snapshot.context ?? null,
    };
    this.#steps.push(step);
    this.#publish({ kind: 'step', step });
  }

  /** Listens to new messages; returns the unsubscribe function. */
  subscribe(listener: (message: HistoryMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #publish(message: HistoryMessage): void {
    for (const listener of this.#listeners) listener(message);
  }
}
