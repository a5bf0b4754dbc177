/**
 * The browsers the CLI can use. The system browser only where there is a display (hasDisplay).
 * On a machine with none, the demo's SimulatedBrowser plays the browser's part: it opens the
 * authorization URL on the emulator (which approves on the person's behalf, as announced) and
 * follows its redirect to the loopback listener, visiting loopback addresses only, over plain
 * node:http.
 */
import { request } from 'node:http';
import type { BrowserOpener } from '../../../adapters/contracts.js';
import { AuthError } from '../../../adapters/errors.js';
import { isLoopbackHost } from '../../../adapters/url-policy.js';
import type { CliIO } from '../output/io.js';

/** A display a browser could open on. Over SSH or on a server there is none. */
export function hasDisplay(io: CliIO): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return !io.env['SSH_CONNECTION'];
  return Boolean(io.env['DISPLAY'] || io.env['WAYLAND_DISPLAY']);
}

const MAX_HOPS = 5;

/** One GET; resolves with the redirect target, or null when the page is final. */
function visit(url: URL, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', signal, timeout: 10_000 }, (res) => {
      res.resume(); // the page itself does not matter, only where it sends us
      res.on('end', () =>
        resolve(
          res.statusCode && res.statusCode >= 300 && res.statusCode < 400 ? (res.headers.location ?? null) : null,
        ),
      );
      res.on('error', () => reject(new AuthError('ERR_BROWSER', `The simulated browser lost ${url.host}.`)));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => reject(new AuthError('ERR_BROWSER', `The simulated browser could not reach ${url.host}.`)));
    req.end();
  });
}

export class SimulatedBrowser implements BrowserOpener {
  async open(url: string, signal: AbortSignal): Promise<void> {
    let next = new URL(url);
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      if (next.protocol !== 'http:' || !isLoopbackHost(next.hostname)) {
        throw new AuthError('ERR_BROWSER', 'The simulated browser only visits loopback addresses.');
      }
      const location = await visit(next, signal);
      if (location === null) return;
      next = new URL(location, next);
    }
    throw new AuthError('ERR_BROWSER', 'The simulated browser was redirected too many times.');
  }
}
