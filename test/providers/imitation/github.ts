/**
 * GitHub as its "Authorizing OAuth apps" documentation describes it: /login/oauth/authorize and
 * /login/oauth/access_token, the device flow at /login/device/code with the page /login/device,
 * no discovery document and no ID token, the client secret as a form member (required for the
 * web flow and for refresh, not for the device flow), answers form-encoded unless the client
 * asks for JSON, every error with HTTP 200 (bad_verification_code, incorrect_client_credentials,
 * authorization_pending, slow_down with the new interval, expired_token, access_denied,
 * incorrect_device_code), tokens that never expire unless the app opted into expiring user tokens
 * (then 8 hours, with a refresh token that lives about six months and rotates on use).
 */
import { startImitation, type Dialect, type ImitationOptions } from './engine.js';

export const GITHUB_CLIENT_ID = 'Iv1.imitation0001';
export const GITHUB_CLIENT_SECRET = 'github-imitation-client-secret-0001';

export function githubDialect(expiringTokens: boolean): Dialect {
  return {
    name: 'github',
    clientId: GITHUB_CLIENT_ID,
    clientSecret: GITHUB_CLIENT_SECRET,
    secretFor: ['authorization_code', 'refresh_token'],
    authMethods: ['post', 'basic'],
    paths: {
      authorize: '/login/oauth/authorize',
      token: '/login/oauth/access_token',
      device: '/login/device/code',
      devicePage: '/login/device',
      me: '/user',
    },
    errorStatus: () => 200,
    formUnlessJson: true,
    pkceRequired: false,
    deviceUriMember: 'verification_uri',
    issuesRefreshToken: () => expiringTokens,
    rotatesRefreshTokens: true,
    ...(expiringTokens ? { accessTtl: 28_800, refreshTtl: 15_897_600 } : {}),
    tokenType: 'bearer',
  };
}

export function startGitHub(options: ImitationOptions & { expiringTokens?: boolean } = {}) {
  return startImitation(
    githubDialect(options.expiringTokens ?? false),
    { id: '583231', login: 'octocat', name: 'The Octocat', email: 'octocat@example.com' },
    options,
  );
}
