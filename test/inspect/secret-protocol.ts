/**
 * A protocol like test/helpers/fake-protocol.ts, but with fixed, recognisable secrets, so a test
 * can search everything the inspector emitted for each of them.
 */
import { AuthError } from '../../adapters/errors.js';
import type { AuthProtocol } from '../../src/protocol.js';

export const SECRETS = {
  state: 'SECRET-STATE-777',
  verifier: 'SECRET-VERIFIER-456',
  requestToken: 'SECRET-REQUEST-789',
  code: 'SECRET-CODE-999',
  accessToken: 'SECRET-ACCESS-123',
  refreshToken: 'SECRET-REFRESH-321',
  idToken: 'SECRET-ID-654',
  consumerKey: 'SECRET-CONSUMER-111',
} as const;

/** A value the page and the events may show: it is not a secret. */
export const USERNAME = 'demo-user';

export function createSecretProtocol(): AuthProtocol<{ path: string }, unknown> {
  return {
    name: 'secret-fake',
    storageKey: 'secret-fake:client',
    mode: 'redirect',
    async start(_ctx, { redirectUri }) {
      return {
        session: {
          state: SECRETS.state,
          verifier: SECRETS.verifier,
          requestToken: SECRETS.requestToken,
          consumerKey: SECRETS.consumerKey,
        },
        authorizationUrl:
          `https://fake.test/authorize?request_token=${SECRETS.requestToken}&redirect_uri=${encodeURIComponent(`${redirectUri ?? 'app://done'}?state=${SECRETS.state}`)}` +
          `&note=${SECRETS.verifier}`,
      };
    },
    async exchange(_ctx, { callback }) {
      if (callback.kind !== 'redirect' || callback.params.code !== SECRETS.code)
        throw new AuthError('ERR_CODE_INVALID', 'The code was not accepted.');
      return {
        accessToken: SECRETS.accessToken,
        refreshToken: SECRETS.refreshToken,
        idToken: SECRETS.idToken,
        username: USERNAME,
        expiresAt: Date.now() + 3_600_000,
        tokenType: 'bearer',
      };
    },
    async fetch(_ctx, { token, request }) {
      // A big result that also echoes the token: the inspector must summarise it, not show it.
      return {
        path: request.path,
        echo: `Bearer ${token.accessToken}`,
        items: Array.from({ length: 500 }, (_, i) => ({ id: i, title: `item ${i}` })),
      };
    },
  };
}

/** Every string in `text` that is one of the secrets (or their URL-encoded forms). */
export function leakedSecrets(text: string): string[] {
  return Object.values(SECRETS).filter((secret) => text.includes(secret) || text.includes(encodeURIComponent(secret)));
}
