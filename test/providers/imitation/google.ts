/**
 * Google as "OAuth 2.0 for Mobile & Desktop Apps" and "for TV and Limited-Input Device
 * Applications" describe it: OpenID discovery, installed-app clients with a client secret that
 * the token endpoint requires (code, refresh and device grants), Basic or form client
 * authentication, a refresh token only when the request said access_type=offline and only on
 * the first consent, refreshes that return no new refresh token, a device endpoint that names
 * the page verification_url and answers a pending poll with HTTP 428, slow_down with 403, ID
 * tokens whose iss is the issuer without "https://", and revocation at /revoke.
 */
import { startImitation, type Dialect, type ImitationOptions } from './engine.js';

export const GOOGLE_CLIENT_ID = '123456789012-imitation.apps.googleusercontent.com';
export const GOOGLE_CLIENT_SECRET = 'GOCSPX-imitation-secret-0001';

export const googleDialect: Dialect = {
  name: 'google',
  clientId: GOOGLE_CLIENT_ID,
  clientSecret: GOOGLE_CLIENT_SECRET,
  secretFor: ['authorization_code', 'refresh_token', 'device_code'],
  authMethods: ['post', 'basic'],
  paths: {
    discovery: '/.well-known/openid-configuration',
    authorize: '/o/oauth2/v2/auth',
    token: '/token',
    device: '/device/code',
    devicePage: '/device',
    revoke: '/revoke',
    jwks: '/oauth2/v3/certs',
    me: '/oauth2/v3/userinfo',
  },
  discovery: (origin) => ({
    issuer: origin,
    authorization_endpoint: `${origin}/o/oauth2/v2/auth`,
    device_authorization_endpoint: `${origin}/device/code`,
    token_endpoint: `${origin}/token`,
    userinfo_endpoint: `${origin}/oauth2/v3/userinfo`,
    revocation_endpoint: `${origin}/revoke`,
    jwks_uri: `${origin}/oauth2/v3/certs`,
    response_types_supported: [
      'code',
      'token',
      'id_token',
      'code token',
      'code id_token',
      'token id_token',
      'code token id_token',
      'none',
    ],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    code_challenge_methods_supported: ['plain', 'S256'],
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ],
  }),
  errorStatus: (error) => ({ authorization_pending: 428, slow_down: 403, invalid_client: 401 })[error] ?? 400,
  formUnlessJson: false,
  pkceRequired: false,
  deviceUriMember: 'verification_url',
  idTokenIssuer: (origin) => new URL(origin).host,
  issuesRefreshToken: (grant) =>
    grant.kind === 'device' ||
    (grant.kind === 'code' && grant.params.access_type === 'offline' && !grant.consentedBefore),
  rotatesRefreshTokens: false,
  accessTtl: 3599,
  tokenType: 'Bearer',
};

export function startGoogle(options: ImitationOptions = {}) {
  return startImitation(
    googleDialect,
    { id: '110169484474386276334', login: 'ann', name: 'Ann Example', email: 'ann@example.com' },
    options,
  );
}
