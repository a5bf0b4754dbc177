/**
 * A provider for the server's renewal tests: it keeps one user's grant, rotates the refresh token
 * at every refresh and, like oidc-provider, revokes the whole grant when a rotated one is used
 * again. It never starts a login or exchanges a code (`starts` counts the attempts).
 */
import { AuthError } from '../../adapters/errors.js';
import type { AuthProtocol } from '../../src/protocol.js';

/** Access tokens it issues live this long (ms). */
export const GRANT_TOKEN_TTL_MS = 10_000;

export interface RotatingGrant {
  live: boolean;
  refreshToken: string;
  generation: number;
  refreshes: number;
  starts: number;
}

/**
 * @param options.now the clock of issued tokens' `expiresAt` (default Date.now)
 * @param options.refreshMs how long a refresh takes (ms), before it checks the refresh token
 */
export function rotatingGrantProvider(options: { now?: () => number; refreshMs?: number } = {}): {
  grant: RotatingGrant;
  protocol: AuthProtocol<unknown, unknown>;
} {
  const now = options.now ?? Date.now;
  const grant: RotatingGrant = { live: true, refreshToken: 'rt-0', generation: 0, refreshes: 0, starts: 0 };
  const protocol: AuthProtocol<unknown, unknown> = {
    name: 'rotating',
    storageKey: 'rotating:client',
    mode: 'redirect',
    async start() {
      grant.starts++;
      throw new AuthError('ERR_CONFIG', 'token() must never start a login.');
    },
    async exchange() {
      throw new AuthError('ERR_CONFIG', 'not used');
    },
    async fetch() {
      return null;
    },
    async refresh(_ctx, { token }) {
      grant.refreshes++;
      await new Promise((resolve) => setTimeout(resolve, options.refreshMs ?? 5));
      if (!grant.live || token.refreshToken !== grant.refreshToken) {
        grant.live = false; // reuse of a rotated refresh token: the whole grant is revoked
        throw new AuthError('ERR_TOKEN_INVALID', 'invalid_grant');
      }
      grant.generation++;
      grant.refreshToken = `rt-${grant.generation}`;
      return {
        accessToken: `at-${grant.generation}`,
        refreshToken: grant.refreshToken,
        tokenType: 'Bearer',
        expiresAt: now() + GRANT_TOKEN_TTL_MS,
      };
    },
  };
  return { grant, protocol };
}
