import { parseArgs } from 'node:util';
import { type Command, type ParsedArgs, UsageError } from './command.js';

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
    parsed = parseArgs({ args: attachDashValues(argv, options), allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error), command.name);
  }
  const positionals = parsed.positionals;
  const allowed = command.positionals;
  if (!parsed.values.help) {
    if (!allowed && positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}".`, command.name);
    if (allowed && positionals.length < allowed.min) throw new UsageError(`missing <${allowed.name}>.`, command.name);
    if (allowed && positionals.length > allowed.max) throw new UsageError(`too many arguments.`, command.name);
  }
  return { values: parsed.values as ParsedArgs['values'], positionals };
}

/**
 * `--timeout -5`: node's parser reads "-5" as an option and says the argument is ambiguous. A
 * value-taking option followed by something that is not one of our options takes it as its value,
 * so the option's own check says what is wrong with it.
 */
function attachDashValues(argv: string[], options: Record<string, { type: string; short?: string }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const next = argv[i + 1];
    const name = token.startsWith('--') ? token.slice(2) : undefined;
    if (
      name !== undefined &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      /^-[^-]/.test(next) &&
      !isShortOption(next, options)
    ) {
      out.push(`${token}=${next}`);
      i++;
      continue;
    }
    out.push(token);
  }
  return out;
}

function isShortOption(token: string, options: Record<string, { short?: string }>): boolean {
  return Object.values(options).some((spec) => spec.short !== undefined && token === `-${spec.short}`);
}

/** Our wording for node's parser errors; they name the option and never echo a value. */
function usageMessage(error: Error): string {
  const missing = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument missing/.exec(error.message);
  if (missing) return `${missing[1]} needs a value.`;
  return error.message.replace(/\. To specify a positional.*$/s, '.');
}
