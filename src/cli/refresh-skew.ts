import { DEFAULT_FLOW_CONFIG } from '../../machines/types.js';
import type { ParsedArgs } from './command.js';
import { type OptionReading, secondsOption } from './number-option.js';

/** How close to expiry a token is renewed before use, by default (ms): the flow's own default. */
export const DEFAULT_REFRESH_SKEW_MS = DEFAULT_FLOW_CONFIG.refreshSkewMs;

/** --refresh-skew <seconds> in ms (0 or more); the flow's default when not given. */
export function refreshSkewMs(args: ParsedArgs, reading: OptionReading): number {
  return secondsOption(args, 'refresh-skew', { ...reading, allowZero: true }) ?? DEFAULT_REFRESH_SKEW_MS;
}
