/**
 * For data commands: the Pocket login saved by `authmachine login`, loaded from the store
 * without a browser. Fails with ERR_NOT_LOGGED_IN (exit 3) rather than starting a login.
 */
import { AuthError } from '../../adapters/errors.js';
import type { CliIO } from './io.js';
import { pocketFlow, pocketFromProfile, type PocketFlow } from './pocket-flow.js';
import { readProfile } from './profile.js';

export async function openStoredPocket(io: CliIO): Promise<PocketFlow> {
  const profile = await readProfile(io.env);
  if (!profile) throw new AuthError('ERR_NOT_LOGGED_IN', 'Not logged in. Run `authmachine login` (or `authmachine demo`).');
  const { store, consumerKey, baseUrl } = await pocketFromProfile(profile, io);
  const { flow, protocol } = pocketFlow({ baseUrl, consumerKey, store, noBrowser: true }, io);
  if ((await store.get(protocol.storageKey)) === null) {
    flow.stop();
    throw new AuthError('ERR_NOT_LOGGED_IN', 'Not logged in to Pocket. Run `authmachine login`.');
  }
  await flow.login();
  return flow;
}
