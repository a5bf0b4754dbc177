/**
 * TokenStore in the OS keychain via keytar (Secret Service on Linux, Keychain on macOS,
 * Credential Vault on Windows). keytar is a native module, loaded on first use so a host that
 * stores tokens elsewhere never needs it to build or load.
 *
 * A keychain that is missing is ERR_STORAGE_UNAVAILABLE with what to install; one that fails or
 * hangs is ERR_STORAGE. Neither ever falls back to another store silently: that is the host's
 * (and the person's) decision.
 */
import type { TokenStore } from './contracts.js';
import { AuthError, isAuthError } from './errors.js';

/** The part of keytar this store uses. Injectable for tests and for hosts with their own build. */
export interface KeytarLike {
  /** The secret filed under service and account, or null. */
  getPassword(service: string, account: string): Promise<string | null>;
  /** Files `password` under service and account, replacing what was there. */
  setPassword(service: string, account: string, password: string): Promise<void>;
  /** Removes the entry; true if there was one. */
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** Options of {@link KeytarTokenStore}. */
export interface KeytarTokenStoreOptions {
  /** Service name the entries are filed under. Default "authmachine". */
  service?: string;
  /** Deadline for every keychain call. Default 10 000 ms. */
  timeoutMs?: number;
  /** Loads keytar. Default: `import('keytar')`. */
  loadKeytar?: () => Promise<KeytarLike>;
}

/** The message (and remedy) of ERR_STORAGE_UNAVAILABLE when no Secret Service or keychain answers. */
export const KEYCHAIN_HELP =
  'No system keychain is reachable. On Linux install and run a Secret Service ' +
  '(e.g. gnome-keyring with a D-Bus session, or KeePassXC; keytar needs libsecret), ' +
  'or keep tokens in a file instead with `--store file`.';

/** What to do about a keychain that is there but locked. */
export const KEYCHAIN_LOCKED_HELP =
  'Unlock it (log in to your desktop session, or open your keyring manager such as Seahorse or KeePassXC and unlock it), ' +
  'or keep tokens in a file instead with `--store file`.';

/** What to do about a keychain that failed or did not answer. */
const KEYCHAIN_FAILED_HELP =
  'Check that the Secret Service (e.g. gnome-keyring-daemon) is running and unlocked, restart it if it hangs, ' +
  'or keep tokens in a file instead with `--store file`.';

/** libsecret's words for a locked collection (a read of a locked one just finds nothing). */
const LOCKED = /locked|prompt.*(dismiss|cancel)|cannot.*prompt/i;

/** Messages libsecret / D-Bus give when there is no Secret Service to talk to. */
const UNAVAILABLE =
  /could not connect|cannot autolaunch d-bus|org\.freedesktop\.secrets|not provided by any|serviceunknown|dbus-launch|libsecret|cannot open shared object/i;

async function importKeytar(): Promise<KeytarLike> {
  const module = (await import('keytar')) as unknown as { default?: KeytarLike } & KeytarLike;
  return module.default ?? module;
}

/**
 * {@link TokenStore} in the system keychain through keytar (Secret Service on Linux, Keychain on
 * macOS, Credential Vault on Windows): one entry per key, service = `service`, account = key.
 * Calls that take longer than `timeoutMs` (default 10,000 ms) fail with ERR_STORAGE.
 *
 * @throws AuthError ERR_STORAGE_UNAVAILABLE (no keychain here; the message says what to install),
 *   ERR_STORAGE (locked, failed or timed out; the message says how to unlock it), from every method.
 * @example
 * ```ts
 * const store = new KeytarTokenStore({ service: 'my-cli' });
 * await store.probe(); // before the browser step: a missing keychain is reported first
 * const flow = createAuthFlow({ protocol, http: new FetchHttpClient(), receiver: new LoopbackReceiver(), store });
 * ```
 */
export class KeytarTokenStore implements TokenStore {
  readonly location = 'the system keychain (Secret Service)';
  readonly #service: string;
  readonly #timeoutMs: number;
  readonly #load: () => Promise<KeytarLike>;
  #keytar: Promise<KeytarLike> | undefined;

