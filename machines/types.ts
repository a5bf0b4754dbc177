/**
 * The machine's data, all plain JSON so a snapshot can be persisted and restored in another
 * process. Fields marked "secret" are redacted by the inspector and never logged.
 */
import type { AuthErrorData, CallbackResult } from '../vocabulary/index.js';

export type { AuthErrorCode, AuthErrorData, CallbackResult, RedirectOutcome } from '../vocabulary/index.js';

/**
 * A DPoP proof key (RFC 9449): the JWS algorithm and the private key as a JWK (its public members
 * included). Secret: it never leaves the token store, the session or the machine's context.
 */
export interface DPoPKey {
  /** "ES256" (the default), "ES384", "ES512", "EdDSA" or "Ed25519" (RFC 9864). */
  alg: string;
  /** Secret: kty, crv, x, (y) and the private d. */
  privateJwk: Record<string, string>;
}

/** What a successful login yields. Secrets: accessToken, refreshToken, idToken, dpopKey. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds; absent when the provider gives no expiry (Pocket). */
  expiresAt?: number;
  /** Epoch milliseconds after which the refresh token is dead too (`refresh_token_expires_in`). */
  refreshExpiresAt?: number;
  /** "Bearer", or "DPoP" for a sender-constrained token (RFC 9449), which needs `dpopKey`. */
  tokenType?: string;
  /** Secret: the key this login's tokens are bound to (RFC 9449); a new one at each login. */
  dpopKey?: DPoPKey;
  scope?: string;
  idToken?: string;
  /** Who logged in, when the provider says (Pocket's username, OIDC's sub/name). */
  username?: string;
}

/**
 * Kept between requestingToken and exchanging. Holds secrets (request token, PKCE verifier);
 * `state` is what the redirect receiver must see come back (null: nothing to check).
 */
export interface FlowSession {
  state: string | null;
  [key: string]: unknown;
}

/** requestingToken's output. */
export interface StartResult {
  session: FlowSession;
  authorizationUrl: string;
  userCode?: string;
  pollIntervalMs?: number;
  expiresInMs?: number;
}

/**
 * One device poll (RFC 8628 section 3.5). `intervalMs`: a new interval the server named with
 * slow_down; `retryAfterMs`: a Retry-After it sent with the answer. Both are the server's timing.
 */
export type DevicePollResult =
  | { status: 'pending'; retryAfterMs?: number }
  | { status: 'slow_down'; intervalMs?: number; retryAfterMs?: number }
  | { status: 'approved'; token: TokenSet };

/**
 * The plain-JSON error kept in context while the machine is in `failed`.
 * @deprecated The same type as {@link AuthErrorData}; use that name.
 */
export type FlowError = AuthErrorData;

/** The flow's settings: retries, back-off (milliseconds) and the wait for the person. */
export interface FlowConfig {
  /** 'redirect': loopback or manual redirect; 'device': RFC 8628 device grant. */
  mode: 'redirect' | 'device';
  /** Tries per network step, the first included. */
  maxAttempts: number;
  /** Back-off before retry n is base * 2^(n-1), capped at backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A server asking us to wait longer than this (Retry-After) fails instead of stalling. */
  maxRetryAfterMs: number;
  /** How long awaitingUser waits for the person. */
  userTimeoutMs: number;
  /**
   * An access token this close to its expiry (ms) is refreshed before it is sent, so no request
   * knowingly carries an expired token (clocks drift, requests take time).
   */
  refreshSkewMs: number;
  /** Longest wait for the login's lock while another process refreshes it (ms). */
  lockTimeoutMs: number;
  /**
   * Longest wait for another process's interactive login to the same account (ms); default: as
   * long as the wait for the person (userTimeoutMs).
   */
  loginWaitMs?: number;
}

/** 3 tries, back-off 0.5 s doubling to 8 s, Retry-After up to 60 s, 5 minutes for the person. */
export const DEFAULT_FLOW_CONFIG: FlowConfig = {
  mode: 'redirect',
  maxAttempts: 3,
  backoffBaseMs: 500,
  backoffMaxMs: 8_000,
  maxRetryAfterMs: 60_000,
  userTimeoutMs: 5 * 60_000,
  refreshSkewMs: 60_000,
  lockTimeoutMs: 30_000,
};

/** An authenticated call (or, with `refreshOnly`, a REFRESH) waiting in `fetching`. */
export interface PendingFetch {
  id: string;
  request: unknown;
  /** REFRESH: only make the token fresh; no request is sent. */
  refreshOnly?: boolean;
}

/**
 * saveRenewedToken's output: `saved`, or not, because the stored entry no longer holds the token
 * the renewal was made from; `stored` is then what it holds (a newer login; null: logged out).
 */
export type RenewalSave = { saved: true } | { saved: false /** secret */; stored: TokenSet | null };

/**
 * rereadToken's output: the stored entry as found once the login's lock is held. `renewed`:
 * it differs from the token in context and is fresh, so another process already refreshed it
 * (or logged in again) and it is used as it is.
 */
export interface RereadResult {
  /** secret */
  stored: TokenSet | null;
  renewed: boolean;
}

/** An error redirect's `error` and `error_description`, cleaned (printable ASCII, bounded). */
export interface StrayError {
  error: string;
  description?: string;
}

