/**
 * Lock across the processes of one machine, held as a kernel lock on a file: an open file
 * description lock (Linux F_OFD_SETLK), flock (macOS, BSD) or LockFileEx (Windows), through the
 * `fs-native-extensions` addon. The kernel drops the lock the moment its holder's file is closed,
 * which includes every way a process can die (kill -9 too). So there is no stale lock to detect and
 * break: a leftover lock file, empty or not, is just a file nobody holds, and no two waiters can
 * both "break" it and both win.
 *
 * Lock files are never deleted: unlinking a file someone holds would let the next process lock a
 * new file of the same name while the first still holds the old one.
 */
import { constants, type FileHandle, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Lock, LockAcquireOptions, LockLease } from './contracts.js';
import { AuthError } from './errors.js';
import { codeOf, ensurePrivateDirectory } from './private-dir.js';

/** Options of {@link FileLock}. */
export interface FileLockOptions {
  /**
   * Where the lock file for a key lives. Either a folder (the key is hashed to a file name in it)
   * or a function from key to path. A folder that does not exist is created 0700; one that exists
   * is used as it is, never re-moded.
   */
  directory?: string;
  /** The lock file for `key`, instead of a hashed name in `directory`. */
  pathFor?: (key: string) => string;
  /** Longest pause between two attempts while waiting, in ms. Default 50. */
  maxPollMs?: number;
}

/** The part of fs-native-extensions this lock uses. */
interface NativeLocks {
  tryLock(fd: number, offset?: number, length?: number, options?: { shared?: boolean }): boolean;
}

let nativeLocks: Promise<NativeLocks> | undefined;

/** Loaded on first use: a host that never locks a file never loads the addon. */
function loadNativeLocks(): Promise<NativeLocks> {
  nativeLocks ??= import('fs-native-extensions').then(
    (module) => ((module as { default?: NativeLocks }).default ?? module) as NativeLocks,
    (error: unknown) => {
      nativeLocks = undefined;
      throw new AuthError(
        'ERR_STORAGE',
        'The file-locking addon (fs-native-extensions) could not be loaded; reinstall authmachine.',
        {
          cause: { message: codeOf(error) },
        },
      );
    },
  );
  return nativeLocks;
}

/**
 * {@link Lock} by lock files on the local file system: the CLI's default.
 *
 * A holder that dies (crash, kill -9, power loss) frees the lock at once, because the kernel
 * releases it with the process's files. Waiting polls (1 ms doubling to `maxPollMs`) until the
 * lock is free or `signal` aborts; there is no deadline of its own.
 *
 * @throws AuthError ERR_CANCELLED when `signal` aborts before the lock is acquired.
 * @throws AuthError ERR_STORAGE when the lock file or its folder cannot be created or opened
 *   (the message names the path), or the folder is unsafe (owned or writable by another user).
 */
export class FileLock implements Lock {
  readonly #pathFor: (key: string) => string;
  readonly #directory: string | undefined;
  readonly #maxPollMs: number;

  constructor(options: FileLockOptions) {
    if (options.pathFor) this.#pathFor = options.pathFor;
    else if (options.directory !== undefined) {
      const directory = options.directory;
      this.#directory = directory;
      this.#pathFor = (key) => join(directory, lockFileName(key));
    } else throw new AuthError('ERR_CONFIG', 'FileLock needs a `directory` or a `pathFor` function.');
    this.#maxPollMs = options.maxPollMs ?? 50;
  }

  /** The lock file used for `key`. */
  pathFor(key: string): string {
    return this.#pathFor(key);
  }

  async acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    const { signal } = options;
    let waiting = false;
    throwIfAborted(signal);
    const path = this.#pathFor(key);
    const native = await loadNativeLocks();
    if (this.#directory !== undefined) await ensurePrivateDirectory(this.#directory);
    const handle = await openLockFile(path);
    try {
      // Try before looking at the signal: a deadline that passed while this process was busy
      // (not while the lock was taken) must not turn a free lock into a failure.
      for (let pause = 1; !tryLock(native, handle, path); pause = Math.min(pause * 2, this.#maxPollMs)) {
        throwIfAborted(signal);
        if (!waiting) {
          waiting = true;
          options.onWait?.();
        }
        await sleep(pause * (0.5 + Math.random() / 2), signal);
      }
      await recordHolder(handle);
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        // Closing the file is what releases the kernel lock; the file itself stays.
        await handle.close().catch(() => {});
      },
    };
  }

  /**
   * The process id last recorded by a holder of `key`'s lock, if that lock is held right now by a
   * live process; for messages such as "waiting for another authmachine (pid 123)". Informational:
   * the answer may be stale by the time it is read.
   */
  async holder(key: string): Promise<number | null> {
    const path = this.#pathFor(key);
    let text: string;
    try {
      // O_NONBLOCK: a FIFO at the lock path must not block a mere look.
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
    const pid = Number(text.trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : null;
  }
}

/** A file name for `key` that is safe on every file system and says nothing of the key. */
export function lockFileName(key: string): string {
  // node:crypto is loaded on first use, not at import: reading a stored token takes no lock.
  const { createHash } = process.getBuiltinModule('node:crypto');
  return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`;
}

async function openLockFile(path: string): Promise<FileHandle> {
  try {
    // O_NOFOLLOW: a symlink planted at the lock path must not make us create a file elsewhere.
    return await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = codeOf(error);
    const why = ['EACCES', 'EPERM', 'EROFS'].includes(code)
      ? `the folder ${dirname(path)} is not writable by you`
      : 'check that its folder exists and is yours';
    throw new AuthError('ERR_STORAGE', `Could not open the lock file ${path} (${code}): ${why}.`);
  }
}

function tryLock(native: NativeLocks, handle: FileHandle, path: string): boolean {
  try {
    return native.tryLock(handle.fd);
  } catch (error) {
    throw new AuthError('ERR_STORAGE', `Could not lock the file ${path} (${codeOf(error)}).`);
  }
}

/** Writes our pid into the file we now hold, for holder(). Not needed for correctness. */
async function recordHolder(handle: FileHandle): Promise<void> {
  try {
    await handle.truncate(0);
    await handle.write(`${process.pid}\n`, 0);
  } catch {
    // Best effort only.
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AuthError('ERR_CANCELLED', 'Waiting for the lock was cancelled.');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AuthError('ERR_CANCELLED', 'Waiting for the lock was cancelled.'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
