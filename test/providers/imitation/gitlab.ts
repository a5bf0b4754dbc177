/**
 * GitLab as its OAuth 2.0 identity provider API documentation describes it: OpenID discovery at
 * the instance root, /oauth/authorize, /oauth/token, /oauth/revoke, the device grant at
 * /oauth/authorize_device (GitLab 17.1+); PKCE for clients without a secret; access tokens that
 * expire after two hours, answers that carry created_at, and refresh tokens that rotate: each
 * refresh returns a new one and the old one stops working.
 */
import { startImitation, type Dialect, type ImitationOptions } from './engine.js';

export const GITLAB_CLIENT_ID = 'a3c8f0d2e1b4imitation0001';

export const gitlabDialect: Dialect = {
  name: 'gitlab',
  clientId: GITLAB_CLIENT_ID,
  secretFor: [],
  authMethods: ['post', 'basic'],
  paths: {
    discovery: '/.well-known/openid-configuration',
    authorize: '/oauth/authorize',
    token: '/oauth/token',
    device: '/oauth/authorize_device',
    devicePage: '/oauth/device',
    revoke: '/oauth/revoke',
    jwks: '/oauth/discovery/keys',
    me: '/api/v4/user',
  },
  discovery: (origin) => ({
    issuer: origin,
    authorization_endpoint: `${origin}/oauth/authorize`,
    token_endpoint: `${origin}/oauth/token`,
    revocation_endpoint: `${origin}/oauth/revoke`,
    introspection_endpoint: `${origin}/oauth/introspect`,
    userinfo_endpoint: `${origin}/oauth/userinfo`,
    jwks_uri: `${origin}/oauth/discovery/keys`,
    device_authorization_endpoint: `${origin}/oauth/authorize_device`,
    scopes_supported: ['api', 'read_api', 'read_user', 'openid', 'profile', 'email'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'password', 'client_credentials', 'device_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claim_types_supported: ['normal'],
    claims_supported: [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'sub_legacy',
      'name',
      'nickname',
      'preferred_username',
      'email',
      'email_verified',
      'website',
      'profile',
      'picture',
      'groups',
      'groups_direct',
    ],
    code_challenge_methods_supported: ['plain', 'S256'],
  }),
  errorStatus: (error) => (error === 'invalid_client' ? 401 : 400),
  formUnlessJson: false,
  pkceRequired: true,
  deviceUriMember: 'verification_uri',
  idTokenIssuer: (origin) => origin,
  issuesRefreshToken: () => true,
  rotatesRefreshTokens: true,
  accessTtl: 7200,
  tokenExtras: () => ({ created_at: Math.floor(Date.now() / 1000) }),
  tokenType: 'Bearer',
};

export function startGitLab(options: ImitationOptions = {}) {
  return startImitation(
    gitlabDialect,
    { id: '1234567', login: 'tanuki', name: 'Tanuki Example', email: 'tanuki@example.com' },
    options,
  );
}
