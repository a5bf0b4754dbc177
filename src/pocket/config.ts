/**
 * Settings of a Pocket client: where Pocket lives, which consumer key speaks to it, and how long
 * a call may take. Everything is checked here once, so the rest of src/pocket/ can trust it.
 */
import { AuthError } from '../../adapters/errors.js';
import { isLoopbackHost, parseHttpUrl } from '../../adapters/url-policy.js';

/** Pocket's own address. The service is gone; the embedded emulator is given as `baseUrl`. */
export const DEFAULT_POCKET_BASE_URL = 'https://getpocket.com';
/** Whole-request deadline for each call, in milliseconds. */
export const DEFAULT_POCKET_TIMEOUT_MS = 15_000;
/**
 * Page Pocket sends the browser to when there is no loopback receiver (manual confirmation
 * mode): a path on the Pocket base URL, so the person lands somewhere harmless and comes back
 * to the terminal to confirm.
 */
export const DEFAULT_POCKET_REDIRECT_PATH = '/';
/** Largest OAuth answer accepted (they are a few dozen bytes). */
export const DEFAULT_POCKET_OAUTH_MAX_BYTES = 64 * 1024;
/** Largest data answer accepted: a full `detailType=complete` list can run to megabytes. */
export const DEFAULT_POCKET_DATA_MAX_BYTES = 64 * 1024 * 1024;

/** What a host may set. Only the consumer key is required. */
export interface PocketOptions {
  /** The app's consumer key. A secret: it never appears in a message, a log or a storage key. */
  consumerKey: string;
  /** Pocket's base URL, default https://getpocket.com. Plain http only on loopback. */
  baseUrl?: string;
  /** Fallback redirect page (a path on baseUrl) for manual confirmation mode. */
  redirectPath?: string;
  /** Per-request deadline in ms. */
  timeoutMs?: number;
}

/** Checked, normalised settings. */
export interface PocketConfig {
  consumerKey: string;
  /** No trailing slash; may carry a path prefix (e.g. http://127.0.0.1:4000/pocket). */
  baseUrl: string;
  redirectPath: string;
  timeoutMs: number;
}

export { isLoopbackHost };

/**
 * Parses and checks a base URL: https anywhere, http only on loopback (ERR_INSECURE_URL), no
 * query or fragment (ERR_CONFIG). Returns it without a trailing slash.
 */
export function normalizeBaseUrl(raw: string): string {
  const url = parseHttpUrl(raw, 'Pocket base URL');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new AuthError(
      'ERR_INSECURE_URL',
      'Refusing plain http to a host that is not loopback: Pocket credentials would travel unencrypted. Use https://.',
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new AuthError('ERR_CONFIG', 'The Pocket base URL must not carry a query, a fragment or credentials.');
  }
  return url.href.replace(/\/+$/, '');
}

/** Validates a host's options and fills in the defaults. Throws AuthError ERR_CONFIG / ERR_INSECURE_URL. */
export function resolvePocketConfig(options: PocketOptions): PocketConfig {
  if (typeof options.consumerKey !== 'string' || options.consumerKey.trim() === '') {
    throw new AuthError('ERR_CONFIG', 'A Pocket consumer key is required: pass the one Pocket issued for your app.');
  }
  const redirectPath = options.redirectPath ?? DEFAULT_POCKET_REDIRECT_PATH;
  if (!redirectPath.startsWith('/') || redirectPath.startsWith('//')) {
    throw new AuthError('ERR_CONFIG', 'The Pocket redirect path must be a path starting with a single "/".');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_POCKET_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new AuthError('ERR_CONFIG', 'The Pocket timeout must be a positive number of milliseconds.');
  }
  return {
    consumerKey: options.consumerKey,
    baseUrl: normalizeBaseUrl(options.baseUrl ?? DEFAULT_POCKET_BASE_URL),
    redirectPath,
    timeoutMs,
  };
}
