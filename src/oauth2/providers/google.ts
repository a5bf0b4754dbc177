/**
 * Google, from "OAuth 2.0 for Mobile & Desktop Apps" and "for TV and Limited-Input Device
 * Applications": discovery at accounts.google.com, installed-app clients with a client secret, a
 * refresh token only with access_type=offline (there is no offline_access scope) and only on the
 * first consent, a device endpoint that names the page `verification_url`, and ID tokens whose
 * `iss` may be the issuer without its scheme.
 */
import { baseUrlOf } from './base-url.js';
import type { PresetInput, ProviderSettings } from './types.js';

export const GOOGLE_ISSUER = 'https://accounts.google.com';
export const GOOGLE_API = 'https://www.googleapis.com';

export function google(input: PresetInput): ProviderSettings {
  const issuer = baseUrlOf(input.baseUrl, GOOGLE_ISSUER);
  return {
    provider: 'google',
    baseUrl: issuer,
    issuer,
    scope: 'openid email profile',
    // prompt=consent would make every login a first consent; the stored refresh token is kept instead.
    prompt: null,
    authorizationParams: { access_type: 'offline' },
    habits: { acceptVerificationUrl: true, idTokenIssuerAliases: [new URL(issuer).host] },
    resource: issuer === GOOGLE_ISSUER ? GOOGLE_API : issuer,
    device: true,
  };
}
