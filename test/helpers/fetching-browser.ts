import type { BrowserOpener } from '../../adapters/contracts.js';

/**
 * A browser for providers that approve at once (the emulator's and imitation servers' auto-approve):
 * it GETs the authorization URL, follows the redirects back to the loopback receiver and reads the
 * page, as the person coming back would.
 */
export const fetchingBrowser: BrowserOpener = {
  open: async (url, signal) => void (await (await fetch(url, { signal })).text()),
};
