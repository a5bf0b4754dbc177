/**
 * Drives oidc-provider's own development pages in headless Chromium: sign in with any name,
 * consent, or cancel; and the device flow's user-code pages. Requests off loopback are aborted
 * (the pages import a web font), so nothing leaves the machine.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** A fresh context that reaches 127.0.0.1 only; `ignoreHTTPSErrors` for a server with a test CA's certificate. */
export async function isolatedContext(
  browser: Browser,
  options: { ignoreHTTPSErrors?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === '127.0.0.1' ? route.continue() : route.abort();
  });
  return context;
}

const LOGIN_FORM = 'form input[name="login"]';
const CONSENT_FORM = 'form input[name="prompt"][value="consent"]';

/**
 * Answers login and consent pages until the browser leaves the provider (for the redirect URI,
 * or a device-flow success page). `until` says when to stop.
 */
export async function signInAndConsent(page: Page, login: string, until: () => Promise<boolean>): Promise<void> {
  for (let step = 0; step < 10; step++) {
    if (await until()) return;
    await page.waitForLoadState('domcontentloaded');
    if (await page.locator(LOGIN_FORM).count()) {
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', 'any-password');
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    } else if (await page.locator(CONSENT_FORM).count()) {
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    } else {
      return;
    }
  }
  throw new Error('too many interaction steps');
}

/** Clicks the "[ Cancel ]" link of the login or consent page: the provider answers access_denied. */
export async function cancelInteraction(page: Page): Promise<void> {
  await page.waitForSelector(LOGIN_FORM);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Cancel")')]);
}

/**
 * The device flow's pages: type the user code, confirm (or abort) the device, then sign in and
 * consent. Resolves on the provider's final page ("Sign-in Success", or the abort notice).
 */
export async function enterDeviceCode(
  page: Page,
  verificationUri: string,
  userCode: string,
  options: { login?: string; abort?: boolean } = {},
): Promise<string> {
  await page.goto(verificationUri);
  await page.fill('input[name="user_code"]', userCode);
  await Promise.all([page.waitForNavigation(), page.click('button[form="op.deviceInputForm"]')]);
  await page.waitForSelector('form#op\\.deviceConfirmForm', { state: 'attached' });
  const button = options.abort ? 'button[name="abort"]' : 'button[form="op.deviceConfirmForm"][autofocus]';
  await Promise.all([page.waitForNavigation(), page.click(button)]);
  if (!options.abort) {
    await signInAndConsent(page, options.login ?? 'erin', async () => (await page.title()) === 'Sign-in Success');
  }
  return page.title();
}
