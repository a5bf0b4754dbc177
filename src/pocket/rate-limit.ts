/**
 * Pocket's rate-limit headers. Data answers carry X-Limit-{User,Key}-{Limit,Remaining,Reset};
 * the OAuth endpoints send none. Past a limit Pocket answers 403 with no X-Error-Code.
 */

/** One budget: calls allowed per window, calls left, seconds until the window resets. */
export interface PocketLimit {
  limit?: number;
  remaining?: number;
  resetSeconds?: number;
}

/** Both budgets Pocket reports; a budget is absent when none of its headers were sent. */
export interface PocketRateLimits {
  user?: PocketLimit;
  key?: PocketLimit;
}

function readInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value.trim());
}

function readLimit(headers: Record<string, string>, scope: 'user' | 'key'): PocketLimit | undefined {
  const limit: PocketLimit = {};
  const total = readInteger(headers[`x-limit-${scope}-limit`]);
  const remaining = readInteger(headers[`x-limit-${scope}-remaining`]);
  const reset = readInteger(headers[`x-limit-${scope}-reset`]);
  if (total !== undefined) limit.limit = total;
  if (remaining !== undefined) limit.remaining = remaining;
  if (reset !== undefined) limit.resetSeconds = reset;
  return Object.keys(limit).length > 0 ? limit : undefined;
}

/** Reads X-Limit-* headers (names in lower case, as HttpResponse gives them). Bad values are skipped. */
export function readRateLimits(headers: Record<string, string>): PocketRateLimits {
  const limits: PocketRateLimits = {};
  const user = readLimit(headers, 'user');
  const key = readLimit(headers, 'key');
  if (user) limits.user = user;
  if (key) limits.key = key;
  return limits;
}

/** Which budget ran out, if any: the user's is checked first (it is the smaller one). */
export function exhaustedLimit(limits: PocketRateLimits): 'user' | 'key' | undefined {
  if (limits.user?.remaining === 0) return 'user';
  if (limits.key?.remaining === 0) return 'key';
  return undefined;
}

/** Reads a Retry-After header given in seconds (the HTTP-date form is not used by Pocket). */
function retryAfterHeaderMs(headers: Record<string, string>): number | undefined {
  const seconds = readInteger(headers['retry-after']);
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * How long to wait before calling again: the reset of the exhausted budget, else Retry-After,
 * else whichever reset Pocket sent (user first). Undefined when the headers say nothing.
 */
export function retryAfterMs(headers: Record<string, string>): number | undefined {
  const limits = readRateLimits(headers);
  const exhausted = exhaustedLimit(limits);
  const reset = exhausted ? limits[exhausted]?.resetSeconds : undefined;
  if (reset !== undefined) return reset * 1000;
  const header = retryAfterHeaderMs(headers);
  if (header !== undefined) return header;
  const fallback = limits.user?.resetSeconds ?? limits.key?.resetSeconds;
  return fallback === undefined ? undefined : fallback * 1000;
}
