/**
 * What a login protocol (Pocket, OAuth 2.0) must provide so the statechart can drive it. Every
 * method takes a ProtocolContext: the adapters plus the AbortSignal of the state that called it.
 * Every value that crosses this interface is plain JSON, because it may sit in machine context.
 */
import type { CallbackResult, Clock, HttpClient, RandomSource } from '../adapters/contracts.js';

/** What a successful login yields. Secrets: accessToken, refreshToken, idToken. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds; absent when the provider gives no expiry (Pocket). */
  expiresAt?: number;
  tokenType?: string;
  scope?: string;
  idToken?: string;
  /** Who logged in, when the provider says (Pocket's username, OIDC's sub/name). */
  username?: string;
}

export interface ProtocolContext {
  http: HttpClient;
  random: RandomSource;
  clock: Clock;
  signal: AbortSignal;
}

/**
 * Kept between requestingToken and exchanging. Holds secrets (request token, PKCE verifier);
 * `state` is what the redirect receiver must see come back (null: nothing to check).
 */
export interface FlowSession {
  state: string | null;
  [key: string]: unknown;
}

export interface StartResult {
  session: FlowSession;
  /** Where the person goes to approve. Never contains a secret other than `state`. */
  authorizationUrl: string;
  /** Device grant (RFC 8628) only. */
  userCode?: string;
  /** Device grant: ms between polls, and how long the code lives. */
  pollIntervalMs?: number;
  expiresInMs?: number;
}

export type DevicePollResult =
  | { status: 'pending' }
  | { status: 'slow_down' }
  | { status: 'approved'; token: TokenSet };

export interface AuthProtocol<Request = unknown, Result = unknown> {
  /** Short name for messages: "pocket", "oauth2". */
  readonly name: string;
  /** Token store key for this provider and client; contains no secret. */
  readonly storageKey: string;
  /** 'redirect': the person comes back to a redirect URI; 'device': RFC 8628 polling. */
  readonly mode: 'redirect' | 'device';

  /** requestingToken: get a request token / build PKCE + state (+ PAR) / start the device grant. */
  start(ctx: ProtocolContext, input: { redirectUri: string | null }): Promise<StartResult>;
  /** exchanging: turn what came back into tokens. */
  exchange(ctx: ProtocolContext, input: { session: FlowSession; callback: CallbackResult }): Promise<TokenSet>;
  /** awaitingUser in device mode: one poll of the token endpoint. */
  pollDevice?(ctx: ProtocolContext, input: { session: FlowSession }): Promise<DevicePollResult>;
  /** fetching: one authenticated call. A dead token throws AuthError ERR_TOKEN_INVALID. */
  fetch(ctx: ProtocolContext, input: { token: TokenSet; request: Request }): Promise<Result>;
  /** Where the protocol has refresh tokens. */
  refresh?(ctx: ProtocolContext, input: { token: TokenSet }): Promise<TokenSet>;
  /** Where the protocol can revoke (RFC 7009). */
  revoke?(ctx: ProtocolContext, input: { token: TokenSet }): Promise<void>;
}
