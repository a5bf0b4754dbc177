/**
 * The contracts between the flow and the outside world. Every piece of I/O the login touches is
 * one of these, so a host (or a test) can replace it. Implementations live beside this file.
 */
import type { CallbackResult, RedirectOutcome } from '../vocabulary/index.js';

// ---- HTTP ------------------------------------------------------------------------------------

/** The HTTP methods the protocols use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One HTTP request, as a protocol hands it to an {@link HttpClient}. */
export interface HttpRequest {
  method: HttpMethod;
  url: string;
  /** Header names are sent as given. */
  headers?: Record<string, string>;
  /** The request body, already encoded (form or JSON text). */
  body?: string;
  /** Whole-request deadline, in milliseconds. Required: no call may wait forever. */
  timeoutMs: number;
  /** Aborts the call when the state that made it is left. */
  signal?: AbortSignal;
  /** Largest response body accepted, in bytes; a larger one rejects with ERR_RESPONSE_TOO_LARGE. */
  maxBodyBytes?: number;
}

/** What came back: any status, the headers, and the body decoded as UTF-8 text. */
export interface HttpResponse {
  /** The HTTP status code; every status resolves, none rejects. */
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body as text (empty when there was none). */
  body: string;
}

/**
 * Sends one request. Any HTTP status resolves (the protocol decides what it means); rejections
 * are AuthErrors only: ERR_NETWORK, ERR_TIMEOUT, ERR_CANCELLED, ERR_RESPONSE_TOO_LARGE,
 * ERR_REDIRECT_REFUSED (a redirect to another host is never followed).
 */
export interface HttpClient {
  /**
   * Sends `request` and resolves with the response whatever its status.
   * @throws AuthError ERR_NETWORK, ERR_TIMEOUT, ERR_CANCELLED, ERR_RESPONSE_TOO_LARGE, ERR_REDIRECT_REFUSED
   */
  send(request: HttpRequest): Promise<HttpResponse>;
}

// ---- Browser ---------------------------------------------------------------------------------

/** Shows the authorization URL to the person. Failing to open is not fatal for the flow. */
export interface BrowserOpener {
  /**
   * Opens `url` (or shows it); resolves once handed over. A rejection (an AuthError) is reported
   * to the host as `browserFailed` and the login goes on: the URL was printed too.
   */
  open(url: string, signal: AbortSignal): Promise<void>;
}

// ---- Redirect --------------------------------------------------------------------------------

export type { CallbackResult, RedirectOutcome };

/**
 * An error redirect that did not carry this login's `state` (missing or wrong): it cannot end
 * the login, since anyone on this machine can send one (RFC 9700 section 4.7, RFC 6749 section
 * 10.12), but the person should learn what it said. Both fields are cleaned by the receiver
 * (printable ASCII only, bounded in length) before anyone sees them.
 */
export interface StrayErrorRedirect {
  /** The `error` parameter (RFC 6749 section 4.1.2.1). */
  error: string;
  /** The `error_description` parameter, if any. */
  errorDescription?: string;
}

/** What {@link RedirectReceiver.listen} is given: when to stop, which path, whom to tell about strays. */
export interface RedirectListenOptions {
  /** Aborting it stops the listener (the login left awaitingUser). */
  signal: AbortSignal;
  /** Path to serve, e.g. "/callback". */
  path?: string;
  /** Called for each error redirect without this login's state; the receiver keeps waiting. */
  onStrayError?: (stray: StrayErrorRedirect) => void;
}

