/** The line `login` ends with, the same for every protocol. */
import type { LoginResult } from '../../flow/auth-flow.js';
import { profileNote } from '../storage/login-needed.js';

/**
 * "Logged in to <server> as <user> (profile p) (how). Token kept in <store>.", where "how" says
 * whether the login is new, the stored one reused, or the one another process just completed.
 */
export function loggedInText(server: string, result: LoginResult, profile: string, storeLocation: string): string {
  const who = result.username ? ` as ${result.username}` : '';
  const how = !result.fromStore
    ? ''
    : result.waitedFor
      ? ' (the login another authmachine process just completed)'
      : ' (stored login reused; use --force for a new one)';
  return `Logged in to ${server}${who}${profileNote(profile)}${how}. Token kept in ${storeLocation}.`;
}
