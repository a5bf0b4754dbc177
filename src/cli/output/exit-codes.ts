/**
 * Exit codes scripts can rely on. One per kind of outcome a script would branch on, never per
 * error message. Every AuthError code has one (a Record over the codes: a new code cannot miss it).
 */
import type { AuthError, AuthErrorCode } from '../../../adapters/errors.js';

export const EXIT = {
  ok: 0,
  /** A bug, or an error with no better code. */
  failure: 1,
  /** The command line was wrong: see --help. */
  usage: 2,
  /** Not logged in, or the login is no longer valid: run `authmachine login`. */
  needsLogin: 3,
  /** The person declined access. */
  declined: 4,
  /** Nobody approved in time, or the code expired. */
  timeout: 5,
  /** Network, server or rate limit: worth trying again later. */
  unavailable: 6,
  /** The keychain or token file failed, or none is available. */
  storage: 7,
  /** The provider rejected the app (consumer key, client id) or the request. */
  rejected: 8,
  /** Something on this machine is in the way: the listener's port, the browser launcher. */
  local: 9,
  /** The server answers in a way authmachine cannot use, and will keep doing so: retrying will not help. */
  incompatible: 10,
  /** Cancelled (Ctrl-C). */
  cancelled: 130,
  /** stdout was closed by its reader (`| head`): what a process that SIGPIPE ends returns (128 + 13). */
  outputClosed: 141,
} as const;

type ExitRule = number | ((error: AuthError) => number);

/** A transient fault is worth retrying later; the same code from a server that always answers so is not. */
const transientOr =
  (otherwise: number): ExitRule =>
  (error) =>
    error.retryable ? EXIT.unavailable : otherwise;

const BY_CODE: Record<AuthErrorCode, ExitRule> = {
  ERR_NOT_LOGGED_IN: EXIT.needsLogin,
  ERR_TOKEN_INVALID: EXIT.needsLogin,
  ERR_DECLINED: EXIT.declined,
  // The wait for the person (not retryable) vs a server that did not answer (retryable).
  ERR_TIMEOUT: transientOr(EXIT.timeout),
  ERR_EXPIRED: EXIT.timeout,
  // A refused or reset connection may pass; a certificate this machine does not trust will not.
  ERR_NETWORK: transientOr(EXIT.incompatible),
  ERR_SERVER: EXIT.unavailable,
  ERR_RATE_LIMITED: EXIT.unavailable,
  ERR_BAD_RESPONSE: transientOr(EXIT.incompatible),
  ERR_RESPONSE_TOO_LARGE: EXIT.incompatible,
  ERR_REDIRECT_REFUSED: EXIT.incompatible,
  ERR_ISSUER_MISMATCH: EXIT.incompatible,
  ERR_STORAGE: EXIT.storage,
  ERR_STORAGE_UNAVAILABLE: EXIT.storage,
  ERR_INVALID_CLIENT: EXIT.rejected,
  ERR_INVALID_REQUEST: EXIT.rejected,
  ERR_FORBIDDEN: EXIT.rejected,
  ERR_CODE_INVALID: EXIT.rejected,
  ERR_STATE_MISMATCH: EXIT.rejected,
  // Any other error the provider reported about our request.
  ERR_PROTOCOL: transientOr(EXIT.rejected),
  ERR_LISTENER: EXIT.local,
  ERR_BROWSER: EXIT.local,
  ERR_INSECURE_URL: EXIT.usage,
  ERR_CONFIG: EXIT.usage,
  ERR_CANCELLED: EXIT.cancelled,
  ERR_UNEXPECTED: EXIT.failure,
};

export function exitCodeFor(error: AuthError): number {
  const rule = BY_CODE[error.code] ?? EXIT.failure;
  return typeof rule === 'number' ? rule : rule(error);
}

export const EXIT_CODES_HELP = `Exit codes:
  0 ok   2 usage   3 not logged in / login expired   4 declined   5 timed out waiting for you
  6 network, server or rate limit (try later)   7 keychain or token file   8 rejected by the provider
  9 something on this machine (busy port, browser)   10 the server's answers cannot be used (retrying will not help)
  130 cancelled   141 stdout closed by its reader (e.g. | head)   1 anything else`;
