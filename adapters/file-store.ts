/**
 * TokenStore in one JSON file (key -> secret), for machines without a keychain and only when the
 * person asked for it. Every change is a read-modify-write under a {@link FileLock} on
 * `<file>.lock`, written atomically (temp file in the same folder, fsync, rename), so two processes
 * writing different keys at once both keep their entries and a crash at any moment leaves the old
 * or the new complete file. Folders it creates are 0700, the file 0600; folders it did not create
 * are never re-moded, and a file or folder that another user owns or can write is refused.
 */
import type { Stats } from 'node:fs';
import { constants, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { LockLease, TokenStore } from './contracts.js';
import { AuthError, isAuthError } from './errors.js';
import { FileLock } from './file-lock.js';
import { checkPrivateDirectory, checkPrivateFile, codeOf, ensurePrivateDirectory } from './private-dir.js';

/** Options of {@link FileTokenStore}. */
export interface FileTokenStoreOptions {
  /** The JSON file; a relative path is resolved against the current directory. Default: defaultTokenFilePath(). */
  path?: string;
  /** Longest wait for another process holding the file's lock, in ms. Default 10 000. */
  lockTimeoutMs?: number;
}

/**
 * $XDG_CONFIG_HOME/authmachine/tokens.json when XDG_CONFIG_HOME is an absolute path, else
 * ~/.config/authmachine/tokens.json. An empty HOME counts as unset (the account's home directory
 * from the password database is used), so the path is never relative.
 */
export function defaultTokenFilePath(env: NodeJS.ProcessEnv = process.env, home?: string): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const config = xdg?.startsWith('/') ? xdg : join(home ?? homeDirectory(env), '.config');
  return join(config, 'authmachine', 'tokens.json');
}

/** $HOME when set and absolute, else the account's home from the password database. */
export function homeDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['HOME'];
  if (home?.startsWith('/')) return home;
  try {
    const fromAccount = userInfo().homedir;
    if (fromAccount) return fromAccount;
  } catch {
    // No passwd entry: fall through.
  }
  throw new AuthError(
    'ERR_STORAGE',
    'HOME is not set and the account has no home directory: set HOME or pass --token-file.',
  );
}

type Entries = Record<string, string>;

