/**
 * `authmachine login` with no server named (no --issuer, --provider, --*-endpoint, --base-url or
 * Pocket option) on a profile an OAuth login saved: logs in again to that same server, with the
 * saved client, scope, resource, store and files, as `login` already does for a saved Pocket
 * login. So "Run `authmachine login` again", which every expired-login message says, does that,
 * instead of starting a Pocket login that asks for a consumer key. Options given still win.
 */
import type { ParsedArgs } from '../command.js';
import type { Profile } from '../storage/profile.js';
import { ENDPOINT_FLAGS, wantsOAuth } from '../flows/oauth-target.js';

type OAuthProfile = Extract<Profile, { provider: 'oauth2' }>;

/** Options that choose the server or Pocket: with any of them, the saved login is not reused. */
const CHOOSES_SERVER = ['base-url', 'consumer-key-file', 'manual'];

/** True when the command line names a server (OAuth or Pocket) of its own. */
export function namesServer(args: ParsedArgs): boolean {
  return wantsOAuth(args) || CHOOSES_SERVER.some((name) => args.values[name] !== undefined);
}

/** The command line with the saved OAuth login's settings under it, or null when it names its own server. */
export function withSavedOAuthLogin(args: ParsedArgs, saved: Profile | null): ParsedArgs | null {
  if (saved?.provider !== 'oauth2' || namesServer(args)) return null;
  const values = savedValues(saved);
  // Another store asked for: the saved token file is not for it.
  if (args.values['store'] !== undefined && args.values['store'] !== 'file') delete values['token-file'];
  return { ...args, values: { ...values, ...definedOnly(args.values) } };
}

/** The saved login as the flags that would make it again. */
function savedValues(profile: OAuthProfile): ParsedArgs['values'] {
  const values: ParsedArgs['values'] = { 'client-id': profile.clientId, store: profile.store };
  if (profile.preset !== undefined) {
    values['provider'] = profile.preset;
    if (profile.tenant !== undefined) values['tenant'] = profile.tenant;
    if (profile.baseUrl !== undefined) values['base-url'] = profile.baseUrl;
  } else if (profile.endpoints !== undefined) {
    for (const [flag, key] of Object.entries(ENDPOINT_FLAGS)) {
      const url = profile.endpoints[key];
      if (url !== undefined) values[flag] = url;
    }
    if (profile.discover !== false) values['issuer'] = profile.issuer;
  } else values['issuer'] = profile.issuer;
  const files = {
    'token-file': profile.tokenFile,
    'ca-file': profile.caFile,
    'client-secret-file': profile.clientSecretFile,
  };
  for (const [flag, value] of Object.entries({ ...files, scope: profile.scope, resource: profile.resource })) {
    if (value !== undefined) values[flag] = value;
  }
  return values;
}

function definedOnly(values: ParsedArgs['values']): ParsedArgs['values'] {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
