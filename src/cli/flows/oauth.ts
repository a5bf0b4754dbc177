/**
 * Builds an OAuth 2.0 / OpenID Connect login flow for the CLI from the command line or the saved
 * profile: the protocol (discovery, PKCE, PAR where offered), axios, the loopback receiver, the
 * system browser (unless there is none, or the device grant is used) and the token store.
 */
import type { InspectionEvent, Observer } from 'xstate';
import { SystemBrowserOpener } from '../../../adapters/browser-open.js';
import type { BrowserOpener, Lock, TokenStore } from '../../../adapters/contracts.js';
import { AuthError } from '../../../adapters/errors.js';
import { LoopbackReceiver } from '../../../adapters/loopback-receiver.js';
import { cryptoRandom, systemClock } from '../../../adapters/system-clock.js';
import { createAuthFlow, type AuthFlow } from '../../flow/auth-flow.js';
import {
  createOAuth2Protocol,
  type OAuth2Protocol,
  type ResourceRequest,
  type ResourceResponse,
} from '../../oauth2/index.js';
import { readClientSecret } from '../options/secrets.js';
import { hasDisplay } from './browser.js';
import { cliHttpClient } from './http-client.js';
import { targetOfProfile, targetProtocolOptions, type OAuthTarget } from './oauth-target.js';
import type { CliIO } from '../output/io.js';
import type { Account } from '../storage/account.js';

export type OAuthFlow = AuthFlow<ResourceRequest, ResourceResponse>;

export interface OAuthFlowOptions {
  /** The issuer, provider preset or explicit endpoints. */
  target: OAuthTarget;
  clientId: string;
  /** An installed app's client secret (from the environment or a file, never argv). */
  clientSecret?: string;
  /** Default: the protocol's "openid offline_access". */
  scope?: string;
  /** Base URL that `authmachine call` resolves relative paths against. */
  resource?: string;
  store: TokenStore;
  /** The login's store entry (storageKeyOf in storage/account.ts); default: the protocol's own key. */
  storageKey?: string;
  /** Makes renewing single-flight, and interactive logins one at a time, across processes. */
  lock?: Lock | null;
  /** Renew a token this close to expiry before sending it (ms). */
  refreshSkewMs?: number;
  /** RFC 8628: show a code to type on another device; nothing is opened here. */
  device?: boolean;
  /** RFC 9449: true, DPoP even when the issuer's metadata does not list it; false, never; unset, when it does. */
  dpop?: boolean;
  /** Only print the URL. */
  noBrowser?: boolean;
  /** Replaces the system browser (tests, hosts with their own). */
  browser?: BrowserOpener;
  userTimeoutMs?: number;
  /** How long to wait for another process's login to this account (ms); default userTimeoutMs. */
  loginWaitMs?: number;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** PEM file of extra certificate authorities trusted for https (--ca-file). */
  caFile?: string;
  /** The loopback receiver's fixed port (--redirect-port), for servers that match redirect URIs exactly. */
  redirectPort?: number;
}

/** A flow for `login` (and, with noBrowser, for commands that only use a stored login). */
export function oauthFlow(options: OAuthFlowOptions, io: CliIO): { flow: OAuthFlow; protocol: OAuth2Protocol } {
  const protocol = createOAuth2Protocol({
    ...targetProtocolOptions(options.target),
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    mode: options.device ? 'device' : 'redirect',
    dpop: options.dpop ?? 'auto',
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  });
  // The device grant exists for logging in elsewhere: opening its page here would defeat it.
  const wantsBrowser = !options.device && !options.noBrowser;
  const browser = options.browser ?? (wantsBrowser && hasDisplay(io) ? new SystemBrowserOpener() : undefined);
  const flow = createAuthFlow({
    protocol,
    http: cliHttpClient(options.caFile),
    receiver: new LoopbackReceiver(options.redirectPort === undefined ? {} : { port: options.redirectPort }),
    store: options.store,
    ...(options.storageKey === undefined ? {} : { storageKey: options.storageKey }),
    // One lock file per key: the same FileLock serves renewals and (under another key) logins.
    ...(options.lock ? { lock: options.lock, loginLock: options.lock } : {}),
    ...(browser ? { browser } : {}),
    config: {
      ...(options.userTimeoutMs ? { userTimeoutMs: options.userTimeoutMs } : {}),
      ...(options.loginWaitMs === undefined ? {} : { loginWaitMs: options.loginWaitMs }),
      ...(options.refreshSkewMs === undefined ? {} : { refreshSkewMs: options.refreshSkewMs }),
    },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  return { flow, protocol };
}

/** The profile's OAuth settings as flow options (no browser: later commands never open one). */
export function oauthOptionsFromProfile(account: Account, io: CliIO): OAuthFlowOptions {
  const profile = account.profile;
  if (profile.provider !== 'oauth2') {
    throw new AuthError(
      'ERR_CONFIG',
      'The saved login is for Pocket, not an OAuth provider. Use the Pocket commands, or log in with --issuer.',
    );
  }
  const clientSecret = readClientSecret(profile.clientSecretFile, io.env);
  return {
    target: targetOfProfile(profile),
    clientId: profile.clientId,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(profile.scope === undefined ? {} : { scope: profile.scope }),
    ...(profile.resource === undefined ? {} : { resource: profile.resource }),
    store: account.store,
    storageKey: account.storageKey,
    lock: account.lock,
    noBrowser: true,
    ...(profile.caFile === undefined ? {} : { caFile: profile.caFile }),
  };
}

/**
 * For `logout`: the flow of the saved login, and whether the provider can be told (it offers
 * RFC 7009 revocation). An unreachable provider does not stop a logout: the token is still
 * deleted here, and the flow reports the failed revocation.
 */
export async function oauthFromProfile(
  account: Account,
  io: CliIO,
): Promise<{ flow: OAuthFlow; store: TokenStore; revocable: boolean; storageKey: string }> {
  const options = oauthOptionsFromProfile(account, io);
  const { flow, protocol } = oauthFlow(options, io);
  // Discovery is cached on the protocol: the flow's own revocation reuses this answer.
  const signal = AbortSignal.timeout(15_000);
  const revocable = await protocol
    .metadata({ http: cliHttpClient(options.caFile), random: cryptoRandom, clock: systemClock, signal })
    .then((meta) => meta.revocation_endpoint !== undefined)
    .catch(() => false);
  return { flow, store: options.store, revocable, storageKey: account.storageKey };
}
