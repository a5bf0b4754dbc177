import { AuthError } from '../../../adapters/errors.js';
import { decodeTokenSet } from '../../flow/token-codec.js';
import { pocketStorageKey } from '../../pocket/protocol.js';
import type { Command } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { write } from '../io.js';
import { consumerKeyEntry } from '../pocket-keys.js';
import { readProfile } from '../profile.js';
import { openStore } from '../stores.js';
import { summaryOf } from '../registry.js';

/** Reads the store only: no network, no HTTP library loaded. */
export const status: Command = {
  name: 'status',
  summary: summaryOf('status'),
  usage: 'authmachine status [--json]',
  details: 'Exits 0 when a usable login is stored, 3 when not. Makes no network request.',
  options: { ...JSON_OPTION },
  async run(args, io) {
    const profile = await readProfile(io.env);
    const report = async (info: Record<string, unknown>, text: string, code: number) => {
      await write(io.stdout, args.values['json'] ? `${JSON.stringify(info)}\n` : `${text}\n`);
      return code;
    };
    if (!profile) return report({ loggedIn: false }, 'Not logged in. Run `authmachine login` or `authmachine demo`.', EXIT.needsLogin);
    const store = openStore(profile.store, profile.tokenFile, io.env);
    let key: string;
    let where: string;
    if (profile.provider === 'pocket') {
      const consumerKey = await store.get(consumerKeyEntry(profile.keyFingerprint));
      key = consumerKey ? pocketStorageKey(consumerKey) : '';
      where = `Pocket at ${profile.baseUrl}`;
    } else {
      const { targetOfProfile, targetStorageKey } = await import('../oauth-target.js');
      key = targetStorageKey(targetOfProfile(profile), profile.clientId);
      where = `${profile.issuer} (client ${profile.clientId})`;
    }
    const secret = key ? await store.get(key) : null;
    if (secret === null) return report({ loggedIn: false, provider: profile.provider }, `Not logged in to ${where}.`, EXIT.needsLogin);
    const token = decodeTokenSet(secret, store.location);
    const expired = token.expiresAt !== undefined && token.expiresAt <= Date.now();
    if (expired && !token.refreshToken) throw new AuthError('ERR_TOKEN_INVALID', `The login to ${where} has expired.`);
    const info = {
      loggedIn: true,
      provider: profile.provider,
      username: token.username ?? null,
      store: store.location,
      expiresAt: token.expiresAt ? new Date(token.expiresAt).toISOString() : null,
      refreshable: Boolean(token.refreshToken),
    };
    const expiry = token.expiresAt
      ? `; the access token ${expired ? 'expired' : 'expires'} ${new Date(token.expiresAt).toISOString()}${token.refreshToken ? ' (refreshed automatically)' : ''}`
      : '';
    return report(info, `Logged in to ${where}${token.username ? ` as ${token.username}` : ''}. Token kept in ${store.location}${expiry}.`, EXIT.ok);
  },
};