/** A listening receiver: where to send the person back, and the callback once it comes. */
export interface RedirectSession {
  /** Where the provider should send the person back; null when nothing listens (manual confirmation). */
  readonly redirectUri: string | null;
  /**
   * Arms the receiver with the `state` the flow sent. Until it is armed, and for any hit whose
   * state differs, the receiver answers 400 and keeps waiting. `null`: accept a hit without state.
   */
  expect(state: string | null): void;
  /** Settles once, with the first genuine callback (or the person's confirmation). */
  readonly callback: Promise<CallbackResult>;
  /**
   * Optional: a receiver that shows the person a page (the loopback one) keeps the browser's
   * request open from the genuine callback on, and answers it here with how the login ended.
   * Without a call it answers with a neutral "return to your terminal" page after its bounded
   * wait, or at once on close() or when the listen signal aborts. Resolves once the page is sent;
   * closes the session. Safe to call more than once (the first outcome wins).
   */
  complete?(outcome: RedirectOutcome): Promise<void>;
  /** Stops listening (a page still owed gets the neutral one); safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Receives the authorization response (RFC 6749 section 4.1.2): a loopback listener
 * (RFC 8252 section 7.3) or a person confirming by hand.
 */
export interface RedirectReceiver {
  /**
   * Starts listening and resolves once ready, with the redirect URI to send.
   * @throws AuthError ERR_LISTENER when no listener can be bound, ERR_CONFIG for a path without a
   *   leading "/", ERR_CANCELLED
   */
  listen(options: RedirectListenOptions): Promise<RedirectSession>;
}

// ---- Token storage ---------------------------------------------------------------------------

/** Keeps one secret string per key. Errors are AuthErrors with ERR_STORAGE / ERR_STORAGE_UNAVAILABLE. */
export interface TokenStore {
  /** Where secrets go, for the person: "the system keychain (Secret Service)", a file path... */
  readonly location: string;
  /** The secret kept under `key`, or null when there is none. @throws AuthError ERR_STORAGE, ERR_STORAGE_UNAVAILABLE */
  get(key: string): Promise<string | null>;
  /** Keeps `secret` under `key`, replacing what was there. @throws AuthError ERR_STORAGE, ERR_STORAGE_UNAVAILABLE */
  set(key: string, secret: string): Promise<void>;
  /** True if something was deleted. */
  delete(key: string): Promise<boolean>;
  /**
   * Optional: proves the store can save, before anything is worth saving. A host calls it before
   * the browser step, so a missing, locked or read-only store is reported before the person
   * approves (an approval that cannot be kept is lost). Rejects like `set`, with a remedy.
   */
  probe?(): Promise<void>;
}

// ---- Time and randomness ---------------------------------------------------------------------

/** The time the flow reads (expiry, Retry-After, device deadlines). Replace it in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Where `state`, PKCE verifiers, nonces and DPoP `jti` values come from. */
export interface RandomSource {
  /** Cryptographically strong random bytes. */
  bytes(length: number): Uint8Array;
}

// ---- Coordination ----------------------------------------------------------------------------

/** A held lock. Releasing twice is harmless. */
export interface LockLease {
  /** Lets the lock go. @throws AuthError ERR_STORAGE when the lock's backing store fails */
  release(): Promise<void>;
}

/**
 * Mutual exclusion by key, across whatever the implementation spans (one process, the processes
 * of one machine through files, many instances through Redis). At most one lease per key is held
 * at any moment; a holder that dies loses its lease (after a bounded, implementation-stated time).
 * `acquire` waits until the key is free; it rejects with ERR_CANCELLED when `signal` aborts and
 * ERR_STORAGE when the lock's backing store fails. Deadlines are the caller's: abort the signal.
 */
export interface Lock {
  /** Waits until `key` is free and takes it. @throws AuthError ERR_CANCELLED, ERR_STORAGE */
  acquire(key: string, options: LockAcquireOptions): Promise<LockLease>;
  /**
   * Optional, informational: the process id of the key's current holder when it is known and
   * alive, for messages such as "waiting for another authmachine (pid 123)"; else null. It may be
   * stale by the time it is read.
   */
  holder?(key: string): Promise<number | null>;
}

/** How {@link Lock.acquire} waits. */
export interface LockAcquireOptions {
  /** Ends the wait: acquire then rejects with ERR_CANCELLED. */
  signal: AbortSignal;
  /** Called once, when the key is found held by someone else and the wait begins (never if it is free). */
  onWait?: () => void;
}

// ---- Logins in flight (many instances) -------------------------------------------------------

/**
 * Keeps a login that waits for the person (the machine's persisted snapshot at awaitingUser, as
 * plain JSON text) under the `state` it sent, so the callback may reach any instance of a host.
 * The text holds the flow's secrets (PKCE verifier, request token): store it like a token.
 * Errors are AuthErrors with ERR_STORAGE.
 * @see RFC 6749 section 10.12 (state binds the callback to the flow that sent it)
 */
export interface FlowStore {
  /** Where flows go, for the person: "Redis at 127.0.0.1:6379", "memory (this process only)". */
  readonly location: string;
  /**
   * Keeps `flow` under `state` for `ttlMs` milliseconds (the user timeout), then forgets it.
   * Never replaces a flow already kept under the same state: that is ERR_STORAGE.
   */
  save(state: string, flow: string, ttlMs: number): Promise<void>;
  /**
   * Gives back the flow kept under `state` and forgets it, atomically: of any number of callers,
   * on any instances, at most one ever receives it. null when there is none (never saved, expired,
   * or already taken).
   */
  take(state: string): Promise<string | null>;
}
