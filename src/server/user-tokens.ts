/**
 * Each user's stored login as the service hands it out, and its removal on logout. Renewing it
 * is the machine's own work (see service-machine.ts). Every write of a user's entry (a completed
 * login's save, a renewal, a removal) holds that user's lock, so the machine's removal of a
 * refused token is a compare-and-delete: it only ever removes the very entry that was refused.
 */
import type { Clock, HttpClient, Lock, RandomSource, TokenStore } from '../../adapters/contracts.js';
import { toAuthError } from '../../adapters/errors.js';
import type { TokenSet } from '../../machines/types.js';
import { decodeTokenSet } from '../flow/token-codec.js';
import { withDeadline } from '../flow/with-deadline.js';
import type { AuthProtocol, ProtocolContext } from '../protocol.js';
import { withLock } from './with-lock.js';

/** What a host gets from `token(userId)`: no refresh token, no ID token. */
export interface UserToken {
  /** The access token to send. Secret. */
  accessToken: string;
  /** "Bearer" for OAuth; absent for Pocket. */
  tokenType: string | null;
  /** Epoch ms; null when it does not expire (Pocket). */
  expiresAt: number | null;
  /** The granted scope, where the provider said. */
  scope: string | null;
  /** The provider's name for the person, where it gives one. */
  username: string | null;
}

export interface UserLogoutsOptions<Req, Res> {
  protocol: AuthProtocol<Req, Res>;
  http: HttpClient;
  tokens: TokenStore;
  lock: Lock;
  clock: Clock;
  random: RandomSource;
  storeTimeoutMs: number;
  lockTimeoutMs: number;
  signal: AbortSignal;
}

export class UserLogouts<Req, Res> {
  readonly #o: UserLogoutsOptions<Req, Res>;

  constructor(options: UserLogoutsOptions<Req, Res>) {
    this.#o = options;
  }

  async logout(key: string): Promise<boolean> {
    try {
      const removed = await this.#locked(key, async () => {
        const current = await this.#read(key).catch(() => null);
        const deleted = await this.#store(this.#o.tokens.delete(key), 'removing the login');
        return { current, deleted };
      });
      const { protocol } = this.#o;
      if (removed.current !== null && protocol.revoke) await protocol.revoke(this.#ctx(), { token: removed.current });
      return removed.deleted;
    } catch (error) {
      throw toAuthError(error);
    }
  }

  async #read(key: string): Promise<TokenSet | null> {
    const secret = await this.#store(this.#o.tokens.get(key), 'reading the login');
    return secret === null ? null : decodeTokenSet(secret, this.#o.tokens.location);
  }

  #locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    return withLock(this.#o.lock, key, this.#o.lockTimeoutMs, this.#o.signal, work);
  }

  #store<T>(work: Promise<T>, what: string): Promise<T> {
    const { storeTimeoutMs, tokens } = this.#o;
    return withDeadline(
      work,
      storeTimeoutMs,
      'ERR_STORAGE',
      `The token store (${tokens.location}) did not answer within ${storeTimeoutMs} ms while ${what}.`,
    );
  }

  #ctx(): ProtocolContext {
    return { http: this.#o.http, random: this.#o.random, clock: this.#o.clock, signal: this.#o.signal };
  }
}

/** The token set without its refresh token, ID token or DPoP key. */
export function publicToken(token: TokenSet): UserToken {
  return {
    accessToken: token.accessToken,
    tokenType: token.tokenType ?? null,
    expiresAt: token.expiresAt ?? null,
    scope: token.scope ?? null,
    username: token.username ?? null,
  };
}