/** The machine's context: plain JSON, so a persisted snapshot resumes in another process. */
export interface AuthContext {
  config: FlowConfig;
  /** LOGIN { force: true }: ignore a stored token. */
  force: boolean;
  /** Failed tries of the current network step. */
  attempt: number;
  /** Wait asked by the last retryable error, if any. */
  retryAfterMs: number | null;
  redirectUri: string | null;
  /** secret */
  session: FlowSession | null;
  authorizationUrl: string | null;
  userCode: string | null;
  pollIntervalMs: number;
  /** How long this awaitingUser may last (device codes bring their own). */
  userDeadlineMs: number;
  browser: 'opening' | 'opened' | 'failed' | null;
  strayCallbacks: number;
  /**
   * What the last untrusted error redirect (no or wrong state) said, cleaned, so a timeout names
   * it instead of claiming nobody came back. Not a secret.
   */
  strayError: StrayError | null;
  /** secret: holds the authorization code. */
  callback: CallbackResult | null;
  /** secret: only ever set in authorized and fetching. */
  token: TokenSet | null;
  /** A 401 or an expiring token is answered with one renewal (refresh or adoption) per fetch, never more. */
  refreshed: boolean;
  /**
   * secret: the token set a renewal was made from, while its result is saved; the save is a
   * compare-and-set against it, so a renewal never overwrites a newer login saved meanwhile.
   */
  renewedFrom: TokenSet | null;
  /** LOGIN { signIn: false }: use a stored login, or wait for one in progress elsewhere; never sign in here. */
  signIn: boolean;
  /** Another process held the account's login lock when this one asked for it (it waited for that login). */
  waitedForLogin: boolean;
  pendingFetch: PendingFetch | null;
  /** Set exactly while in `failed`. */
  error: AuthErrorData | null;
}

/** The machine's input: settings over {@link DEFAULT_FLOW_CONFIG}. */
export interface AuthInput {
  config?: Partial<FlowConfig>;
}

/** Events the machine accepts: from the host (LOGIN, CANCEL, RETRY, LOGOUT, FETCH, ...) and from its actors. */
export type AuthEvent =
  /**
   * Log in. `force`: ignore a stored login. `signIn: false` (a token printer): never start a
   * sign-in here; use a stored login, or wait for one another process is completing.
   */
  | { type: 'LOGIN'; force?: boolean; signIn?: boolean }
  | { type: 'CANCEL' }
  | { type: 'RETRY' }
  | { type: 'LOGOUT' }
  /**
   * One authenticated call. `now` (epoch ms, the host's clock): with it, a token within
   * `refreshSkewMs` of its expiry is refreshed before the call instead of being sent.
   */
  | { type: 'FETCH'; id: string; request: unknown; now?: number }
  /** Make the token fresh without a call (a token printer). Answered like FETCH, with result null. */
  | { type: 'REFRESH'; id: string; now?: number }
  /** From the lock actor: the login's lock is held / could not be taken. */
  | { type: 'LOCK_ACQUIRED' }
  | { type: 'LOCK_FAILED'; error: FlowError }
  /**
   * From the login-lock actor: the account's login lock is held by another process (its pid when
   * known), which is waiting for its person; then acquired, or it could not be taken.
   */
  | { type: 'LOGIN_LOCK_BUSY'; holder: number | null }
  | { type: 'LOGIN_LOCK_ACQUIRED' }
  | { type: 'LOGIN_LOCK_FAILED'; error: FlowError }
  /** From the redirect receiver: bound and ready (null: nothing to listen on, e.g. device grant). */
  | { type: 'REDIRECT_READY'; redirectUri: string | null }
  /** From the redirect receiver, or from a host that receives redirects itself. */
  | { type: 'CALLBACK'; params: Record<string, string> }
  /** The person says they are done (manual mode, as the seed does). */
  | { type: 'USER_CONFIRMED' }
  | { type: 'RECEIVER_FAILED'; error: AuthErrorData };

/** Sent by the machine to a lock actor (renewal or login lock): take the lock, or let it go. */
export interface LockCommand {
  type: 'ACQUIRE' | 'RELEASE';
}

/** Sent by the machine to the redirect receiver once the expected state is known. */
export interface ExpectEvent {
  type: 'EXPECT';
  state: string | null;
}

/** The network steps that retry transient failures, named after the actor each one invokes. */
export type RetryingStep =
  | 'startAuthorization'
  | 'pollDevice'
  | 'exchangeCode'
  | 'logout'
  | 'fetchResource'
  | 'refreshToken';

/** Events a host can listen to with actor.on(type, handler). */
export type AuthEmitted =
  | { type: 'authorizationUrl'; url: string; userCode: string | null }
  | { type: 'browserFailed' }
  /** Another process (pid, when known) is logging in to this account: its outcome is awaited. */
  | { type: 'waitingForLogin'; holder: number | null }
  /** A hit without this login's state, ignored; `providerError` is what an error redirect said, cleaned. */
  | { type: 'strayCallback'; providerError: string | null }
  | { type: 'retrying'; step: RetryingStep; attempt: number; delayMs: number; code: string }
  | { type: 'fetched'; id: string; result: unknown }
  | { type: 'fetchFailed'; id: string; error: AuthErrorData };
