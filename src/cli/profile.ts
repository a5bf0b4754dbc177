/**
 * The non-secret settings a login leaves behind, so later commands know which provider and
 * store to use: ~/.config/authmachine/profile.json (or $AUTHMACHINE_CONFIG_DIR/profile.json).
 * Secrets never go here: tokens and consumer keys live in the token store.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthError } from '../../adapters/errors.js';

export type StoreKind = 'keychain' | 'file' | 'memory';

export type Profile =
  | { provider: 'pocket'; baseUrl: string; store: StoreKind; tokenFile?: string; keyFingerprint: string }
  | {
      provider: 'oauth2';
      issuer: string;
      clientId: string;
      scope?: string;
      resource?: string;
      store: StoreKind;
      tokenFile?: string;
      /** --ca-file: extra certificate authorities for https, used by every later command. */
      caFile?: string;
    };

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env['AUTHMACHINE_CONFIG_DIR']) return env['AUTHMACHINE_CONFIG_DIR'];
  const base = env['XDG_CONFIG_HOME']?.startsWith('/') ? env['XDG_CONFIG_HOME'] : join(env['HOME'] ?? homedir(), '.config');
  return join(base, 'authmachine');
}

export async function readProfile(env: NodeJS.ProcessEnv): Promise<Profile | null> {
  const path = join(configDir(env), 'profile.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as Profile;
  } catch {
    throw new AuthError('ERR_CONFIG', `${path} is not valid JSON. Delete it and log in again.`);
  }
}

export async function writeProfile(env: NodeJS.ProcessEnv, profile: Profile): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'profile.json');
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(profile, null, 2) + '\n', { mode: 0o600 });
  await rename(temp, path);
  return path;
}
