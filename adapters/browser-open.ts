/**
 * BrowserOpener over the `open` package (xdg-open, `open`, `start`). `open` is imported on the
 * first call: it is ESM-only and pulls in several modules a headless host never needs.
 *
 * The URL is passed to the launcher as one argument of a spawned process, never through a shell.
 */
import type { ChildProcess } from 'node:child_process';
import type { BrowserOpener } from './contracts.js';
import { AuthError } from './errors.js';
import { checkBrowserUrl } from './browser-url.js';

/** Options of {@link SystemBrowserOpener}. */
export interface SystemBrowserOpenerOptions {
  /**
   * A specific program instead of the system's default handler, as `open`'s `app` option:
   * `{ name: 'firefox', arguments: ['--private-window'] }`. The URL is appended as the last argument.
   */
  app?: { name: string | readonly string[]; arguments?: readonly string[] };
  /**
   * How long to watch the launcher for a failing exit. A launcher still running after this is
   * taken as a success (it became, or is waiting on, the browser). Default 3000 ms.
   */
  exitWatchMs?: number;
}

/** Opens the URL with the system's browser; rejects with ERR_BROWSER if the launcher fails. */
export class SystemBrowserOpener implements BrowserOpener {
  readonly #options: SystemBrowserOpenerOptions;

  constructor(options: SystemBrowserOpenerOptions = {}) {
    this.#options = { ...options };
  }

  async open(url: string, signal: AbortSignal): Promise<void> {
    checkBrowserUrl(url);
    if (signal.aborted) throw cancelled();
    let child: ChildProcess;
    try {
      const { default: open } = await import('open');
      const app = this.#options.app;
      child = await open(url, {
        wait: false,
        ...(app
          ? {
              app: {
                name: typeof app.name === 'string' ? app.name : [...app.name],
                arguments: [...(app.arguments ?? [])],
              },
            }
          : {}),
      });
    } catch (error) {
      throw new AuthError('ERR_BROWSER', `Could not start a browser launcher${describeSpawnError(error)}.`);
    }
    await watchLauncher(child, signal, this.#options.exitWatchMs ?? 3000);
  }
}

function cancelled(): AuthError {
  return new AuthError('ERR_CANCELLED', 'Opening the browser was cancelled.');
}

function describeSpawnError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : '';
}

/** Resolves when the launcher exits 0 or is still running after `watchMs`; rejects otherwise. */
function watchLauncher(child: ChildProcess, signal: AbortSignal, watchMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: AuthError) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null, signalName: NodeJS.Signals | null) => {
      if (code === 0) return finish();
      const how = code !== null ? `exited with code ${code}` : `was killed by ${signalName}`;
      finish(new AuthError('ERR_BROWSER', `The browser launcher ${how} (no display, or no browser installed?).`));
    };
    const onError = (error: unknown) =>
      finish(new AuthError('ERR_BROWSER', `The browser launcher failed${describeSpawnError(error)}.`));
    const onAbort = () => finish(cancelled());
    const timer = setTimeout(() => finish(), watchMs);
    child.on('exit', onExit);
    child.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    // An abort during the launcher's start (the import, the spawn) fired before this listener existed.
    if (signal.aborted) return onAbort();
    // It may have exited before we started listening.
    if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
  });
}
