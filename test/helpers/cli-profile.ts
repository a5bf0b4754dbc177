/**
 * Writes a logged-in Pocket profile for the CLI without running a login: profile.json plus a
 * 0600 token file, in the CLI's own formats (profile.ts, pocket-flow.ts, token-codec.ts), so a
 * later `authmachine items` or `status` in that config dir finds a usable login.
 */
import { join } from 'node:path';
import { FileTokenStore } from '../../adapters/file-store.js';
import { encodeTokenSet } from '../../src/flow/token-codec.js';
import { consumerKeyEntry, fingerprintOf } from '../../src/cli/pocket-keys.js';
import { writeProfile } from '../../src/cli/profile.js';
import { pocketStorageKey } from '../../src/pocket/protocol.js';

export interface StoredPocketLogin {
  baseUrl: string;
  consumerKey: string;
  accessToken: string;
  username: string;
}

/** Returns the token file's path. */
export async function writePocketLogin(configDir: string, login: StoredPocketLogin): Promise<string> {
  const tokenFile = join(configDir, 'tokens.json');
  const fingerprint = fingerprintOf(login.consumerKey);
  const store = new FileTokenStore({ path: tokenFile });
  await store.set(consumerKeyEntry(fingerprint), login.consumerKey);
  await store.set(pocketStorageKey(login.consumerKey), encodeTokenSet({ accessToken: login.accessToken, username: login.username }));
  await writeProfile({ AUTHMACHINE_CONFIG_DIR: configDir }, { provider: 'pocket', baseUrl: login.baseUrl, store: 'file', tokenFile, keyFingerprint: fingerprint });
  return tokenFile;
}
