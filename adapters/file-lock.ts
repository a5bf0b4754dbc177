/**
 * A cross-process lock file: created with O_EXCL ("wx"), so exactly one process holds it.
 * A lock left behind by a crashed process is broken when its owner is gone (same machine) or
 * when it is older than `staleMs`. Waiting is bounded.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { AuthError } from './errors.js';

export interface FileLockOptions {
  /** Longest wait for the lock. */
  timeoutMs: number;
  /** A lock older than this is taken to be left over from a crash. */
  staleMs: number;
}

/** Runs `fn` while holding the lock file at `lockPath`. */
export async function withFileLock<T>(lockPath: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const token = await acquire(lockPath, options);
  try {
    return await fn();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<string> {
  const token = `${process.pid}\n${randomBytes(8).toString('hex')}\n`;
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      return token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AuthError('ERR_STORAGE', `Could not create the lock file ${lockPath} (${codeOf(error)}).`);
      }
    }
    if (await isStale(lockPath, options.staleMs)) {
      await unlink(lockPath).catch(() => {});
      continue;
    }
    if (Date.now() - started > options.timeoutMs) {
      throw new AuthError(
        'ERR_STORAGE',
        `Timed out waiting for the lock file ${lockPath}. If no other authmachine process is running, delete it.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [info, content] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const pid = Number(content.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  } catch {
    return false; // gone already (or unreadable): just try again
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

/** Removes the lock only if it is still ours (it may have been broken as stale meanwhile). */
async function release(lockPath: string, token: string): Promise<void> {
  try {
    if ((await readFile(lockPath, 'utf8')) === token) await unlink(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}

export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
