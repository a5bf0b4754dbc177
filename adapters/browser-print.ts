import type { Writable } from 'node:stream';
import type { BrowserOpener } from './contracts.js';
import { AuthError } from './errors.js';
import { checkBrowserUrl } from './browser-url.js';

/** Options of {@link PrintBrowserOpener}. */
export interface PrintBrowserOpenerOptions {
  /** Where the line goes. Default: process.stderr (stdout stays free for a program's output). */
  output?: Writable;
}

/**
 * For machines with no display (servers, SSH): prints "Open this URL in a browser: <url>" and
 * leaves the opening to the person.
 * @throws AuthError from `open`: ERR_CONFIG (not an absolute http(s) URL, or control
 *   characters), ERR_BROWSER (the output could not be written), ERR_CANCELLED.
 */
export class PrintBrowserOpener implements BrowserOpener {
  readonly #output: Writable;

  constructor(options: PrintBrowserOpenerOptions = {}) {
    this.#output = options.output ?? process.stderr;
  }

  async open(url: string, signal: AbortSignal): Promise<void> {
    checkBrowserUrl(url);
    if (signal.aborted) throw new AuthError('ERR_CANCELLED', 'Showing the login URL was cancelled.');
    await new Promise<void>((resolve, reject) => {
      this.#output.write(`Open this URL in a browser: ${url}\n`, (error) =>
        error ? reject(new AuthError('ERR_BROWSER', 'Could not write the login URL to the output.')) : resolve(),
      );
    });
  }
}
