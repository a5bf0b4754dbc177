/**
 * Chromium for ava tests: the launcher (chromium-launch.ts) and a file-wide shared browser.
 */
import anyTest, { type TestFn } from 'ava';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium-launch.js';

export { CHROMIUM_PATH, launchChromium } from './chromium-launch.js';

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
