import type { InspectionEvent, Observer } from 'xstate';
import type { CliIO } from './io.js';

/** What `--inspect` sets up: an observer for the flow, and what to do once it ends. */
export interface InspectOption {
  observer: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | null;
  /** Keeps the page up after the flow so it can be stepped through; resolves when the person is done. */
  finish(): Promise<void>;
}

const NO_INSPECT: InspectOption = { observer: null, finish: async () => {} };

/** `--inspect` given: set up the inspector (loaded only then); otherwise nothing. */
export async function inspectOption(enabled: unknown, io: CliIO): Promise<InspectOption> {
  if (!enabled) return NO_INSPECT;
  return (await import('./inspect-setup.js')).startInspectOption(io);
}
