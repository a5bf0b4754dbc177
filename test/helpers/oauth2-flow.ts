/** Shared steps for OAuth 2.0 tests against the real provider: contexts and one browser login. */
import type { Browser } from 'playwright-core';
import { cryptoRandom, systemClock } from '../../adapters/system-clock.js';
import type { Clock } from '../../adapters/contracts.js';
import type { ProtocolContext, StartResult, TokenSet } from '../../src/protocol.js';
import type { OAuth2Protocol } from '../../src/oauth2/index.js';
import { createFetchHttpClient, type RecordingHttpClient } from './fetch-http.js';
import { startTestLoopback } from './loopback-listener.js';
import { cancelInteraction, isolatedContext, signInAndConsent } from './oidc-browser.js';

export function realContext(clock: Clock = systemClock): ProtocolContext & { http: RecordingHttpClient } {
  return { http: createFetchHttpClient(), random: cryptoRandom, clock, signal: new AbortController().signal };
}

export interface BrowserLogin {
  started: StartResult;
  /** What came back to the loopback redirect. */
  params: Record<string, string>;
}

/**
 * start() -> Chromium opens the authorization URL -> sign in as `login` and consent (or cancel)
 * -> the provider redirects to a loopback listener. Returns what the listener captured.
 */
export async function browserLogin(
  browser: Browser,
  protocol: OAuth2Protocol,
  ctx: ProtocolContext,
  options: { login?: string; cancel?: boolean; beforeNavigate?: (started: StartResult) => void } = {},
): Promise<BrowserLogin> {
  const loopback = await startTestLoopback();
  const context = await isolatedContext(browser);
  try {
    const started = await protocol.start(ctx, { redirectUri: loopback.redirectUri });
    options.beforeNavigate?.(started);
    let arrived = false;
    void loopback.callback.then(() => (arrived = true));
    const page = await context.newPage();
    await page.goto(started.authorizationUrl);
    if (options.cancel) await cancelInteraction(page);
    else await signInAndConsent(page, options.login ?? 'alice', async () => arrived);
    return { started, params: await loopback.callback };
  } finally {
    await context.close();
    await loopback.close();
  }
}

/** A full login: browser, redirect, code exchange. */
export async function loginForTokens(
  browser: Browser,
  protocol: OAuth2Protocol,
  ctx: ProtocolContext,
  login = 'alice',
): Promise<TokenSet> {
  const { started, params } = await browserLogin(browser, protocol, ctx, { login });
  return protocol.exchange(ctx, { session: started.session, callback: { kind: 'redirect', params } });
}
