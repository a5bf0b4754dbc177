/**
 * TokenStore in one JSON file (key -> secret), for machines without a keychain and only when the
 * person asked for it. The directory is 0700, the file 0600, every write is atomic (temp file in
 * the same directory, fsync, rename) and done under a lock file as read-modify-write, so two
 * processes writing different keys at once both keep their entries.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { TokenStore } from './contracts.js';
import { AuthError } from './errors.js';
import { codeOf, withFileLock } from './file-lock.js';

export interface FileTokenStoreOptions {
  /** The JSON file. Default: defaultTokenFilePath(). */
  path?: string;
  /** Longest wait for another process's lock. Default 5000 ms. */
  lockTimeoutMs?: number;
  /** A lock older than this is left over from a crash and is broken. Default 10 000 ms. */
  staleLockMs?: number;
}

/** $XDG_CONFIG_HOME/authmachine/tokens.json, else ~/.config/authmachine/tokens.json. */
export function defaultTokenFilePath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const config = env['XDG_CONFIG_HOME'] && env['XDG_CONFIG_HOME'].startsWith('/') ? env['XDG_CONFIG_HOME'] : join(home, '.config');
  return join(config, 'authmachine', 'tokens.json');
}

type Entries = Record<string, string>;

export class FileTokenStore implements TokenStore {
  /** The file path, for the person: "tokens were saved to ...". */
  readonly location: string;
  readonly #path: string;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;

  constructor(options: FileTokenStoreOptions = {}) {
    this.#path = options.path ?? defaultTokenFilePath();
    this.location = this.#path;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 5000;
    this.#staleLockMs = options.staleLockMs ?? 10_000;
  }

  async get(key: string): Promise<string | null> {
    // No lock needed: writers replace the file by rename, so a reader sees the old or the new one.
    const entries = await this.#read();
    return Object.hasOwn(entries, key) ? entries[key]! : null;
  }

  async set(key: string, secret: string): Promise<void> {
    await this.#update((entries) => {
      entries[key] = secret;
      return true;
    });
  }

  async delete(key: string): Promise<boolean> {
    let deleted = false;
    await this.#update((entries) => {
      deleted = Object.hasOwn(entries, key);
      delete entries[key];
      return deleted;
    });
    return deleted;
  }

  /** Read-modify-write under the lock. `change` returns false when there is nothing to write. */
  async #update(change: (entries: Entries) => boolean): Promise<void> {
    await this.#ensureDirectory();
    await withFileLock(`${this.#path}.lock`, { timeoutMs: this.#lockTimeoutMs, staleMs: this.#staleLockMs }, async () => {
      const entries = await this.#read();
      if (change(entries)) await this.#writeAtomically(entries);
    });
  }

  async #ensureDirectory(): Promise<void> {
    const directory = dirname(this.#path);
    try {
      await mkdir(dirname(directory), { recursive: true });
      await mkdir(directory, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      const info = await stat(directory);
      // Tighten a directory someone created looser, if it is ours to change.
      if ((info.mode & 0o077) !== 0 && info.uid === process.getuid?.()) await chmod(directory, 0o700);
    } catch (error) {
      throw new AuthError('ERR_STORAGE', `Could not prepare the directory ${directory} (${codeOf(error)}).`);
    }
  }

  async #read(): Promise<Entries> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
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
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string');
    if (!valid) {
      throw new AuthError(
        'ERR_STORAGE',
        `The token file ${this.#path} is corrupted (not a JSON object of strings). Move it away or delete it, then log in again.`,
      );
    }
    return Object.assign(Object.create(null) as Entries, parsed);
  }

  async #writeAtomically(entries: Entries): Promise<void> {
    const directory = dirname(this.#path);
    const temp = join(directory, `.${basename(this.#path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(entries, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.#path);
      await syncDirectory(directory);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw new AuthError('ERR_STORAGE', `Could not write the token file ${this.#path} (${codeOf(error)}).`);
    }
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
