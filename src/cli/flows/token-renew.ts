/**
 * The slow path of `authmachine token`, loaded only when the stored token needs renewing: the
 * machine with the OAuth protocol, under the account's lock (single-flight across processes).
 * Never starts a login and never opens a browser; waits for a login another process is completing.
 * Its failures follow login-needed.ts: no stored login is ERR_NOT_LOGGED_IN, a refused one
 * ERR_TOKEN_INVALID, both ending with the profile's login command.
 */
import { AuthError } from '../../../adapters/errors.js';
import type { TokenSet } from '../../../machines/types.js';
import { waitingText } from '../login/progress.js';
import { cancelOnSignal } from '../login/run.js';
import type { CliIO } from '../output/io.js';
import type { Account } from '../storage/account.js';
import { namingLogin } from '../storage/login-needed.js';
import { oauthFlow, oauthOptionsFromProfile } from './oauth.js';

export async function renewToken(
  account: Account,
  io: CliIO,
  refreshSkewMs: number,
  loginWaitMs: number,
): Promise<TokenSet> {
  if (account.profile.provider !== 'oauth2') {
    throw namingLogin(new AuthError('ERR_TOKEN_INVALID', 'A Pocket login cannot be renewed.'), account.name);
  }
  const { flow } = oauthFlow({ ...oauthOptionsFromProfile(account, io), refreshSkewMs, loginWaitMs }, io);
  const waiting = flow.on('waitingForLogin', (e) => void io.stderr.write(`${waitingText(e.holder)}\n`));
  const stopSignals = cancelOnSignal(() => flow.cancel());
  try {
    // Never a sign-in: the stored login, or the one another process completes while we wait.
    await flow.login({ signIn: false });
    return await flow.freshToken();
  } catch (error) {
    throw namingLogin(error, account.name);
  } finally {
    stopSignals();
    waiting.unsubscribe();
    flow.stop();
  }
}
