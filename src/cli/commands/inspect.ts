import { randomBytes } from 'node:crypto';
import type { Command } from '../command.js';
import { EXIT } from '../output/exit-codes.js';
import { publishInspector, withdrawInspector } from '../storage/inspector-file.js';
import { portOption } from '../options/number.js';

export const inspect: Command = {
  name: 'inspect',
  usage: 'authmachine inspect [--port N]',
  details: [
    'Serves a page on 127.0.0.1 that draws the login statechart, highlights the current state as',
    'the flow moves, lists its events with their timing and shows its context with every secret',
    'replaced by "[redacted]". Keep it running, then start `authmachine login --inspect` or',
    '`authmachine demo --inspect` in another terminal: they report to it. The page keeps the',
    'history, so a finished flow can be stepped back through. Needs no internet. Ctrl-C stops it.',
  ].join('\n'),
  options: {
    port: { type: 'string', valueName: 'n', description: 'Port on 127.0.0.1 (default: a free one)' },
  },
  examples: ['authmachine inspect', 'authmachine demo --inspect    # in another terminal'],
  async run(args, io) {
    const port = portOption(args, 'port', { command: 'inspect' }) ?? 0;
    const { startInspectorServer } = await import('../../inspect/inspector-server.js');
    const key = randomBytes(24).toString('base64url');
    const server = await startInspectorServer({ port, ingestKey: key });
    await publishInspector(io.env, { url: server.url, key });
    io.stdout.write(
      `Inspector listening on ${server.url}\nRun \`authmachine demo --inspect\` or \`authmachine login --inspect\` to watch a flow. Ctrl-C to stop.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await withdrawInspector(io.env);
    await server.close();
    io.stderr.write('Inspector stopped.\n');
    return EXIT.ok;
  },
};
