/**
 * Profiles: named accounts, each with the non-secret settings its login left behind (provider,
 * issuer or base URL, client, store), so later commands know which login to use. One file per
 * profile: <config dir>/profiles/<name>.json, mode 0600 in 0700 folders. Secrets never go here:
 * tokens and consumer keys live in the token store, under the library's storage key of the
 * provider, the issuer (or Pocket base URL), the client and the profile (see account.ts), so two
 * profiles never share a login.
 */
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { AuthError } from '../../../adapters/errors.js';
import type { OAuth2Endpoints } from '../../oauth2/protocol.js';
import type { ProviderName } from '../../oauth2/providers/types.js';
import { homeDirectory } from '../../../adapters/file-store.js';
import { ensurePrivateDirectory } from '../../../adapters/private-dir.js';
import { UsageError } from '../command.js';
import { readProfileText } from './profile-file.js';

export type StoreKind = 'keychain' | 'file' | 'memory';

export type Profile =
  | {
      provider: 'pocket';
      baseUrl: string;
      store: StoreKind;
      tokenFile?: string;
      keyFingerprint: string;
      /** --ca-file: extra certificate authorities for an https base URL, used by every later command. */
      caFile?: string;
    }
  | ({
      provider: 'oauth2';
      issuer: string;
      clientId: string;
      scope?: string;
      resource?: string;
      store: StoreKind;
      tokenFile?: string;
      /** Where the client secret was read from at login (the secret itself is never saved here). */
      clientSecretFile?: string;
      /** --ca-file: extra certificate authorities for https, used by every later command. */
      caFile?: string;
    } & OAuthTargetFields);

/** The non-secret parts of an OAuth target (see oauth-target.ts) a profile keeps. */
export interface OAuthTargetFields {
  /** false: `issuer` only names the login; the endpoints were given by hand. */
  discover?: false;
  preset?: ProviderName;
  tenant?: string;
  baseUrl?: string;
  endpoints?: OAuth2Endpoints;
}

export const DEFAULT_PROFILE = 'default';
export const PROFILE_ENV = 'AUTHMACHINE_PROFILE';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What a valid profile name looks like, for the messages that refuse one. */
export const PROFILE_NAME_RULE =
  'A profile name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. work, home-2).';

/**
 * The profile a command acts on: --profile, else $AUTHMACHINE_PROFILE (empty counts as unset),
 * else "default". The one place names are checked: they are file names (profiles/<name>.json),
 * so "../x", "a/b", "" or a 65-character name never reach the file system.
 *
 * @param command - The command the person ran (e.g. "token"): the refusal names it, with where
 *   the name came from (the flag or the environment variable), so they know what to fix.
 * @throws UsageError (exit 2) when the name is not valid.
 */
export function profileName(option: unknown, env: NodeJS.ProcessEnv, command: string): string {
  const fromFlag = typeof option === 'string';
  const given = fromFlag ? option : env[PROFILE_ENV] || DEFAULT_PROFILE;
  if (NAME.test(given)) return given;
  const shown = shownName(given);
  throw new UsageError(
    fromFlag
      ? `\`authmachine ${command} --profile ${shown}\`: ${shown} is not a profile name. ${PROFILE_NAME_RULE}`
      : `\`authmachine ${command}\`: $${PROFILE_ENV} is ${shown}, which is not a profile name. ${PROFILE_NAME_RULE} Change or unset $${PROFILE_ENV}, or give --profile NAME.`,
    command,
  );
}

/** The name quoted, control characters escaped, and cut short when long. */
function shownName(given: string): string {
  if (given.length <= 40) return JSON.stringify(given);
  return `${JSON.stringify(given.slice(0, 40)).slice(0, -1)}..." (${given.length} characters)`;
}

/** $AUTHMACHINE_CONFIG_DIR, else $XDG_CONFIG_HOME/authmachine, else ~/.config/authmachine; always absolute. */
export function configDir(env: NodeJS.ProcessEnv): string {
  const own = env['AUTHMACHINE_CONFIG_DIR'];
  if (own) return resolve(own);
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && isAbsolute(xdg) ? xdg : join(homeDirectory(env), '.config');
  return join(base, 'authmachine');
}

const profilesDir = (env: NodeJS.ProcessEnv) => join(configDir(env), 'profiles');
const fileOf = (env: NodeJS.ProcessEnv, name: string) => join(profilesDir(env), `${name}.json`);

/**
 * The saved profile `name`, or null when there is none.
 *
 * @throws AuthError ERR_STORAGE when the file or its folder is not safely yours (profile-file.ts);
 *   ERR_CONFIG when it is not a profile authmachine wrote.
 */
export async function readProfile(env: NodeJS.ProcessEnv, name: string): Promise<Profile | null> {
  const path = fileOf(env, name);
  const text = await readProfileText(path);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isProfile(parsed)) {
    throw new AuthError('ERR_CONFIG', `${path} is not a profile authmachine saved. Delete it and log in again.`);
  }
  return parsed;
}

const STORES: readonly unknown[] = ['keychain', 'file', 'memory'] satisfies StoreKind[];
const OPTIONAL_STRINGS = ['tokenFile', 'caFile', 'clientSecretFile', 'scope', 'resource'] as const;

/** The fields later commands rely on, with their types: a hand-edited or truncated file is not half-used. */
function isProfile(value: unknown): value is Profile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const fields = value as Record<string, unknown>;
  if (!STORES.includes(fields['store'])) return false;
  if (OPTIONAL_STRINGS.some((key) => fields[key] !== undefined && typeof fields[key] !== 'string')) return false;
  const nonEmpty = (key: string) => typeof fields[key] === 'string' && fields[key] !== '';
  if (fields['provider'] === 'pocket') return nonEmpty('baseUrl') && nonEmpty('keyFingerprint');
  return fields['provider'] === 'oauth2' && nonEmpty('issuer') && nonEmpty('clientId');
}

/** Saves a profile's settings atomically; a relative token file is stored absolute. */
export async function writeProfile(env: NodeJS.ProcessEnv, name: string, profile: Profile): Promise<string> {
  const dir = profilesDir(env);
  await ensurePrivateDirectory(dir);
  const path = fileOf(env, name);
  const saved = profile.tokenFile === undefined ? profile : { ...profile, tokenFile: resolve(profile.tokenFile) };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
  return path;
}

export async function removeProfile(env: NodeJS.ProcessEnv, name: string): Promise<void> {
  await rm(fileOf(env, name), { force: true });
}

/** The names of the saved profiles, sorted, without reading them. */
export async function listProfileNames(env: NodeJS.ProcessEnv): Promise<string[]> {
  let files: string[];
  try {
    files = await readdir(profilesDir(env));
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter((n) => NAME.test(n))
    .sort();
}

/** Every saved profile, by name. */
export async function listProfiles(env: NodeJS.ProcessEnv): Promise<Array<{ name: string; profile: Profile }>> {
  const names = await listProfileNames(env);
  const found = await Promise.all(names.map(async (name) => ({ name, profile: await readProfile(env, name) })));
  return found.filter((entry): entry is { name: string; profile: Profile } => entry.profile !== null);
}
