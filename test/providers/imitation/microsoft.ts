/**
 * Microsoft Entra ID as the identity platform v2.0 documentation describes it: per-tenant
 * discovery at /{tenant}/v2.0/.well-known/openid-configuration, where the multi-tenant common and
 * organizations documents name the issuer with the literal {tenantid}; endpoints under
 * /{tenant}/oauth2/v2.0/; public clients without a secret; a refresh token only with the
 * offline_access scope, rotated on every refresh; ID tokens whose iss names the user's own tenant
 * (its tid claim); the device code flow at /devicecode; no revocation endpoint.
 */
import { startImitation, type Dialect, type ImitationOptions } from './engine.js';

export const MICROSOFT_CLIENT_ID = '6731de76-14a6-49ae-97bc-6eba6914391e';
export const HOME_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export function microsoftDialect(tenant: string, issuerTenant?: string): Dialect {
  const multi = tenant === 'common' || tenant === 'organizations';
  const issuerOf = (origin: string) => `${origin}/${multi ? '{tenantid}' : tenant}/v2.0`;
  return {
    name: 'microsoft',
    clientId: MICROSOFT_CLIENT_ID,
    secretFor: [],
    authMethods: ['post', 'basic'],
    paths: {
      discovery: `/${tenant}/v2.0/.well-known/openid-configuration`,
      authorize: `/${tenant}/oauth2/v2.0/authorize`,
      token: `/${tenant}/oauth2/v2.0/token`,
      device: `/${tenant}/oauth2/v2.0/devicecode`,
      devicePage: '/devicelogin',
      jwks: `/${tenant}/discovery/v2.0/keys`,
      me: '/v1.0/me',
    },
    discovery: (origin) => ({
      token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: issuerOf(origin),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${origin}/oidc/userinfo`,
      authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'at_hash',
        'c_hash',
        'email',
      ],
      kerberos_endpoint: `${origin}/${tenant}/kerberos`,
      tenant_region_scope: null,
      cloud_instance_name: 'microsoftonline.com',
    }),
    errorStatus: (error) => (error === 'invalid_client' ? 401 : 400),
    formUnlessJson: false,
    pkceRequired: false,
    deviceUriMember: 'verification_uri',
    idTokenIssuer: (origin, user) => `${origin}/${issuerTenant ?? user.tid}/v2.0`,
    issuesRefreshToken: (grant) => grant.scope.split(' ').includes('offline_access'),
    rotatesRefreshTokens: true,
    accessTtl: 3599,
    tokenType: 'Bearer',
  };
}

/** `issuerTenant`: sign ID tokens with this tenant in iss whatever the tid (a token for another tenant). */
export function startMicrosoft(
  options: ImitationOptions & { tenant?: string; userTenant?: string; issuerTenant?: string } = {},
) {
  const user = {
    id: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    login: 'adele@contoso.example',
    name: 'Adele Vance',
    email: 'adele@contoso.example',
    tid: options.userTenant ?? HOME_TENANT,
  };
  return startImitation(microsoftDialect(options.tenant ?? 'common', options.issuerTenant), user, options);
}