/**
 * {@link TokenStore} in a JSON file.
 *
 * @throws AuthError ERR_STORAGE naming the path, from every method: the file or its folder cannot
 *   be read, created or written (e.g. a read-only folder); is owned by another user; is readable
 *   or writable by group or others; is corrupted; or another process held the lock longer than
 *   `lockTimeoutMs`.
 * @example
 * ```ts
 * // Mode 0600 in a 0700 folder, written atomically; default path: defaultTokenFilePath().
 * const store = new FileTokenStore({ path: '/home/me/.config/my-cli/tokens.json' });
 * const flow = createAuthFlow({ protocol, http: new FetchHttpClient(), receiver: new LoopbackReceiver(), store });
 * console.error(`Tokens are kept in ${store.location}`);
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** The absolute file path, for the person: "tokens were saved to ...". */
  readonly location: string;
  readonly #path: string;
  readonly #directory: string;
  readonly #lockTimeoutMs: number;
  readonly #lock: FileLock;

  constructor(options: FileTokenStoreOptions = {}) {
    this.#path = resolve(options.path ?? defaultTokenFilePath());
    this.#directory = dirname(this.#path);
    this.location = this.#path;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.#lock = new FileLock({ pathFor: () => `${this.#path}.lock` });
  }

  async get(key: string): Promise<string | null> {
    // No lock needed: writers replace the file by rename, so a reader sees the old or the new one.
    const entries = await this.#read({ checkDirectory: true });
    return Object.hasOwn(entries, key) ? (entries[key] ?? null) : null;
  }

  async set(key: string, secret: string): Promise<void> {
    await this.#update((entries) => {
      entries[key] = secret;
      return true;
    });
  }

  async delete(key: string): Promise<boolean> {
    // Nothing stored and no folder: do not create one just to say so.
    if (!(await exists(this.#directory))) return false;
    let deleted = false;
    await this.#update((entries) => {
      deleted = Object.hasOwn(entries, key);
      delete entries[key];
      return deleted;
    });
    return deleted;
  }

  /**
   * Proves the store can save before anything is worth saving (before the person approves a
   * login): the folder exists or can be created, is safe, and a file can be written in it.
   *
   * @throws AuthError ERR_STORAGE naming the path and what to fix.
   */
  async probe(): Promise<void> {
    await ensurePrivateDirectory(this.#directory);
    await this.#read({ checkDirectory: false });
    const temp = this.#tempPath();
    try {
      const handle = await open(
        temp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      await handle.close();
    } catch (error) {
      throw this.#cannotWrite(error);
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  /** Read-modify-write under the lock. `change` returns false when there is nothing to write. */
  async #update(change: (entries: Entries) => boolean): Promise<void> {
    await ensurePrivateDirectory(this.#directory);
    const lease = await this.#acquire();
    try {
      // We hold the lock, and every writer holds it while its temp file exists: any temp file
      // there now was left by a writer that died, and may hold a token. Remove it.
      await this.#removeLeftoverTemps();
      const entries = await this.#read({ checkDirectory: false });
      if (change(entries)) await this.#writeAtomically(entries);
    } finally {
      await lease.release();
    }
  }

  async #acquire(): Promise<LockLease> {
    const signal = AbortSignal.timeout(this.#lockTimeoutMs);
    try {
      return await this.#lock.acquire('tokens', { signal });
    } catch (error) {
      if (isAuthError(error, 'ERR_CANCELLED')) {
        const pid = await this.#lock.holder('tokens');
        throw new AuthError(
          'ERR_STORAGE',
          `Another process${pid ? ` (pid ${pid})` : ''} held the lock ${this.#lock.pathFor('tokens')} for over ${this.#lockTimeoutMs} ms. ` +
            'Try again; if it keeps happening, stop that process.',
        );
      }
      throw error;
    }
  }

  #tempPrefix(): string {
    return `.${basename(this.#path)}.`;
  }

  #tempPath(): string {
    // node:crypto is loaded on first write, not at import: `authmachine token` only reads.
    const { randomBytes } = process.getBuiltinModule('node:crypto');
    return join(this.#directory, `${this.#tempPrefix()}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  }

  async #removeLeftoverTemps(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#directory);
    } catch (error) {
      throw new AuthError('ERR_STORAGE', `Could not list the folder ${this.#directory} (${codeOf(error)}).`);
    }
    const prefix = this.#tempPrefix();
    for (const name of names) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) await unlink(join(this.#directory, name)).catch(() => {});
    }
  }

  async #read(options: { checkDirectory: boolean }): Promise<Entries> {
    if (options.checkDirectory) {
      let info: Stats;
      try {
        info = await stat(this.#directory);
      } catch (error) {
        if (codeOf(error) === 'ENOENT') return {};
        throw new AuthError('ERR_STORAGE', `Could not read the folder ${this.#directory} (${codeOf(error)}).`);
      }
      checkPrivateDirectory(this.#directory, info);
    }
    let text: string;
    try {
      // O_NOFOLLOW: a symlink planted in place of the file is refused, not followed. O_NONBLOCK: a
      // FIFO planted there would block the open forever; opened, it is refused as not a file.
      const handle = await open(this.#path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        checkPrivateFile(this.#path, await handle.stat());
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isAuthError(error)) throw error;
      if (codeOf(error) === 'ENOENT') return {};
      if (codeOf(error) === 'ELOOP') {
        throw new AuthError(
          'ERR_STORAGE',
          `The token file ${this.#path} is a symbolic link, which is not followed. Point --token-file at the real file.`,
        );
      }
      throw new AuthError('ERR_STORAGE', `Could not read the token file ${this.#path} (${codeOf(error)}).`);
    }
    // JSON.parse's message quotes the file's content (secrets): never copy it.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const valid =
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((v) => typeof v === 'string');
    if (!valid) {
      throw new AuthError(
        'ERR_STORAGE',
        `The token file ${this.#path} is corrupted (not a JSON object of strings). Move it away or delete it, then log in again.`,
      );
    }
    return Object.assign(Object.create(null) as Entries, parsed);
  }

  async #writeAtomically(entries: Entries): Promise<void> {
    const temp = this.#tempPath();
    try {
      const handle = await open(
        temp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        await handle.writeFile(`${JSON.stringify(entries, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.#path);
      await syncDirectory(this.#directory);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw this.#cannotWrite(error);
    }
  }

  #cannotWrite(error: unknown): AuthError {
    const code = codeOf(error);
    const hint =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? ` The folder ${this.#directory} is not writable: make it writable or choose another --token-file.`
        : '';
    return new AuthError('ERR_STORAGE', `Could not write the token file ${this.#path} (${code}).${hint}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return false;
    throw new AuthError('ERR_STORAGE', `Could not read the folder ${path} (${codeOf(error)}).`);
  }
}

/** Makes the rename itself durable. Best effort: not every file system allows it. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Ignored: the data is already synced; only the directory entry's durability is at stake.
  }
}
