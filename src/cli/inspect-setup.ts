import type { CliIO } from './io.js';
import type { InspectOption } from './inspect-option.js';

/** `--inspect`: serve the local inspector for this flow (wired when the inspector lands). */
export async function startInspectOption(io: CliIO): Promise<InspectOption> {
  const { startInspectorServer } = await import('../inspect/index.js');
  const server = await startInspectorServer({});
  io.stderr.write(`Inspector: open ${server.url} to watch the flow.\n`);
  return {
    observer: server.inspect,
    async finish() {
      io.stderr.write(`The flow is over; step through it at ${server.url}. Press Ctrl-C to stop the inspector.\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      await server.close();
    },
  };
}
