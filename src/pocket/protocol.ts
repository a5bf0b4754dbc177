/**
 * Pocket's login as an AuthProtocol: request token, browser approval, exchange for an access
 * token, then data calls. Pocket has no refresh and no revocation, so those stay undefined.
 */
import type { CallbackResult } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import type { AuthProtocol, FlowSession, ProtocolContext, StartResult, TokenSet } from '../protocol.js';
import { pocketStorageKey } from '../storage-key.js';
import { isTokenSyntax } from '../token-syntax.js';
import type { PocketAction } from './actions.js';
import {
  DEFAULT_POCKET_OAUTH_MAX_BYTES,
  resolvePocketConfig,
  type PocketConfig,
  type PocketOptions,
} from './config.js';
import {
  addItem,
  getItems,
  sendActions,
  type PocketAddParams,
  type PocketAddResult,
  type PocketCallContext,
  type PocketGetParams,
  type PocketGetResult,
  type PocketSendResult,
} from './data.js';
import { callPocket, type PocketTarget } from './wire.js';

/** One authenticated call the flow's `fetching` state (or a host) can make. */
export type PocketRequest =
  | { kind: 'get'; params?: PocketGetParams }
  | ({ kind: 'add' } & PocketAddParams)
  | { kind: 'send'; actions: PocketAction[] };

/** The typed answer to a PocketRequest, tagged with the same kind. */
export type PocketResult =
  | { kind: 'get'; result: PocketGetResult }
  | { kind: 'add'; result: PocketAddResult }
  | { kind: 'send'; result: PocketSendResult };

/** Kept between start and exchange: plain JSON. */
export interface PocketSession extends FlowSession {
  /** The state appended to the redirect URI; null in manual confirmation mode. */
  state: string | null;
  /** Pocket's request token (the `code` of /v3/oauth/request). Secret. */
  requestToken: string;
  /** The redirect URI exactly as sent to Pocket (state included). */
  redirectUri: string;
}

/**
 * The Pocket protocol object (see {@link createPocketProtocol}): no refresh, no revocation, no
 * device grant. Its steps reject with AuthError only.
 */
export interface PocketProtocol extends AuthProtocol<PocketRequest, PocketResult> {
  /** Always "pocket". */
  readonly name: 'pocket';
  /** Always 'redirect': Pocket has no device grant. */
  readonly mode: 'redirect';
  /**
   * Obtains a request token (POST /v3/oauth/request) and builds the authorize URL that carries it.
   * @throws AuthError ERR_INVALID_CLIENT, ERR_RATE_LIMITED, ERR_SERVER, ERR_BAD_RESPONSE,
   *   ERR_NETWORK, ERR_TIMEOUT, ERR_CANCELLED
   */
  start(ctx: ProtocolContext, input: { redirectUri: string | null }): Promise<StartResult & { session: PocketSession }>;
}

/** 128 bits of state, as the loopback receiver will see it come back. */
const STATE_BYTES = 16;

/** The protocol's own store key (see storage-key.ts). */
export { pocketStorageKey };