  constructor(options: KeytarTokenStoreOptions = {}) {
    this.#service = options.service ?? 'authmachine';
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#load = options.loadKeytar ?? importKeytar;
  }

  get(key: string): Promise<string | null> {
    return this.#call('read', (keytar) => keytar.getPassword(this.#service, key));
  }

  set(key: string, secret: string): Promise<void> {
    return this.#call('write', (keytar) => keytar.setPassword(this.#service, key, secret));
  }

  delete(key: string): Promise<boolean> {
    return this.#call('delete', (keytar) => keytar.deletePassword(this.#service, key));
  }

  /**
   * Writes and removes a throwaway entry (account `authmachine-probe`). A write, because a
   * locked keyring answers reads with "nothing stored" and fails only on writes. Where the desktop
   * can ask for the keyring password, this is when it asks.
   *
   * @throws AuthError ERR_STORAGE_UNAVAILABLE (no keychain here, with what to install) or
   *   ERR_STORAGE (locked, failed or did not answer in time, with how to unlock it or `--store file`).
   */
  async probe(): Promise<void> {
    const account = 'authmachine-probe';
    await this.#call('test write', (keytar) => keytar.setPassword(this.#service, account, 'probe'));
    await this.#call('test delete', (keytar) => keytar.deletePassword(this.#service, account));
  }

  async #keytarModule(): Promise<KeytarLike> {
    this.#keytar ??= this.#load().catch((error: unknown) => {
      this.#keytar = undefined; // a later call may succeed (e.g. after installing libsecret)
      throw new AuthError('ERR_STORAGE_UNAVAILABLE', `The keytar module could not be loaded. ${KEYCHAIN_HELP}`, {
        cause: safeCause(error),
      });
    });
    return this.#keytar;
  }

  async #call<T>(what: string, operation: (keytar: KeytarLike) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let armDeadline!: () => void;
    const deadline = new Promise<never>((_, reject) => {
      armDeadline = () =>
        (timer = setTimeout(
          () =>
            reject(
              new AuthError(
                'ERR_STORAGE',
                `The system keychain did not answer a ${what} within ${this.#timeoutMs} ms: it may be locked behind a password prompt, or hung. ${KEYCHAIN_FAILED_HELP}`,
              ),
            ),
          this.#timeoutMs,
        ));
    });
    deadline.catch(() => {});
    try {
      // A native call that never returns holds a libuv thread, and Node's exit waits for it: a
      // host that must always exit runs keytar in a child (the CLI does, keychain-process.ts).
      // Loading is not the keychain's answer: a slow start (a cold disk, a loaded machine) gets
      // its own, longer bound, and the call's deadline starts once keytar is there.
      const keytar = await Promise.race([this.#keytarModule(), loadDeadline(Math.max(this.#timeoutMs, 30_000))]);
      armDeadline();
      return await Promise.race([operation(keytar), deadline]);
    } catch (error) {
      if (isAuthError(error)) throw error;
      // keytar's messages come from libsecret/D-Bus and hold no secret; read them, don't copy them.
      const text = error instanceof Error ? error.message : String(error);
      if (UNAVAILABLE.test(text)) {
        throw new AuthError('ERR_STORAGE_UNAVAILABLE', KEYCHAIN_HELP, { cause: safeCause(error) });
      }
      if (LOCKED.test(text)) {
        throw new AuthError(
          'ERR_STORAGE',
          `The system keychain is locked, so the ${what} failed. ${KEYCHAIN_LOCKED_HELP}`,
          { cause: safeCause(error) },
        );
      }
      throw new AuthError('ERR_STORAGE', `The system keychain failed a ${what}. ${KEYCHAIN_FAILED_HELP}`, {
        cause: safeCause(error),
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

function loadDeadline(ms: number): Promise<never> {
  return new Promise<never>((_, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new AuthError('ERR_STORAGE', `The keychain module did not load within ${ms} ms. ${KEYCHAIN_FAILED_HELP}`),
        ),
      ms,
    );
    timer.unref();
  });
}

/** Keeps the diagnostic (libsecret's message has no secrets) but drops everything else. */
function safeCause(error: unknown): { message: string } {
  return { message: error instanceof Error ? error.message.slice(0, 200) : 'unknown' };
}
