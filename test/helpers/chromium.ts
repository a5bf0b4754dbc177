/**
 * Launches Debian's Chromium through playwright-core. Never downloads a browser: the path is
 * fixed, and the flags keep Chromium off the (closed) network except for the pages we open.
 */
import anyTest, { type TestFn } from 'ava';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.AUTHMACHINE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/**
 * The ava `test` for a file whose tests share one Chromium: launched before the first test,
 * closed after the last (a launch per test would cost seconds each).
 */
export function testWithSharedChromium(): TestFn<{ browser: Browser }> {
  const test = anyTest as TestFn<{ browser: Browser }>;
  test.before(async (t) => {
    t.context.browser = await launchChromium();
  });
  test.after.always(async (t) => {
    await t.context.browser?.close();
  });
  return test;
}
