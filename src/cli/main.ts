/**
 * The `authmachine` command. Loads only the command it runs, so `--help` and commands that make
 * no request never load an HTTP library.
 */
import type { CliIO } from './io.js';
import { processIO } from './io.js';
import { EXIT } from './exit-codes.js';
import { commandHelp, mainHelp } from './help.js';
import { parseCommandArgs } from './parse.js';
import { COMMANDS } from './registry.js';
import { reportFailure } from './report.js';
import { UsageError } from './usage-error.js';

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic ? commandHelp(await topic.load()) : mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${await packageVersion()}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  try {
    if (!entry) throw new UsageError(`unknown command "${name}".`);
    const command = await entry.load();
    const args = parseCommandArgs(command, rest);
    if (args.values['help']) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}

/** The version in authmachine's package.json, found upwards from here (dist/esm/src/cli or src/cli). */
async function packageVersion(): Promise<string> {
  const { readFileSync } = await import('node:fs');
  let dir = new URL('.', import.meta.url);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'authmachine' && pkg.version) return pkg.version;
    } catch {
      // No package.json here (or dist's bare {"type"} one): keep looking upwards.
    }
    const parent = new URL('..', dir);
    if (parent.href === dir.href) return 'unknown';
    dir = parent;
  }
}
