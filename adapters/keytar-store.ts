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
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarTokenStoreOptions {
  /** Service name the entries are filed under. Default "authmachine". */
  service?: string;
  /** Deadline for every keychain call. Default 10 000 ms. */
  timeoutMs?: number;
  /** Loads keytar. Default: `import('keytar')`. */
  loadKeytar?: () => Promise<KeytarLike>;
}

export const KEYCHAIN_HELP =
  'No system keychain is reachable. On Linux install and run a Secret Service ' +
  '(e.g. gnome-keyring with a D-Bus session, or KeePassXC; keytar needs libsecret), ' +
  'or keep tokens in a file instead with `--store file`.';

/** Messages libsecret / D-Bus give when there is no Secret Service to talk to. */
const UNAVAILABLE =
  /could not connect|cannot autolaunch d-bus|org\.freedesktop\.secrets|not provided by any|serviceunknown|dbus-launch|libsecret|cannot open shared object/i;

async function importKeytar(): Promise<KeytarLike> {
  const module = (await import('keytar')) as unknown as { default?: KeytarLike } & KeytarLike;
  return module.default ?? module;
}

/** Keeps each secret as a keychain entry: service = `service`, account = key. */
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
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AuthError('ERR_STORAGE', `The system keychain did not answer a ${what} within ${this.#timeoutMs} ms.`)),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([this.#keytarModule().then((keytar) => operation(keytar)), deadline]);
    } catch (error) {
      if (isAuthError(error)) throw error;
      // keytar's messages come from libsecret/D-Bus and hold no secret; read them, don't copy them.
      const text = error instanceof Error ? error.message : String(error);
      if (UNAVAILABLE.test(text)) {
        throw new AuthError('ERR_STORAGE_UNAVAILABLE', KEYCHAIN_HELP, { cause: safeCause(error) });
      }
      throw new AuthError('ERR_STORAGE', `The system keychain failed a ${what}.`, { cause: safeCause(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Keeps the diagnostic (libsecret's message has no secrets) but drops everything else. */
function safeCause(error: unknown): { message: string } {
  return { message: error instanceof Error ? error.message.slice(0, 200) : 'unknown' };
}
