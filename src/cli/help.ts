import type { Command } from './command.js';
import { EXIT_CODES_HELP } from './output/exit-codes.js';
import { HELP_OPTION } from './parse.js';
import { COMMANDS, summaryOf } from './registry.js';

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `authmachine - log in from the terminal, as a state machine you can watch and test.

Usage: authmachine <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Start here:
  authmachine demo                  a full login against the built-in Pocket emulator
  authmachine login --issuer URL --client-id ID
                                    log in to any OpenID Connect / OAuth 2.0 provider

Run \`authmachine <command> --help\` for a command's options.

${EXIT_CODES_HELP}
`;
}

export function commandHelp(command: Command): string {
  const options = { ...command.options, ...HELP_OPTION };
  const rows = Object.entries(options).map(([name, spec]) => {
    const short = 'short' in spec && spec.short ? `-${spec.short}, ` : '    ';
    const value =
      (spec.type as string) === 'string' ? ` <${(spec as { valueName?: string }).valueName ?? 'value'}>` : '';
    return [`  ${short}--${name}${value}`, spec.description] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `Usage: ${command.usage}`,
    '',
    `${summaryOf(command.name)}.`,
    ...(command.details ? ['', command.details] : []),
    '',
    'Options:',
    ...rows.map(([left, text]) => `${left.padEnd(width)}  ${text}`),
    ...(command.examples?.length ? ['', 'Examples:', ...command.examples.map((e) => `  ${e}`)] : []),
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}
