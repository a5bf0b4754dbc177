import { DEFAULT_FLOW_CONFIG } from '../../machines/types.js';
import { UsageError } from './usage-error.js';

/** How close to expiry a token is renewed before use, by default (ms): the flow's own default. */
export const DEFAULT_REFRESH_SKEW_MS = DEFAULT_FLOW_CONFIG.refreshSkewMs;

/** --refresh-skew <seconds> in ms; the default when not given. */
export function refreshSkewMs(value: unknown, command: string): number {
  if (value === undefined) return DEFAULT_REFRESH_SKEW_MS;
  const seconds = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError('--refresh-skew takes a number of seconds (0 or more).', command);
  }
  return Math.round(seconds * 1000);
}
