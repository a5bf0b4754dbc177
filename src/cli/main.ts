/**
 * The `authmachine` command. Loads only the command it runs, so `--help` and commands that make
 * no request never load an HTTP library.
 */
import { type CliIO, processIO } from './output/io.js';
import { EXIT } from './output/exit-codes.js';
import { commandHelp, mainHelp } from './help.js';
import { parseCommandArgs } from './parse.js';
import { COMMANDS } from './registry.js';
import { reportFailure } from './output/report.js';
import { UsageError } from './command.js';
import { runKeychainInChild } from './storage/keychain-mode.js';

export async function main(argv: string[], io?: CliIO): Promise<number> {
  // As its own process (no io handed in), keychain calls run in a helper child: see storage/keychain-mode.ts.
  if (io === undefined) runKeychainInChild();
  return run(argv, io ?? processIO());
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic ? commandHelp(await topic.load()) : mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    const { packageVersion } = await import('./package-version.js');
    io.stdout.write(`${packageVersion()}\n`);
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
