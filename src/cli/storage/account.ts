/**
 * The account a command acts on: a profile's name and saved settings, its token store, its store
 * key and the lock that makes renewing its login single-flight across authmachine processes.
 * Loads no HTTP library and no machine: `status` and `token` start from here.
 */
import type { Lock, TokenStore } from '../../../adapters/contracts.js';
import { AuthError } from '../../../adapters/errors.js';
import { oauth2StorageKey, storageKey } from '../../storage-key.js';
import type { CliIO } from '../output/io.js';
import { targetOfProfile, targetProtocolOptions } from '../flows/oauth-target.js';
import { DEFAULT_PROFILE, profileName, readProfile, type Profile } from './profile.js';
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

/** How a "not logged in" error tells the person to log in. */
export interface LoginHint {
  /** The command to run, before its --profile flag (default `authmachine login`). */
  command?: string;
  /** Said after it, e.g. " (or `authmachine demo`)". */
  orElse?: string;
}

/**
 * The profile named by --profile / $AUTHMACHINE_PROFILE (else "default") for `command` (which a
 * bad name's message names); ERR_NOT_LOGGED_IN when it has no saved login.
 */
export async function openAccount(option: unknown, io: CliIO, command: string, hint: LoginHint = {}): Promise<Account> {
  const name = profileName(option, io.env, command);
  const profile = await readProfile(io.env, name);
  if (!profile) {
    const command = loginCommand(name, hint.command);
    throw new AuthError(
      'ERR_NOT_LOGGED_IN',
      `Not logged in${profileNote(name)}. Run \`${command}\`${hint.orElse ?? ''}.`,
    );
  }
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

/**
 * The login command for profile `name`: `authmachine login --profile work`, or plain
 * `authmachine login` for the default one (which a plain `login` would log in instead).
 */
export function loginCommand(name: string, command = 'authmachine login'): string {
  return `${command}${name === DEFAULT_PROFILE ? '' : ` --profile ${name}`}`;
}

/** " (profile work)" for a named profile, nothing for the default one. */
export function profileNote(name: string): string {
  return name === 'default' ? '' : ` (profile ${name})`;
}
