/**
 * Folders and files that hold secrets: created private, checked like ssh checks ~/.ssh, and never
 * re-moded when they were not ours to create.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { AuthError } from './errors.js';

/**
 * Creates `directory` and any missing parent, each 0700 whatever the umask; leaves every folder
 * that already existed exactly as it was. Then checks `directory` with {@link checkPrivateDirectory}.
 *
 * @throws AuthError ERR_STORAGE naming the folder when it cannot be created or is unsafe.
 */
export async function ensurePrivateDirectory(directory: string): Promise<void> {
  await createMissing(directory);
  checkPrivateDirectory(directory, await statOrThrow(directory));
}

async function createMissing(directory: string): Promise<void> {
  try {
    await mkdir(directory, { mode: 0o700 });
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST') return;
    if (code === 'ENOENT' && dirname(directory) !== directory) {
      await createMissing(dirname(directory));
      return createMissing(directory);
    }
    throw new AuthError(
      'ERR_STORAGE',
      `Could not create the folder ${directory} (${code}). Check that its parent is writable by you.`,
    );
  }
  // We made it: make it exactly 0700 (a umask such as 0277 would have left it unusable).
  await chmod(directory, 0o700).catch(() => {});
}

async function statOrThrow(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    throw new AuthError('ERR_STORAGE', `Could not read the folder ${path} (${codeOf(error)}).`);
  }
}

/**
 * Refuses a folder for secrets that another user owns or that group or others can write: they
 * could plant a login or swap the file. Skipped where there are no uids (Windows).
 *
 * @param purpose - What the folder would hold, for the message (default "tokens").
 * @throws AuthError ERR_STORAGE saying what to fix.
 */
export function checkPrivateDirectory(directory: string, info: Stats, purpose = 'tokens'): void {
  if (!info.isDirectory()) {
    throw new AuthError('ERR_STORAGE', `${directory} is not a folder. Choose another place for the token file.`);
  }
  const uid = process.getuid?.();
  if (uid === undefined) return;
  if (info.uid !== uid) {
    throw new AuthError(
      'ERR_STORAGE',
      `The folder ${directory} is owned by uid ${info.uid}, not by you (uid ${uid}), so it is not used for ${purpose}. ` +
        `Use a folder of your own (e.g. the default ~/.config/authmachine), or as its owner run \`chown ${uid} ${directory}\`.`,
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw new AuthError(
      'ERR_STORAGE',
      `The folder ${directory} is writable by group or others (mode ${octal(info.mode)}), so it is not used for ${purpose}. ` +
        `Run \`chmod go-w ${directory}\`, or use a folder only you can write.`,
    );
  }
}

/**
 * Refuses a token file that another user owns or that anyone but its owner can read or write
 * (a token readable by others is already exposed; one writable by others can be planted).
 *
 * @throws AuthError ERR_STORAGE saying what to fix.
 */
export function checkPrivateFile(path: string, info: Stats): void {
  if (!info.isFile()) {
    throw new AuthError('ERR_STORAGE', `${path} is not a regular file. Move it away or choose another --token-file.`);
  }
  const uid = process.getuid?.();
  if (uid === undefined) return;
  if (info.uid !== uid) {
    throw new AuthError(
      'ERR_STORAGE',
      `The token file ${path} is owned by uid ${info.uid}, not by you (uid ${uid}), so it is not trusted. ` +
        `Delete it (it is not your login) and log in again, or choose another --token-file.`,
    );
  }
  if ((info.mode & 0o077) !== 0) {
    throw new AuthError(
      'ERR_STORAGE',
      `The token file ${path} can be read or written by group or others (mode ${octal(info.mode)}), so it is not used. ` +
        `Run \`chmod 600 ${path}\` and, if others may have read it, log out and log in again.`,
    );
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
