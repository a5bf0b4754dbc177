/**
 * Writes a logged-in Pocket profile for the CLI without running a login: profiles/<name>.json plus a
 * 0600 token file, in the CLI's own formats (storage/profile.ts, storage/account.ts, token-codec.ts), so a
 * later `authmachine items` or `status` in that config dir finds a usable login.
 */
import { join } from 'node:path';
import { FileTokenStore } from '../../adapters/file-store.js';
import { encodeTokenSet } from '../../src/flow/token-codec.js';
import type { TokenSet } from '../../machines/types.js';
import { storageKeyOf, consumerKeyEntry } from '../../src/cli/storage/account.js';
import { writeProfile, type Profile } from '../../src/cli/storage/profile.js';
import { consumerKeyFingerprint } from '../../src/storage-key.js';

export interface StoredPocketLogin {
  baseUrl: string;
  consumerKey: string;
  accessToken: string;
  username: string;
  /** Default "default". */
  profile?: string;
}

/** Returns the token file's path. */
export async function writePocketLogin(configDir: string, login: StoredPocketLogin): Promise<string> {
  const tokenFile = join(configDir, 'tokens.json');
  const fingerprint = consumerKeyFingerprint(login.consumerKey);
  const store = new FileTokenStore({ path: tokenFile });
  await store.set(consumerKeyEntry(fingerprint), login.consumerKey);
  const profile: Profile = {
    provider: 'pocket',
    baseUrl: login.baseUrl,
    store: 'file',
    tokenFile,
    keyFingerprint: fingerprint,
  };
  const name = login.profile ?? 'default';
  await store.set(
    storageKeyOf(profile, name),
    encodeTokenSet({ accessToken: login.accessToken, username: login.username }),
  );
  await writeProfile({ AUTHMACHINE_CONFIG_DIR: configDir }, name, profile);
  return tokenFile;
}

/** The store key under which the CLI keeps a Pocket login (see storageKeyOf in src/cli/account.ts). */
export function pocketLoginKey(baseUrl: string, consumerKey: string, profile = 'default'): string {
  return storageKeyOf(
    { provider: 'pocket', baseUrl, store: 'keychain', keyFingerprint: consumerKeyFingerprint(consumerKey) },
    profile,
  );
}

export interface StoredOAuthLogin {
  issuer: string;
  clientId: string;
  token: TokenSet;
  profile?: string;
  resource?: string;
}

/** Writes a logged-in OAuth profile (profiles/<name>.json plus a 0600 token file); returns the token file's path. */
export async function writeOAuthLogin(configDir: string, login: StoredOAuthLogin): Promise<string> {
  const tokenFile = join(configDir, 'tokens.json');
  const profile: Profile = {
    provider: 'oauth2',
    issuer: login.issuer,
    clientId: login.clientId,
    ...(login.resource === undefined ? {} : { resource: login.resource }),
    store: 'file',
    tokenFile,
  };
  const name = login.profile ?? 'default';
  await new FileTokenStore({ path: tokenFile }).set(storageKeyOf(profile, name), encodeTokenSet(login.token));
  await writeProfile({ AUTHMACHINE_CONFIG_DIR: configDir }, name, profile);
  return tokenFile;
}
