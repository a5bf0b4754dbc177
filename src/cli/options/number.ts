/**
 * Command-line option values, read one way everywhere. Numbers: digits only (no sign, exponent,
 * hex or blank), within stated bounds, and a message of our own that names the option and its
 * range. Strings: trimmed, and never blank when given.
 */
import { type ParsedArgs, UsageError } from '../command.js';

/** Which command reads the option (named in the message pointing to its --help). */
export interface OptionReading {
  command: string;
}

export interface WholeNumberRange extends OptionReading {
  min: number;
  max?: number;
}

function raw(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

function rangeText({ min, max }: WholeNumberRange): string {
  return max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
}

/** A whole number within `range`, or `range.fallback` when the option is absent. */
export function wholeNumberOption(args: ParsedArgs, name: string, range: WholeNumberRange): number | undefined;
export function wholeNumberOption(
  args: ParsedArgs,
  name: string,
  range: WholeNumberRange & { fallback: number },
): number;
export function wholeNumberOption(
  args: ParsedArgs,
  name: string,
  range: WholeNumberRange & { fallback?: number },
): number | undefined {
  const text = raw(args, name);
  if (text === undefined) return range.fallback;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= range.min) || (range.max !== undefined && value > range.max)) {
    throw new UsageError(`--${name} takes ${rangeText(range)}.`, range.command);
  }
  return value;
}

/**
 * A number of seconds (fractions allowed), as milliseconds; undefined when absent. Positive,
 * unless `allowZero` (a margin such as --refresh-skew may be none).
 */
export function secondsOption(
  args: ParsedArgs,
  name: string,
  reading: OptionReading & { allowZero?: boolean },
): number | undefined {
  const text = raw(args, name);
  if (text === undefined) return undefined;
  const seconds = /^\d{1,9}(\.\d{1,3})?$/.test(text) ? Number(text) : Number.NaN;
  if (reading.allowZero ? !(seconds >= 0) : !(seconds > 0)) {
    const what = reading.allowZero ? 'a number of seconds (0 or more)' : 'a positive number of seconds';
    throw new UsageError(`--${name} takes ${what}.`, reading.command);
  }
  return Math.round(seconds * 1000);
}

/** A port number, 0 (any free port) to 65535. */
export function portOption(args: ParsedArgs, name: string, reading: OptionReading): number | undefined {
  return wholeNumberOption(args, name, { ...reading, min: 0, max: 65535 });
}

/** A string option, trimmed; undefined when absent, a usage error when given blank. */
export function stringOption(args: ParsedArgs, name: string, reading: OptionReading): string | undefined {
  const value = args.values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(`--${name} needs a value.`, reading.command);
  return value.trim();
}
