/**
 * For data commands: the Pocket login of a profile, loaded from the store without a browser.
 * Fails with ERR_NOT_LOGGED_IN (exit 3) rather than starting a login.
 */
import { AuthError } from '../../../adapters/errors.js';
import { openAccount, loginCommand, profileNote } from '../storage/account.js';
import type { CliIO } from '../output/io.js';
import { pocketFlow, pocketFromProfile, type PocketFlow } from './pocket.js';

/** `profile`: the --profile option as given (else $AUTHMACHINE_PROFILE, else "default"). */
export async function openStoredPocket(io: CliIO, command: string, profile?: unknown): Promise<PocketFlow> {
  const account = await openAccount(profile, io, command, { orElse: ' (or `authmachine demo`)' });
  const { flow } = pocketFlow(await pocketFromProfile(account), io);
  // resume(), not login(): a login that vanished meanwhile must not start a new one here.
  const resumed = await flow.resume().catch((error: unknown) => {
    flow.stop();
    throw error;
  });
  if (resumed === null) {
    flow.stop();
    throw new AuthError(
      'ERR_NOT_LOGGED_IN',
      `Not logged in to Pocket${profileNote(account.name)}. Run \`${loginCommand(account.name)}\`.`,
    );
  }
  return flow;
}
