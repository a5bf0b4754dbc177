/**
 * For data commands: the Pocket login of a profile, loaded from the store without a browser, by
 * the rule of login-needed.ts (exit 3 and the login command to run, never a new login).
 */
import { openAccount } from '../storage/account.js';
import { withStoredLogin } from '../storage/login-needed.js';
import type { CliIO } from '../output/io.js';
import { pocketFlow, pocketFromProfile, type PocketFlow } from './pocket.js';

/**
 * Runs `use` with the stored Pocket login of the profile `command` names (`profile`: --profile
 * as given, else $AUTHMACHINE_PROFILE, else "default"), then stops its flow.
 *
 * @throws AuthError ERR_NOT_LOGGED_IN without a stored login; ERR_TOKEN_INVALID, naming the login
 *   command, when Pocket refuses it; whatever `use` throws otherwise.
 */
export async function withStoredPocket<R>(
  io: CliIO,
  command: string,
  profile: unknown,
  use: (flow: PocketFlow) => Promise<R>,
): Promise<R> {
  const account = await openAccount(profile, io, command);
  const { flow } = pocketFlow(await pocketFromProfile(account), io);
  return withStoredLogin(flow, account.name, () => use(flow));
}
