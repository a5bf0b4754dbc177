/**
 * The slow path of `authmachine token`, loaded only when the stored token needs renewing: the
 * machine with the OAuth protocol, under the account's lock (single-flight across processes).
 * Never starts a login and never opens a browser.
 */
import { AuthError } from '../../../adapters/errors.js';
import type { TokenSet } from '../../../machines/types.js';
import { profileNote, type Account } from '../storage/account.js';
import type { CliIO } from '../output/io.js';
import { oauthFlow, oauthOptionsFromProfile } from './oauth.js';

export async function renewToken(account: Account, io: CliIO, refreshSkewMs: number): Promise<TokenSet> {
  if (account.profile.provider !== 'oauth2') {
    throw new AuthError(
      'ERR_TOKEN_INVALID',
      `The Pocket login${profileNote(account.name)} cannot be renewed. Run \`authmachine login\` again.`,
    );
  }
  const { flow } = oauthFlow({ ...oauthOptionsFromProfile(account, io), refreshSkewMs }, io);
  try {
    if ((await flow.resume()) === null) {
      throw new AuthError(
        'ERR_TOKEN_INVALID',
        `The login to ${account.profile.issuer}${profileNote(account.name)} has expired. Run \`authmachine login\` again.`,
      );
    }
    return await flow.freshToken();
  } finally {
    flow.stop();
  }
}
