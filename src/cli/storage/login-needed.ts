/**
 * The one rule for commands that use a stored login and never start one (`token`, `call`,
 * `items`, `add`, `archive`): no saved profile, or no usable token in its store, is
 * ERR_NOT_LOGGED_IN; a login the provider or the store refused (ERR_TOKEN_INVALID) keeps its
 * code. Both exit 3 and end with the exact login command, with `--profile NAME` for a profile
 * other than the default, so a person with several logins knows which one to log in again.
 * Loads no HTTP library and no machine: `token` starts from here.
 */
import { AuthError, isAuthError } from '../../../adapters/errors.js';
import { DEFAULT_PROFILE } from './profile.js';

/**
 * The login command for profile `name`: `authmachine login --profile work`, or plain
 * `authmachine login` for the default one (which a plain `login` would log in instead).
 */
export function loginCommand(name: string): string {
  return `authmachine login${name === DEFAULT_PROFILE ? '' : ` --profile ${name}`}`;
}

/** " (profile work)" for a named profile, nothing for the default one. */
export function profileNote(name: string): string {
  return name === DEFAULT_PROFILE ? '' : ` (profile ${name})`;
}

/** Why there is no login to use. */
export type NoLogin = 'none' | 'ended';

/** ERR_NOT_LOGGED_IN for profile `name`: never saved ('none'), or its login is gone or expired ('ended'). */
export function notLoggedIn(name: string, why: NoLogin = 'none', cause?: unknown): AuthError {
  const state =
    why === 'none' ? `Not logged in${profileNote(name)}` : `The login${profileNote(name)} has expired or ended`;
  return new AuthError('ERR_NOT_LOGGED_IN', `${state}. Run \`${loginCommand(name)}\`.`, cause ? { cause } : {});
}

/** A message's own "Log in again." ending, which the exact command replaces. */
const LOG_IN_AGAIN = /\s*Log in again\.$/;

/**
 * `error` said by the rule above for profile `name`: ERR_TOKEN_INVALID (the login was refused:
 * revoked, expired, removed) with the login command at the end of its message, code, status and
 * provider code kept; ERR_NOT_LOGGED_IN from the flow (its login vanished meanwhile) as
 * notLoggedIn(name, 'ended'); any other error, or one that already names the command, as it is.
 */
export function namingLogin(error: unknown, name: string): unknown {
  const command = `\`${loginCommand(name)}\``;
  if (!isAuthError(error) || error.message.includes(command)) return error;
  if (error.code === 'ERR_NOT_LOGGED_IN') return notLoggedIn(name, 'ended', error);
  if (error.code !== 'ERR_TOKEN_INVALID') return error;
  const text = error.message.replace(LOG_IN_AGAIN, '');
  const { retryable, status, providerCode, retryAfterMs } = error;
  return new AuthError('ERR_TOKEN_INVALID', `${text} To log in again, run ${command}.`, {
    retryable,
    cause: error,
    ...(status === undefined ? {} : { status }),
    ...(providerCode === undefined ? {} : { providerCode }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** A flow that can take up a stored login without signing in. */
interface Resumable<T> {
  resume(): Promise<T | null>;
  stop(): void;
}

/**
 * Runs `use` on `flow` with profile `name`'s stored login, then stops the flow. resume(), never
 * login(): a login that vanished meanwhile must not start a new one here. No stored login:
 * ERR_NOT_LOGGED_IN; a refused one: ERR_TOKEN_INVALID naming the login command (namingLogin).
 */
export async function withStoredLogin<T, R>(
  flow: Resumable<T>,
  name: string,
  use: (resumed: T) => Promise<R>,
): Promise<R> {
  try {
    const resumed = await flow.resume();
    if (resumed === null) throw notLoggedIn(name, 'ended');
    return await use(resumed);
  } catch (error) {
    throw namingLogin(error, name);
  } finally {
    flow.stop();
  }
}
