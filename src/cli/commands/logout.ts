import type { Command } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { write } from '../io.js';
import { configDir, readProfile } from '../profile.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { summaryOf } from '../registry.js';
import { AuthError } from '../../../adapters/errors.js';

export const logout: Command = {
  name: 'logout',
  summary: summaryOf('logout'),
  usage: 'authmachine logout [--json]',
  details: 'Pocket has no revocation: its token is deleted here (revoke the app on Pocket\'s site to end it there).\nOAuth providers that offer RFC 7009 revocation are told first; the token is deleted here either way.\nIt says "revoked" only when the provider answered 200; otherwise the token may stay valid there until it expires.',
  options: { ...JSON_OPTION },
  async run(args, io) {
    const profile = await readProfile(io.env);
    if (!profile) {
      await write(io.stdout, args.values['json'] ? '{"loggedOut":false}\n' : 'Not logged in; nothing to do.\n');
      return EXIT.ok;
    }
    let where: string;
    let revoked = false;
    if (profile.provider === 'pocket') {
      const { pocketFromProfile, pocketFlow } = await import('../pocket-flow.js');
      const { consumerKeyEntry } = await import('../pocket-keys.js');
      const { store, consumerKey, baseUrl } = await pocketFromProfile(profile, io);
      const { flow } = pocketFlow({ baseUrl, consumerKey, store, noBrowser: true }, io);
      try {
        await flow.logout();
      } finally {
        flow.stop();
      }
      await store.delete(consumerKeyEntry(profile.keyFingerprint));
      where = `Pocket: the token was deleted from ${store.location}, but Pocket offers no revocation, so it stays valid there until you remove the app in Pocket's settings`;
    } else {
      const { oauthFromProfile } = await import('../oauth-flow.js');
      const { flow, store, revocable, storageKey } = await oauthFromProfile(profile, io);
      let told: string | null = null;
      try {
        // Only a usable token is sent for revocation; "revoked" is said only after a 200 (RFC 7009 §2.2).
        const hadToken = (await flow.resume().catch(() => null)) !== null;
        await flow.logout().catch(async (error: unknown) => {
          // The token is deleted here before the provider's answer counts: if it is gone, only the
          // provider could not be told, and there is nothing left to retry that with.
          if (!(error instanceof AuthError) || error.code.startsWith('ERR_STORAGE') || (await store.get(storageKey)) !== null) throw error;
          told = `the provider could not be told (${error.message.replace(/\.$/, '')})`;
        });
        if (told === null) told = !revocable ? 'the provider offers no revocation endpoint' : hadToken ? '' : 'there was no usable token to revoke';
      } finally {
        flow.stop();
      }
      revoked = told === '';
      where = revoked
        ? `${profile.issuer} (revoked at the provider, and deleted from ${store.location})`
        : `${profile.issuer}: the token was deleted from ${store.location}, but ${told}, so it may stay valid there until it expires`;
    }
    await rm(join(configDir(io.env), 'profile.json'), { force: true });
    await write(io.stdout, args.values['json'] ? `${JSON.stringify({ loggedOut: true, provider: profile.provider, revoked })}\n` : `Logged out of ${where}.\n`);
    return EXIT.ok;
  },
};
