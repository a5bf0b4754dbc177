/**
 * Each user's stored login, as the service hands it out: read, refreshed single-flight under the
 * user's lock, removed on logout. Every write of a user's entry (a completed login's save, a
 * refresh, a removal) holds that user's lock, so a removal after a refused refresh is a
 * compare-and-delete: it only ever removes the very entry that was refused.
 */
import type { Clock, HttpClient, Lock, RandomSource, TokenStore } from '../../adapters/contracts.js';
import { AuthError, toAuthError } from '../../adapters/errors.js';
import type { TokenSet } from '../../machines/types.js';
import { decodeTokenSet, encodeTokenSet } from '../flow/token-codec.js';
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

export interface UserTokensOptions<Req, Res> {
  protocol: AuthProtocol<Req, Res>;
  http: HttpClient;
  tokens: TokenStore;
  lock: Lock;
  clock: Clock;
  random: RandomSource;
  storeTimeoutMs: number;
  lockTimeoutMs: number;
  refreshSkewMs: number;
  signal: AbortSignal;
}

export class UserTokens<Req, Res> {
  readonly #o: UserTokensOptions<Req, Res>;

  constructor(options: UserTokensOptions<Req, Res>) {
    this.#o = options;
  }

  async token(key: string): Promise<UserToken> {
    try {
      const seen = await this.#read(key);
      if (seen === null) throw notLoggedIn();
      if (this.#fresh(seen)) return publicToken(seen);
      return await this.#locked(key, async () => {
        // Another instance may have refreshed while this one waited: use what it saved.
        const current = await this.#read(key);
        if (current === null) throw notLoggedIn();
        if (this.#fresh(current)) return publicToken(current);
        return publicToken(await this.#refresh(key, current));
      });
    } catch (error) {
      throw toAuthError(error);
    }
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

  /** Under the lock, `current` is what the store holds: refresh it, or remove it if refused. */
  async #refresh(key: string, current: TokenSet): Promise<TokenSet> {
    const { protocol } = this.#o;
    let next: TokenSet;
    try {
      if (!protocol.refresh || typeof current.refreshToken !== 'string') {
        throw new AuthError('ERR_TOKEN_INVALID', 'The login expired and cannot be refreshed.');
      }
      next = await protocol.refresh(this.#ctx(), { token: current });
    } catch (error) {
      if (toAuthError(error).code !== 'ERR_TOKEN_INVALID') throw error;
      await this.#store(this.#o.tokens.delete(key), 'removing a refused login');
      throw new AuthError('ERR_TOKEN_INVALID', 'The login is no longer valid and was removed. Log in again.');
    }
    await this.#store(this.#o.tokens.set(key, encodeTokenSet(next)), 'saving the refreshed login');
    return next;
  }

  #fresh(token: TokenSet): boolean {
    return token.expiresAt === undefined || token.expiresAt - this.#o.refreshSkewMs > this.#o.clock.now();
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

function notLoggedIn(): AuthError {
  return new AuthError('ERR_NOT_LOGGED_IN', 'This user has not connected an account yet: begin a login first.');
}

function publicToken(token: TokenSet): UserToken {
  return {
    accessToken: token.accessToken,
    tokenType: token.tokenType ?? null,
    expiresAt: token.expiresAt ?? null,
    scope: token.scope ?? null,
    username: token.username ?? null,
  };
}
