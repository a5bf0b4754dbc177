/**
 * Builds a Pocket login flow for the CLI from the command line and the saved profile: protocol,
 * axios over loopback-checked URLs, the loopback (or manual) receiver, the browser, the store.
 */
import { ManualReceiver } from '../../../adapters/manual-receiver.js';
import { LoopbackReceiver } from '../../../adapters/loopback-receiver.js';
import { SystemBrowserOpener } from '../../../adapters/browser-open.js';
import type { BrowserOpener, Lock, RedirectReceiver, TokenStore } from '../../../adapters/contracts.js';
import { AuthError } from '../../../adapters/errors.js';
import type { InspectionEvent, Observer } from 'xstate';
import { createAuthFlow, type AuthFlow } from '../../flow/auth-flow.js';
import {
  createPocketProtocol,
  type PocketProtocol,
  type PocketRequest,
  type PocketResult,
} from '../../pocket/protocol.js';
import { consumerKeyEntry, type Account } from '../storage/account.js';
import { hasDisplay } from './browser.js';
import { cliHttpClient } from './http-client.js';
import type { CliIO } from '../output/io.js';

export const DEFAULT_POCKET_URL = 'https://getpocket.com';

export type PocketFlow = AuthFlow<PocketRequest, PocketResult>;

export interface PocketFlowOptions {
  baseUrl: string;
  consumerKey: string;
  store: TokenStore;
  /** The login's store entry (storageKeyOf in storage/account.ts); default: the protocol's own key. */
  storageKey?: string;
  lock?: Lock | null;
  browser?: BrowserOpener;
  manual?: boolean;
  noBrowser?: boolean;
  userTimeoutMs?: number;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** PEM file of extra certificate authorities trusted for an https --base-url (--ca-file). */
  caFile?: string;
}

export function pocketFlow(options: PocketFlowOptions, io: CliIO): { flow: PocketFlow; protocol: PocketProtocol } {
  const protocol = createPocketProtocol({ consumerKey: options.consumerKey, baseUrl: options.baseUrl });
  const receiver: RedirectReceiver = options.manual
    ? new ManualReceiver({ redirectUri: null, input: io.stdin, output: io.stderr })
    : new LoopbackReceiver();
  const browser = options.browser ?? (options.noBrowser || !hasDisplay(io) ? undefined : new SystemBrowserOpener());
  const flow = createAuthFlow({
    protocol,
    http: cliHttpClient(options.caFile),
    receiver,
    store: options.store,
    ...(options.storageKey === undefined ? {} : { storageKey: options.storageKey }),
    ...(options.lock ? { lock: options.lock, loginLock: options.lock } : {}),
    ...(browser ? { browser } : {}),
    ...(options.userTimeoutMs ? { config: { userTimeoutMs: options.userTimeoutMs } } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  return { flow, protocol };
}

/** For commands after login: the profile's Pocket settings as flow options (no browser). */
export async function pocketFromProfile(account: Account): Promise<PocketFlowOptions> {
  const { profile, store } = account;
  if (profile.provider !== 'pocket') {
    throw new AuthError(
      'ERR_CONFIG',
      'The saved login is for an OAuth provider, not Pocket. Use `authmachine call`, or log in to Pocket.',
    );
  }
  const consumerKey = await store.get(consumerKeyEntry(profile.keyFingerprint));
  if (!consumerKey) throw new AuthError('ERR_NOT_LOGGED_IN', 'Not logged in to Pocket. Run `authmachine login`.');
  return {
    store,
    consumerKey,
    baseUrl: profile.baseUrl,
    storageKey: account.storageKey,
    lock: account.lock,
    noBrowser: true,
    ...(profile.caFile === undefined ? {} : { caFile: profile.caFile }),
  };
}
