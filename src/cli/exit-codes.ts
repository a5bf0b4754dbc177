/**
 * Exit codes scripts can rely on. One per kind of outcome a script would branch on, never per
 * error message.
 */
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
  /** Network, server or rate limit: try again later. */
  unavailable: 6,
  /** The keychain or token file failed, or none is available. */
  storage: 7,
  /** The provider rejected the app (consumer key, client id) or the request. */
  rejected: 8,
  /** Cancelled (Ctrl-C). */
  cancelled: 130,
} as const;

const BY_CODE: Record<string, number> = {
  ERR_NOT_LOGGED_IN: EXIT.needsLogin,
  ERR_TOKEN_INVALID: EXIT.needsLogin,
  ERR_DECLINED: EXIT.declined,
  ERR_TIMEOUT: EXIT.timeout,
  ERR_EXPIRED: EXIT.timeout,
  ERR_NETWORK: EXIT.unavailable,
  ERR_SERVER: EXIT.unavailable,
  ERR_RATE_LIMITED: EXIT.unavailable,
  // A proxy's HTML page, a truncated or oversized answer: the server side is broken, try later.
  ERR_BAD_RESPONSE: EXIT.unavailable,
  ERR_RESPONSE_TOO_LARGE: EXIT.unavailable,
  ERR_STORAGE: EXIT.storage,
  ERR_STORAGE_UNAVAILABLE: EXIT.storage,
  ERR_INVALID_CLIENT: EXIT.rejected,
  ERR_INVALID_REQUEST: EXIT.rejected,
  ERR_FORBIDDEN: EXIT.rejected,
  ERR_CODE_INVALID: EXIT.rejected,
  ERR_STATE_MISMATCH: EXIT.rejected,
  ERR_ISSUER_MISMATCH: EXIT.rejected,
  // Any other error the provider reported about our request.
  ERR_PROTOCOL: EXIT.rejected,
  ERR_INSECURE_URL: EXIT.usage,
  ERR_CONFIG: EXIT.usage,
  ERR_CANCELLED: EXIT.cancelled,
};

export function exitCodeFor(code: string): number {
  return BY_CODE[code] ?? EXIT.failure;
}

export const EXIT_CODES_HELP = `Exit codes:
  0 ok   2 usage   3 not logged in / login expired   4 declined   5 timed out
  6 network, server or rate limit (try later)   7 keychain or token file   8 rejected by the provider
  130 cancelled   1 anything else`;
