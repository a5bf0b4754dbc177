import type { Command } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { write } from '../io.js';
import { configDir, readProfile } from '../profile.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { summaryOf } from '../registry.js';

export const logout: Command = {
  name: 'logout',
  summary: summaryOf('logout'),
  usage: 'authmachine logout [--json]',
  details: 'Pocket has no revocation: its token is deleted here (revoke the app on Pocket\'s site to end it there).\nOAuth providers that offer RFC 7009 revocation are told first; the token is deleted here either way.',
  options: { ...JSON_OPTION },
  async run(args, io) {
    const profile = await readProfile(io.env);
    if (!profile) {
      await write(io.stdout, args.values['json'] ? '{"loggedOut":false}\n' : 'Not logged in; nothing to do.\n');
      return EXIT.ok;
    }
    let where: string;
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
      where = `Pocket (token deleted from ${store.location})`;
    } else {
      const { oauthFromProfile } = await import('../oauth-flow.js');
      const { flow, store, revocable } = await oauthFromProfile(profile, io);
      try {
        await flow.logout();
      } finally {
        flow.stop();
      }
      where = `${profile.issuer} (${revocable ? 'revoked, and ' : ''}token deleted from ${store.location})`;
    }
    await rm(join(configDir(io.env), 'profile.json'), { force: true });
    await write(io.stdout, args.values['json'] ? `${JSON.stringify({ loggedOut: true, provider: profile.provider })}\n` : `Logged out of ${where}.\n`);
    return EXIT.ok;
  },
};
