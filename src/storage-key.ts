/**
 * Token-store keys: the one rule that names a login's entry (and its lock) in a token store. The
 * protocols use it for their own key; a host with several accounts per client (the CLI's
 * profiles) adds the account through the same rule. A key never holds a secret: a Pocket
 * consumer key appears only as its fingerprint.
 */
import { AuthError } from '../adapters/errors.js';

/** What a storage key is made of. Every part is public. */
export interface StorageKeyParts {
  /** Which protocol the login speaks. */
  protocol: 'oauth2' | 'pocket';
  /**
   * Which server: an OAuth issuer (else its token endpoint, for a server without metadata), or a
   * Pocket base URL. The Pocket protocol's own key leaves it out.
   */
  server?: string;
  /** Which client: an OAuth client id, or a Pocket consumer key's {@link consumerKeyFingerprint}. */
  client: string;
  /** Which account, for a host that keeps several logins per client (the CLI's `--profile`). */
  profile?: string;
}

/**
 * The token-store key of a login: `<protocol>:[<server>#]<client>[#profile=<profile>]`.
 *
 * @example
 * storageKey({ protocol: 'oauth2', server: 'https://id.example.com', client: 'my-cli', profile: 'work' });
 * // 'oauth2:https://id.example.com#my-cli#profile=work'
 */
export function storageKey(parts: StorageKeyParts): string {
  const server = parts.server === undefined ? '' : `${parts.server}#`;
  const profile = parts.profile === undefined ? '' : `#profile=${parts.profile}`;
  return `${parts.protocol}:${server}${parts.client}${profile}`;
}

/**
 * The key of an OAuth 2.0 / OIDC login: the issuer, else (no discovery) the token endpoint, and
 * the client id. It is the protocol's own `storageKey` when `profile` is left out.
 *
 * @throws AuthError ERR_CONFIG when neither an issuer nor a token endpoint is given.
 * @see RFC 8414 section 2 (the issuer identifies the authorization server)
 */
export function oauth2StorageKey(login: {
  issuer?: string;
  endpoints?: { token?: string };
  clientId: string;
  profile?: string;
}): string {
  const server = login.issuer ?? login.endpoints?.token;
  if (server === undefined)
    throw new AuthError('ERR_CONFIG', 'Either issuer (for discovery) or endpoints is required.');
  return storageKey({
    protocol: 'oauth2',
    server,
    client: login.clientId,
    ...(login.profile === undefined ? {} : { profile: login.profile }),
  });
}

/** The first 16 hex digits of SHA-256(consumer key): names a Pocket app without revealing its key. */
export function consumerKeyFingerprint(consumerKey: string): string {
  // node:crypto is loaded on first use: an OAuth login's key needs no hash, and `token` starts fast.
  const { createHash } = process.getBuiltinModule('node:crypto');
  return createHash('sha256').update(consumerKey, 'utf8').digest('hex').slice(0, 16);
}

/** The Pocket protocol's own key: "pocket:" + the {@link consumerKeyFingerprint}; stable, short, not reversible. */
export function pocketStorageKey(consumerKey: string): string {
  return storageKey({ protocol: 'pocket', client: consumerKeyFingerprint(consumerKey) });
}
