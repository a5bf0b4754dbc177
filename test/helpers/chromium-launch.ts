/**
 * Launches Debian's Chromium through playwright-core. Never downloads a browser: the path is
 * fixed, and the flags keep Chromium off the (closed) network except for the pages we open.
 * Free of ava, so scripts run outside a test (in a network namespace) can use it too.
 */
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
