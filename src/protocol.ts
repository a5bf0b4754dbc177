/**
 * What a login protocol (Pocket, OAuth 2.0) must provide so the statechart can drive it. Every
 * method takes a ProtocolContext: the adapters plus the AbortSignal of the state that called it.
 * Every value that crosses this interface is plain JSON, because it may sit in machine context.
 */
import type { Clock, HttpClient, RandomSource } from '../adapters/contracts.js';
import type { CallbackResult, DevicePollResult, FlowSession, StartResult, TokenSet } from '../machines/types.js';

export type { CallbackResult, DevicePollResult, FlowSession, StartResult, TokenSet };

/** What every protocol step gets: the adapters, and the AbortSignal of the state that called it. */
export interface ProtocolContext {
  http: HttpClient;
  random: RandomSource;
  clock: Clock;
  signal: AbortSignal;
}

/**
 * What a login protocol (Pocket, OAuth 2.0) provides so the statechart can drive it. Every
 * method rejects with AuthError only; every value it returns is plain JSON.
 */
export interface AuthProtocol<Request = unknown, Result = unknown> {
  /** Short name for messages: "pocket", "oauth2". */
  readonly name: string;
  /** Token store key for this provider and client; contains no secret. */
  readonly storageKey: string;
  /** 'redirect': the person comes back to a redirect URI; 'device': RFC 8628 polling. */
  readonly mode: 'redirect' | 'device';

  /**
   * requestingToken (the machine's `startAuthorization` actor): Pocket obtains a request token;
   * OAuth prepares the authorization request (PKCE, state, PAR) or sends the device authorization
   * request (RFC 8628 section 3.1).
   */
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
  /**
   * Before a new login's tokens are saved over stored ones: what of the stored set to keep (a
   * refresh token the provider sends only once, say). Returns the set to save.
   */
  keepFromStored?(fresh: TokenSet, stored: TokenSet): TokenSet;
}
