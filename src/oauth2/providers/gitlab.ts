/**
 * GitLab (gitlab.com or self-hosted), from its OAuth 2.0 identity provider API documentation:
 * OpenID discovery at the instance root, the authorization code flow with PKCE, refresh tokens
 * that rotate on every use, RFC 7009 revocation, and the device grant (GitLab 17.1 and later).
 */
import { baseUrlOf } from './base-url.js';
import type { PresetInput, ProviderSettings } from './types.js';

export const GITLAB_URL = 'https://gitlab.com';

export function gitlab(input: PresetInput): ProviderSettings {
  const issuer = baseUrlOf(input.baseUrl, GITLAB_URL);
  return {
    provider: 'gitlab',
    baseUrl: issuer,
    issuer,
    // GitLab has no offline_access scope: it always issues a refresh token.
    scope: 'openid profile read_user',
    prompt: null,
    resource: issuer,
    device: true,
  };
}
