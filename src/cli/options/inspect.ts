/**
 * `--inspect`: report the flow to a running `authmachine inspect` if there is one, else serve
 * the local inspector page from this process and keep it up after the flow until Ctrl-C, so the
 * finished flow can be stepped through. The inspector modules load only when the option is given.
 */
import type { InspectionEvent, Observer } from 'xstate';
import { findInspector } from '../storage/inspector-file.js';
import type { CliIO } from '../output/io.js';

/** What `--inspect` sets up: an observer for the flow, and what to do once it ends. */
export interface InspectOption {
  observer: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | null;
  /** Keeps the page up after the flow so it can be stepped through; resolves when the person is done. */
  finish(): Promise<void>;
}

const NO_INSPECT: InspectOption = { observer: null, finish: async () => {} };

/** `--inspect` given (`enabled`): set up the inspector; otherwise nothing. */
export async function inspectOption(io: CliIO, options: { enabled: boolean }): Promise<InspectOption> {
  if (!options.enabled) return NO_INSPECT;
  const running = await findInspector(io.env);
  if (running) {
    const { createRemoteInspector } = await import('../../inspect/remote-inspector.js');
    const remote = createRemoteInspector(running);
    io.stderr.write(`Inspector: reporting this flow to ${running.url}\n`);
    return { observer: remote.inspect, finish: () => remote.flush() };
  }
  const { startInspectorServer } = await import('../../inspect/inspector-server.js');
  const server = await startInspectorServer({});
  io.stderr.write(`Inspector: open ${server.url} to watch the flow live.\n`);
  return {
    observer: server.inspect,
    async finish() {
      io.stderr.write(`The flow is over; step through it at ${server.url}. Ctrl-C stops the inspector.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    },
  };
}
