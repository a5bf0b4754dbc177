/**
 * Numeric command-line options, read one way everywhere: digits only (no sign, exponent, hex or
 * blank), within stated bounds, and a message of our own that names the option and its range.
 */
import type { ParsedArgs } from './command.js';
import { UsageError } from './usage-error.js';

export interface WholeNumberRange {
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

/** A whole number within `range`, or `fallback` when the option is absent. */
export function wholeNumberOption(
  args: ParsedArgs,
  name: string,
  command: string,
  range: WholeNumberRange,
): number | undefined;
export function wholeNumberOption(
  args: ParsedArgs,
  name: string,
  command: string,
  range: WholeNumberRange,
  fallback: number,
): number;
export function wholeNumberOption(
  args: ParsedArgs,
  name: string,
  command: string,
  range: WholeNumberRange,
  fallback?: number,
): number | undefined {
  const text = raw(args, name);
  if (text === undefined) return fallback;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= range.min) || (range.max !== undefined && value > range.max)) {
    throw new UsageError(`--${name} takes ${rangeText(range)}.`, command);
  }
  return value;
}

/** A positive number of seconds (fractions allowed), as milliseconds; undefined when absent. */
export function secondsOption(args: ParsedArgs, name: string, command: string): number | undefined {
  const text = raw(args, name);
  if (text === undefined) return undefined;
  const seconds = /^\d{1,9}(\.\d{1,3})?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0)) throw new UsageError(`--${name} takes a positive number of seconds.`, command);
  return Math.round(seconds * 1000);
}

/** A port number, 0 (any free port) to 65535. */
export function portOption(args: ParsedArgs, name: string, command: string): number | undefined {
  return wholeNumberOption(args, name, command, { min: 0, max: 65535 });
}
