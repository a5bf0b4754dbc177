import type { InspectionEvent, Observer } from 'xstate';

/** What `--inspect` sets up: an observer for the flow, and what to do once it ends. */
export interface InspectOption {
  observer: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | null;
  /** Keeps the page up after the flow so it can be stepped through; resolves when the person is done. */
  finish(): Promise<void>;
}

export const NO_INSPECT: InspectOption = { observer: null, finish: async () => {} };
