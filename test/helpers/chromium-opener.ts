/**
 * A BrowserOpener for flow tests: headless Chromium goes to the URL the machine hands it and
 * plays the person on oidc-provider's pages (sign in and consent, or cancel) until the provider
 * sends the browser back to the loopback redirect. Tests only.
 */
import type { Browser } from 'playwright-core';
import type { BrowserOpener } from '../../adapters/contracts.js';
import { cancelInteraction, isolatedContext, signInAndConsent } from './oidc-browser.js';

export interface ChromiumOpenerOptions {
  /** The login name typed on the provider's page (any name works there). Default "alice". */
  login?: string;
  /** Click Cancel instead of signing in: the provider answers access_denied. */
  cancel?: boolean;
  /** Runs before Chromium navigates: a test holds the browser here to act while the flow waits. */
  beforeNavigate?: (url: string) => Promise<void>;
}

/** The page the browser was left on after the redirect: what the person reads. */
export interface Landing {
  title: string;
  text: string;
}

export interface ChromiumOpener extends BrowserOpener {
  /** Every URL the flow asked to open, in order. */
  readonly urls: string[];
  /** The page each finished open() ended on (the loopback receiver's outcome page). */
  readonly landings: Landing[];
  /** Settles when the browser work of every open() so far has finished; rejects with its failure. */
  settled(): Promise<void>;
}

export function chromiumOpener(browser: Browser, options: ChromiumOpenerOptions = {}): ChromiumOpener {
  const urls: string[] = [];
  const landings: Landing[] = [];
  const runs: Promise<void>[] = [];

  async function play(url: string): Promise<void> {
    const provider = new URL(url).origin;
    await options.beforeNavigate?.(url);
    const context = await isolatedContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(url);
      if (options.cancel) await cancelInteraction(page);
      // Done once the provider has sent the browser elsewhere: to the loopback redirect.
      else await signInAndConsent(page, options.login ?? 'alice', async () => !page.url().startsWith(provider));
      // The receiver answers the redirect only once the flow knows the outcome.
      await page.waitForLoadState('load');
      landings.push({ title: await page.title(), text: (await page.textContent('body')) ?? '' });
    } finally {
      await context.close();
    }
  }

  return {
    urls,
    landings,
    async open(url) {
      urls.push(url);
      // Resolves when the person is done with the browser; the flow does not wait on it, the
      // redirect drives it. The signal is not followed: the page must finish the redirect even
      // though the flow leaves awaitingUser (and aborts this call) the moment the redirect lands.
      const run = play(url);
      runs.push(run);
      await run;
    },
    async settled() {
      await Promise.all(runs);
    },
  };
}
