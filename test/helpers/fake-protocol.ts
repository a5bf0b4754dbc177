/**
 * A protocol that talks to nothing: it keeps its "server" in memory, so facade and persistence
 * tests exercise the real machine and actors without a network. Not a stand-in for Pocket or
 * OAuth tests, which run against real servers.
 */
import { AuthError } from '../../adapters/errors.js';
import type { AuthProtocol, ProtocolContext } from '../../src/protocol.js';

export interface FakeServer {
  approvedCodes: Set<string>;
  calls: string[];
}

export function createFakeProtocol(
  server: FakeServer = { approvedCodes: new Set(['good-code']), calls: [] },
): AuthProtocol<{ path: string }, { path: string; user: string }> {
  const hex = (ctx: ProtocolContext) => Buffer.from(ctx.random.bytes(16)).toString('hex');
  return {
    name: 'fake',
    storageKey: 'fake:client',
    mode: 'redirect',
    async start(ctx, { redirectUri }) {
      server.calls.push('start');
      const state = hex(ctx);
      return {
        session: { state, verifier: `verifier-${hex(ctx)}` },
        authorizationUrl: `https://fake.test/authorize?state=${state}&redirect_uri=${encodeURIComponent(redirectUri ?? '')}`,
      };
    },
    async exchange(_ctx, { session, callback }) {
      server.calls.push('exchange');
      if (callback.kind !== 'redirect' || !server.approvedCodes.has(callback.params.code ?? '')) {
        throw new AuthError('ERR_CODE_INVALID', 'The code was not accepted.');
      }
      return { accessToken: `token-for-${String(session.verifier)}`, username: 'fake-user' };
    },
    async fetch(_ctx, { token, request }) {
      server.calls.push('fetch');
      if (!token.accessToken.startsWith('token-for-')) throw new AuthError('ERR_TOKEN_INVALID', 'Token rejected.');
      return { path: request.path, user: token.username ?? '' };
    },
  };
}

export const nullHttp = {
  send: async () => {
    throw new AuthError('ERR_NETWORK', 'The fake protocol makes no HTTP calls.');
  },
};
