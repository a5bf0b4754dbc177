import type { Command } from '../command.js';
import { JSON_OPTION, PROFILE_OPTION } from '../options/common.js';
import { EXIT } from '../output/exit-codes.js';
import { write } from '../output/io.js';
import { accountOf, consumerKeyEntry } from '../storage/account.js';
import { profileNote } from '../storage/login-needed.js';
import { profileName, readProfile, removeProfile } from '../storage/profile.js';
import { isAuthError } from '../../../adapters/errors.js';

export const logout: Command = {
  name: 'logout',
  usage: 'authmachine logout [--profile NAME] [--json]',
  details:
    'Pocket has no revocation: its token is deleted here (revoke the app on Pocket\'s site to end it there).\nOAuth providers that offer RFC 7009 revocation are told first; the token is deleted here either way.\nIt says "revoked" only when the provider answered 200; otherwise the token may stay valid there until it expires.\nOnly the profile\'s own login is touched (--profile, else $AUTHMACHINE_PROFILE, else "default").',
  options: { ...PROFILE_OPTION, ...JSON_OPTION },
  async run(args, io) {
    const name = profileName(args.values['profile'], io.env, 'logout');
    const profile = await readProfile(io.env, name);
    if (!profile) {
      await write(
        io.stdout,
        args.values['json'] ? '{"loggedOut":false}\n' : `Not logged in${profileNote(name)}; nothing to do.\n`,
      );
      return EXIT.ok;
    }
    const account = accountOf(name, profile, io.env);
    let where: string;
    let revoked = false;
    if (profile.provider === 'pocket') {
      const { pocketFromProfile, pocketFlow } = await import('../flows/pocket.js');
      const { flow } = pocketFlow(await pocketFromProfile(account), io);
      try {
        await flow.logout();
      } finally {
        flow.stop();
      }
      // The consumer key is shared by every profile of that Pocket app: keep it while one still uses it.
      const { listProfiles } = await import('../storage/profile.js');
      const others = (await listProfiles(io.env)).filter(
        (p) =>
          p.name !== name &&
          p.profile.provider === 'pocket' &&
          p.profile.keyFingerprint === profile.keyFingerprint &&
          p.profile.store === profile.store,
      );
      if (others.length === 0) await account.store.delete(consumerKeyEntry(profile.keyFingerprint));
      where = `Pocket: the token was deleted from ${account.store.location}, but Pocket offers no revocation, so it stays valid there until you remove the app in Pocket's settings`;
    } else {
      const { oauthFromProfile } = await import('../flows/oauth.js');
      const { flow, store, revocable, storageKey } = await oauthFromProfile(account, io);
      let told: string | null = null;
      try {
        // Only a usable token is sent for revocation; "revoked" is said only after a 200 (RFC 7009 §2.2).
        const hadToken = (await flow.resume().catch(() => null)) !== null;
        await flow.logout().catch(async (error: unknown) => {
          // The token is deleted here before the provider's answer counts: if it is gone, only the
          // provider could not be told, and there is nothing left to retry that with.
          if (!isAuthError(error) || error.code.startsWith('ERR_STORAGE') || (await store.get(storageKey)) !== null)
            throw error;
          told = `the provider could not be told (${error.message.replace(/\.$/, '')})`;
        });
        if (told === null)
          told = !revocable
            ? 'the provider offers no revocation endpoint'
            : hadToken
              ? ''
              : 'there was no usable token to revoke';
      } finally {
        flow.stop();
      }
      revoked = told === '';
      where = revoked
        ? `${profile.issuer} (revoked at the provider, and deleted from ${store.location})`
        : `${profile.issuer}: the token was deleted from ${store.location}, but ${told}, so it may stay valid there until it expires`;
    }
    await removeProfile(io.env, name);
    await write(
      io.stdout,
      args.values['json']
        ? `${JSON.stringify({ loggedOut: true, profile: name, provider: profile.provider, revoked })}\n`
        : `Logged out of ${where}${profileNote(name)}.\n`,
    );
    return EXIT.ok;
  },
};
