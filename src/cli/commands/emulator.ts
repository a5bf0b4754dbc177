import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Command, UsageError } from '../command.js';
import { EXIT } from '../output/exit-codes.js';
import { configDir } from '../storage/profile.js';
import { portOption, wholeNumberOption } from '../options/number.js';

const APPROVALS = ['page', 'auto-approve', 'auto-decline'] as const;

export const emulator: Command = {
  name: 'emulator',
  usage: 'authmachine emulator [--port N] [--approval page|auto-approve|auto-decline] [--items N] [--page-cap N]',
  details: [
    "Pocket's API was switched off in November 2025; this emulator speaks it as the real one did",
    '(JSON or form answers, X-Error headers, rate limits, the authorize page) on 127.0.0.1 only.',
    'It issues its own consumer key and writes it to a file (mode 0600) rather than printing it.',
    'Point any Pocket client at the printed URL instead of https://getpocket.com. Ctrl-C stops it.',
  ].join('\n'),
  options: {
    port: { type: 'string', valueName: 'n', description: 'Port on 127.0.0.1 (default: a free one)' },
    approval: {
      type: 'string',
      valueName: 'mode',
      description: 'page: you click Approve/Decline (default); auto-approve / auto-decline: decided at once',
    },
    items: { type: 'string', valueName: 'n', description: 'Serve N generated items instead of the ten demo articles' },
    'page-cap': {
      type: 'string',
      valueName: 'n',
      description: 'At most N items per /v3/get answer, whatever count asks (the real service: 30)',
    },
    'key-file': {
      type: 'string',
      valueName: 'path',
      description: 'Where to write the consumer key (default ~/.config/authmachine/emulator-consumer-key)',
    },
    verbose: { type: 'boolean', description: 'Log each request (method, path, status; never a secret)' },
  },
  examples: [
    'authmachine emulator --port 8080',
    'authmachine login --base-url http://127.0.0.1:8080 --consumer-key-file ~/.config/authmachine/emulator-consumer-key',
  ],
  async run(args, io) {
    const port = portOption(args, 'port', { command: 'emulator' }) ?? 0;
    const approval = (args.values['approval'] ?? 'page') as (typeof APPROVALS)[number];
    if (!APPROVALS.includes(approval))
      throw new UsageError(`--approval must be one of ${APPROVALS.join(', ')}.`, 'emulator');
    const items = wholeNumberOption(args, 'items', { command: 'emulator', min: 0 });
    const pageCap = wholeNumberOption(args, 'page-cap', { command: 'emulator', min: 1 });
    const { startPocketEmulator } = await import('../../pocket/emulator/index.js');
    const server = await startPocketEmulator({
      port,
      approval,
      ...(items ? { syntheticItems: items } : {}),
      ...(pageCap === undefined ? {} : { pageCap }),
      ...(args.values['verbose'] ? { log: (e) => io.stderr.write(`${JSON.stringify(e)}\n`) } : {}),
    });
    const keyFile = (args.values['key-file'] as string | undefined) ?? join(configDir(io.env), 'emulator-consumer-key');
    await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
    await writeFile(keyFile, `${server.consumerKey}\n`, { mode: 0o600 });
    io.stdout.write(
      [
        `Pocket emulator listening on ${server.url} (account "${server.username}", approval: ${approval})`,
        `Consumer key written to ${keyFile}`,
        `Log in with: authmachine login --base-url ${server.url} --consumer-key-file ${keyFile}`,
        'Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      // Whichever signal comes first stops it; the other handler must not stay behind.
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    await rm(keyFile, { force: true });
    io.stderr.write('Emulator stopped.\n');
    return EXIT.ok;
  },
};
