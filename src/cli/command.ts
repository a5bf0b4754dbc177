import type { ParseArgsConfig } from 'node:util';
import type { CliIO } from './output/io.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  /** One line for --help; the value name in angle brackets when the option takes one. */
  description: string;
  valueName?: string;
};

/** One subcommand: its help and how to run it. Its one-line summary lives in the registry (registry.ts). */
export interface Command {
  name: string;
  /** e.g. "authmachine items [options]" */
  usage: string;
  /** Paragraphs printed under the usage line. */
  details?: string;
  options: Record<string, OptionSpec>;
  examples?: string[];
  /** Positional arguments allowed (e.g. add <url>). */
  positionals?: { name: string; min: number; max: number };
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A mistake on the command line; printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command: string | null = null,
  ) {
    super(message);
  }
}
