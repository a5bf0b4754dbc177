/**
 * Reading a profile file safely. A profile decides where the CLI sends a login's refresh token and
 * client secret (issuer, endpoints, --client-secret-file, --ca-file), so, like the token file and as
 * ssh does with its config, one that another user owns or can write, or that sits in a folder they
 * can write, is refused: they could point the next renewal at their own server.
 */
import type { Stats } from 'node:fs';
import { constants, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuthError } from '../../../adapters/errors.js';
import { checkPrivateDirectory, codeOf } from '../../../adapters/private-dir.js';

/**
 * The profile file's text, or null when it (or its folder) does not exist.
 *
 * @throws AuthError ERR_STORAGE naming the path and what to fix: the file or its folder is owned
 *   by another user or writable by group or others, or cannot be read.
 */
export async function readProfileText(path: string): Promise<string | null> {
  const folder = dirname(path);
  let folderInfo: Stats;
  try {
    folderInfo = await stat(folder);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw new AuthError('ERR_STORAGE', `Could not read the folder ${folder} (${codeOf(error)}).`);
  }
  checkPrivateDirectory(folder, folderInfo, 'profiles');
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: a FIFO in place of a profile would block the open forever; opened, it is refused.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw new AuthError('ERR_STORAGE', `Could not read the profile ${path} (${codeOf(error)}).`);
  }
  try {
    // Checked on the opened file, so what is checked is what is read.
    checkProfileFile(path, await handle.stat());
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Holds no secret, so others may read it; only its owner may write it. */
function checkProfileFile(path: string, info: Stats): void {
  if (!info.isFile()) {
    throw new AuthError('ERR_STORAGE', `The profile ${path} is not a regular file. Move it away and log in again.`);
  }
  const uid = process.getuid?.();
  if (uid === undefined) return;
  if (info.uid !== uid) {
    throw new AuthError(
      'ERR_STORAGE',
      `The profile ${path} is owned by uid ${info.uid}, not by you (uid ${uid}), so it is not trusted: it decides which ` +
        'server your tokens are sent to. Delete it (it is not your login) and log in again.',
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw new AuthError(
      'ERR_STORAGE',
      `The profile ${path} is writable by group or others (mode 0${(info.mode & 0o7777).toString(8)}), so it is not ` +
        `trusted: it decides which server your tokens are sent to. Delete it and log in again, or, if you are sure ` +
        `nobody changed it, run \`chmod go-w ${path}\`.`,
    );
  }
}
