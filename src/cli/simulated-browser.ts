/**
 * Plays the browser's part for the demo on a machine with no display: opens the authorization
 * URL on the emulator (which approves on the person's behalf, as announced) and follows its
 * redirect to the loopback listener. It follows only redirects to loopback addresses.
 */
import type { BrowserOpener } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class SimulatedBrowser implements BrowserOpener {
  async open(url: string, signal: AbortSignal): Promise<void> {
    let next = new URL(url);
    for (let hop = 0; hop < 5; hop++) {
      if (!LOOPBACK.has(next.hostname)) throw new AuthError('ERR_BROWSER', 'The simulated browser only visits loopback addresses.');
      const response = await fetch(next, { redirect: 'manual', signal }).catch(() => {
        throw new AuthError('ERR_BROWSER', `The simulated browser could not reach ${next.host}.`);
      });
      await response.arrayBuffer();
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return;
      next = new URL(location, next);
    }
    throw new AuthError('ERR_BROWSER', 'The simulated browser was redirected too many times.');
  }
}
