/**
 * RedirectReceiver for flows where the person confirms by hand, as the seed does: the redirect
 * URI points somewhere harmless, and the person presses Enter once they approved the app.
 */
import type { Readable, Writable } from 'node:stream';
import type { CallbackResult, RedirectListenOptions, RedirectReceiver, RedirectSession } from './contracts.js';
import { AuthError } from './errors.js';

/** Options of {@link ManualReceiver}. */
export interface ManualReceiverOptions {
  /**
   * The redirect URI handed to the provider (nothing listens there). Default null: the protocol
   * uses the provider's own landing page, and there is no state to check on return.
   */
  redirectUri?: string | null;
  /** Where the Enter key press comes from, usually process.stdin. */
  input: Readable;
  /** Where the prompt goes, usually process.stderr. */
  output: Writable;
  /** Default: "Press Enter once you have approved access in the browser". */
  prompt?: string;
}

/** The prompt {@link ManualReceiver} prints when `prompt` is not given. */
export const DEFAULT_MANUAL_PROMPT = 'Press Enter once you have approved access in the browser';

/**
 * Waits for a newline on `input` after printing the prompt: for a person who confirms by hand
 * (no listener; Pocket's manual mode).
 * @throws AuthError ERR_CANCELLED when the input closes or the login is cancelled first.
 */
export class ManualReceiver implements RedirectReceiver {
  readonly #options: ManualReceiverOptions;

  constructor(options: ManualReceiverOptions) {
    this.#options = { ...options };
  }

  async listen(options: RedirectListenOptions): Promise<RedirectSession> {
    if (options.signal.aborted) throw new AuthError('ERR_CANCELLED', 'Waiting for confirmation was cancelled.');
    return new ManualSession(this.#options, options.signal);
  }
}

class ManualSession implements RedirectSession {
  readonly redirectUri: string | null;
  readonly callback: Promise<CallbackResult>;
  #resolve!: (result: CallbackResult) => void;
  #reject!: (error: AuthError) => void;
  #armed = false;
  #done = false;
  #wasPaused = true;
  readonly #onData = (chunk: Buffer | string) => {
    if (String(chunk).includes('\n')) this.#finish();
  };
  readonly #onEnd = () =>
    this.#finish(new AuthError('ERR_CANCELLED', 'The input closed before the login was confirmed.'));
  readonly #onAbort = () => this.#finish(new AuthError('ERR_CANCELLED', 'Waiting for confirmation was cancelled.'));

  constructor(
    private readonly options: ManualReceiverOptions,
    private readonly signal: AbortSignal,
  ) {
    this.redirectUri = options.redirectUri ?? null;
    this.callback = new Promise<CallbackResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.callback.catch(() => {});
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Prints the prompt and starts listening; the state is irrelevant here (nothing comes back). */
  expect(_state: string | null): void {
    if (this.#armed || this.#done) return;
    this.#armed = true;
    this.options.output.write(`${this.options.prompt ?? DEFAULT_MANUAL_PROMPT}\n`);
    const { input } = this.options;
    this.#wasPaused = input.isPaused() || input.readableFlowing !== true;
    input.on('data', this.#onData);
    input.on('end', this.#onEnd);
    input.resume();
  }

  async close(): Promise<void> {
    this.#finish(new AuthError('ERR_CANCELLED', 'Waiting for confirmation was stopped.'));
  }

  #finish(error?: AuthError): void {
    if (this.#done) return;
    this.#done = true;
    this.signal.removeEventListener('abort', this.#onAbort);
    if (this.#armed) {
      const { input } = this.options;
      input.off('data', this.#onData);
      input.off('end', this.#onEnd);
      // Hand the stream back as we found it, so stdin does not keep the process alive.
      if (this.#wasPaused) input.pause();
    }
    if (error) this.#reject(error);
    else this.#resolve({ kind: 'confirmed' });
  }
}
