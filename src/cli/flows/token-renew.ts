/**
 * The slow path of `authmachine token`, loaded only when the stored token needs renewing: the
 * machine with the OAuth protocol, under the account's lock (single-flight across processes).
 * Never starts a login and never opens a browser; waits for a login another process is completing.
 */
import { AuthError, isAuthError } from '../../../adapters/errors.js';
import type { TokenSet } from '../../../machines/types.js';
import { waitingText } from '../login/progress.js';
import { cancelOnSignal } from '../login/run.js';
import type { CliIO } from '../output/io.js';
import { loginCommand, profileNote, type Account } from '../storage/account.js';
import { oauthFlow, oauthOptionsFromProfile } from './oauth.js';

export async function renewToken(
  account: Account,
  io: CliIO,
  refreshSkewMs: number,
  loginWaitMs: number,
): Promise<TokenSet> {
  if (account.profile.provider !== 'oauth2') {
    throw new AuthError(
      'ERR_TOKEN_INVALID',
      `The Pocket login${profileNote(account.name)} cannot be renewed. Run \`${loginCommand(account.name)}\` again.`,
    );
  }
  const issuer = account.profile.issuer;
  const { flow } = oauthFlow({ ...oauthOptionsFromProfile(account, io), refreshSkewMs, loginWaitMs }, io);
  const waiting = flow.on('waitingForLogin', (e) => void io.stderr.write(`${waitingText(e.holder)}\n`));
  const stopSignals = cancelOnSignal(() => flow.cancel());
  try {
    // Never a sign-in: the stored login, or the one another process completes while we wait.
    await flow.login({ signIn: false }).catch((error: unknown) => {
      if (!isAuthError(error, 'ERR_NOT_LOGGED_IN')) throw error;
      throw new AuthError(
        'ERR_TOKEN_INVALID',
        `The login to ${issuer}${profileNote(account.name)} has expired or ended. Run \`${loginCommand(account.name)}\` again.`,
      );
    });
    return await flow.freshToken();
  } finally {
    stopSignals();
    waiting.unsubscribe();
    flow.stop();
  }
}
