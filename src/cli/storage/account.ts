/**
 * The account a command acts on: a profile's name and saved settings, its token store, its store
 * key and the lock that makes renewing its login single-flight across authmachine processes.
 * Loads no HTTP library and no machine: `status` and `token` start from here.
 */
import type { Lock, TokenStore } from '../../../adapters/contracts.js';
import { oauth2StorageKey, storageKey } from '../../storage-key.js';
import type { CliIO } from '../output/io.js';
import { targetOfProfile, targetProtocolOptions } from '../flows/oauth-target.js';
import { notLoggedIn } from './login-needed.js';
import { profileName, readProfile, type Profile } from './profile.js';
import { openLock, openStore } from './stores.js';

export interface Account {
  name: string;
  profile: Profile;
  store: TokenStore;
  /** The login's store entry: provider, issuer or base URL, client, profile. */
  storageKey: string;
  /** null with the memory store (nothing outlives this process). */
  lock: Lock | null;
}

export function accountOf(name: string, profile: Profile, env: NodeJS.ProcessEnv): Account {
  return {
    name,
    profile,
    store: openStore(profile.store, profile.tokenFile, env),
    storageKey: storageKeyOf(profile, name),
    lock: openLock(profile.store, env),
  };
}

/**
 * The profile named by --profile / $AUTHMACHINE_PROFILE (else "default") for `command` (which a
 * bad name's message names).
 *
 * @throws UsageError for a bad name; AuthError ERR_NOT_LOGGED_IN when the profile has no saved
 *   login (login-needed.ts).
 */
export async function openAccount(option: unknown, io: CliIO, command: string): Promise<Account> {
  const name = profileName(option, io.env, command);
  const profile = await readProfile(io.env, name);
  if (!profile) throw notLoggedIn(name);
  return accountOf(name, profile, io.env);
}

/**
 * The store key of a profile's login, by the library's rule (storage-key.ts): provider, issuer
 * (else token endpoint) or Pocket base URL, client, profile. Contains no secret.
 */
export function storageKeyOf(profile: Profile, name: string): string {
  if (profile.provider === 'pocket')
    return storageKey({ protocol: 'pocket', server: profile.baseUrl, client: profile.keyFingerprint, profile: name });
  return oauth2StorageKey({
    ...targetProtocolOptions(targetOfProfile(profile)),
    clientId: profile.clientId,
    profile: name,
  });
}

/**
 * Where the CLI keeps Pocket's consumer key: in the token store next to the token, under a key
 * named by the consumer key's fingerprint (consumerKeyFingerprint in storage-key.ts).
 */
export const consumerKeyEntry = (fingerprint: string) => `pocket-consumer-key:${fingerprint}`;
