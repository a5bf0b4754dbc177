/**
 * GitHub (OAuth apps and GitHub Apps acting for a user), from GitHub's "Authorizing OAuth apps"
 * documentation: no discovery document, fixed endpoints under /login, the device flow, PKCE S256,
 * the client secret as a form member, answers that are form-encoded unless JSON is asked for and
 * errors sent with HTTP 200. No ID token, no RFC 7009 revocation endpoint.
 */
import { baseUrlOf } from './base-url.js';
import type { PresetInput, ProviderSettings } from './types.js';

export const GITHUB_URL = 'https://github.com';
export const GITHUB_API = 'https://api.github.com';

export function github(input: PresetInput): ProviderSettings {
  const base = baseUrlOf(input.baseUrl, GITHUB_URL);
  return {
    provider: 'github',
    baseUrl: base,
    endpoints: {
      authorization: `${base}/login/oauth/authorize`,
      token: `${base}/login/oauth/access_token`,
      deviceAuthorization: `${base}/login/device/code`,
    },
    scope: 'read:user',
    prompt: null,
    clientAuthMethod: 'client_secret_post',
    // GitHub Enterprise Server and test servers answer the API on the same host.
    resource: base === GITHUB_URL ? GITHUB_API : base,
    device: true,
  };
}
