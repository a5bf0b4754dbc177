import { parseArgs } from 'node:util';
import type { Command, ParsedArgs } from './command.js';
import { UsageError } from './usage-error.js';

/** Options every command takes. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h', description: 'Show this help' } } as const;

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries({ ...command.options, ...HELP_OPTION }).map(([name, spec]) => {
      const { description: _d, valueName: _v, ...config } = spec as typeof spec & { valueName?: string };
      return [name, config];
    }),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages name the option and never echo a value; keep them.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, '.'), command.name);
  }
  const positionals = parsed.positionals;
  const allowed = command.positionals;
  if (!parsed.values.help) {
    if (!allowed && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}".`, command.name);
    if (allowed && positionals.length < allowed.min) throw new UsageError(`missing <${allowed.name}>.`, command.name);
    if (allowed && positionals.length > allowed.max) throw new UsageError(`too many arguments.`, command.name);
  }
  return { values: parsed.values as ParsedArgs['values'], positionals };
}