/** Appends `state=<state>` to a redirect URI, keeping the rest of it exactly as given. */
export function redirectUriWithState(redirectUri: string, state: string): string {
  const hashAt = redirectUri.indexOf('#');
  const base = hashAt === -1 ? redirectUri : redirectUri.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : redirectUri.slice(hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}state=${encodeURIComponent(state)}${fragment}`;
}

function readSession(session: FlowSession): PocketSession {
  const { requestToken, redirectUri, state } = session as Partial<PocketSession>;
  if (typeof requestToken !== 'string' || requestToken === '' || typeof redirectUri !== 'string') {
    throw new AuthError(
      'ERR_CONFIG',
      'This login session was not started by the Pocket protocol. Start the login again.',
    );
  }
  return { state: typeof state === 'string' ? state : null, requestToken, redirectUri };
}

function checkCallbackState(session: PocketSession, callback: CallbackResult): void {
  // The receiver already checks state; this repeats it so a host with its own receiver cannot skip it.
  if (session.state === null || callback.kind !== 'redirect') return;
  if (callback.params.state !== session.state) {
    throw new AuthError(
      'ERR_STATE_MISMATCH',
      'The browser came back with a state this login did not send. Start the login again.',
    );
  }
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The Pocket protocol for the login machine. `consumerKey` is required; `baseUrl` defaults to
 * https://getpocket.com (plain http only on loopback); `redirectPath` is the page on baseUrl
 * Pocket sends the browser to in manual confirmation mode; `timeoutMs` is the per-request deadline.
 *
 * Its steps reject with AuthError: ERR_INVALID_CLIENT (consumer key), ERR_DECLINED (158),
 * ERR_CODE_INVALID (request token unknown or used), ERR_STATE_MISMATCH, ERR_TOKEN_INVALID (401 on
 * a data call), ERR_FORBIDDEN, ERR_RATE_LIMITED, ERR_SERVER, ERR_INVALID_REQUEST, ERR_PROTOCOL,
 * ERR_BAD_RESPONSE, ERR_NETWORK, ERR_TIMEOUT, ERR_CANCELLED.
 *
 * @throws AuthError ERR_CONFIG (no consumer key, bad options) or ERR_INSECURE_URL (plain http to a
 *   host that is not loopback), at once.
 * @example
 * ```ts
 * const flow = createAuthFlow({
 *   protocol: createPocketProtocol({ consumerKey: process.env.POCKET_KEY! }),
 *   http: new AxiosHttpClient(),
 *   receiver: new LoopbackReceiver(),
 *   browser: new SystemBrowserOpener(),
 *   store: new KeytarTokenStore(),
 * });
 * await flow.login();
 * const { result } = await flow.fetch({ kind: 'get', params: { count: 10 } });
 * ```
 */
export function createPocketProtocol(options: PocketOptions): PocketProtocol {
  const config: PocketConfig = resolvePocketConfig(options);

  const oauthTarget = (ctx: ProtocolContext): PocketTarget => ({
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    signal: ctx.signal,
    maxBodyBytes: DEFAULT_POCKET_OAUTH_MAX_BYTES,
  });

  const dataContext = (ctx: ProtocolContext): PocketCallContext => ({
    http: ctx.http,
    signal: ctx.signal,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
  });

  /** Pocket's first step, "obtain a request token" (POST /v3/oauth/request). The token is a secret. */
  async function obtainRequestToken(ctx: ProtocolContext, redirectUri: string): Promise<string> {
    const { answer } = await callPocket(ctx.http, oauthTarget(ctx), 'request', '/v3/oauth/request', {
      consumer_key: config.consumerKey,
      redirect_uri: redirectUri,
    });
    const requestToken = nonEmptyString(answer.code);
    if (!requestToken) throw new AuthError('ERR_BAD_RESPONSE', 'Pocket answered without a request token.');
    return requestToken;
  }

  return {
    name: 'pocket',
    storageKey: pocketStorageKey(config.consumerKey),
    mode: 'redirect',

    async start(ctx, { redirectUri }) {
      // Pocket sends the browser back to redirect_uri exactly as given and appends nothing, so a
      // bare hit proves nothing. Unlike the seed, we put our own random state into the URI: it
      // comes back verbatim, and the loopback receiver can turn away stray or forged hits. In
      // manual mode nobody listens, so the browser goes to a harmless page and state is null.
      const state = redirectUri === null ? null : Buffer.from(ctx.random.bytes(STATE_BYTES)).toString('base64url');
      const sentRedirectUri =
        redirectUri === null || state === null
          ? `${config.baseUrl}${config.redirectPath}`
          : redirectUriWithState(redirectUri, state);

      const requestToken = await obtainRequestToken(ctx, sentRedirectUri);
      // The request token must travel in this URL: that is Pocket's design, not a leak of ours.
      const authorizationUrl =
        `${config.baseUrl}/auth/authorize?request_token=${encodeURIComponent(requestToken)}` +
        `&redirect_uri=${encodeURIComponent(sentRedirectUri)}`;
      return { session: { state, requestToken, redirectUri: sentRedirectUri }, authorizationUrl };
    },

    async exchange(ctx, { session, callback }): Promise<TokenSet> {
      const pocketSession = readSession(session);
      checkCallbackState(pocketSession, callback);
      const { answer } = await callPocket(ctx.http, oauthTarget(ctx), 'authorize', '/v3/oauth/authorize', {
        consumer_key: config.consumerKey,
        code: pocketSession.requestToken,
      });
      const accessToken = nonEmptyString(answer.access_token);
      if (!accessToken) throw new AuthError('ERR_BAD_RESPONSE', 'Pocket answered without an access token.');
      // A line break or control character would split the header or line the token is sent in.
      if (!isTokenSyntax(accessToken))
        throw new AuthError(
          'ERR_BAD_RESPONSE',
          'Pocket answered with an access token holding characters a token may not hold.',
        );
      const token: TokenSet = { accessToken };
      const username = nonEmptyString(answer.username);
      if (username) token.username = username;
      return token;
    },

    async fetch(ctx, { token, request }): Promise<PocketResult> {
      const creds = { consumerKey: config.consumerKey, accessToken: token.accessToken };
      switch (request.kind) {
        case 'get':
          return { kind: 'get', result: await getItems(dataContext(ctx), creds, request.params ?? {}) };
        case 'add': {
          const { kind: _kind, ...params } = request;
          return { kind: 'add', result: await addItem(dataContext(ctx), creds, params) };
        }
        case 'send':
          return { kind: 'send', result: await sendActions(dataContext(ctx), creds, request.actions) };
        default:
          throw new AuthError('ERR_CONFIG', 'Unknown Pocket request kind.');
      }
    },
  };
}
