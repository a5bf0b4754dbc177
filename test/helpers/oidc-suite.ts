/**
 * The set-up most OAuth test files share: one real oidc-provider and one Chromium for the whole
 * file, both closed after it.
 */
import anyTest, { type TestFn } from 'ava';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { startOidcServer, type OidcServer, type OidcServerOptions } from './oidc-server.js';

export type OidcSuiteContext = { server: OidcServer; browser: Browser };

export function oidcSuite(options?: OidcServerOptions): TestFn<OidcSuiteContext> {
  const test = anyTest as TestFn<OidcSuiteContext>;
  test.before(async (t) => {
    t.context.server = await startOidcServer(options);
    t.context.browser = await launchChromium();
  });
  test.after.always(async (t) => {
    await t.context.browser?.close();
    await t.context.server?.close();
  });
  return test;
}
