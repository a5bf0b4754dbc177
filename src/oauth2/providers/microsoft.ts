/**
 * Microsoft Entra ID (the Microsoft identity platform v2.0 endpoints): discovery per tenant; the
 * multi-tenant `common` and `organizations` documents name the issuer with a literal `{tenantid}`,
 * so each ID token's `iss` is checked against its own `tid`. Refresh tokens come with the
 * offline_access scope; there is no RFC 7009 revocation endpoint.
 */
import { AuthError } from '../../../adapters/errors.js';
import { baseUrlOf } from './base-url.js';
import type { PresetInput, ProviderSettings } from './types.js';

export const MICROSOFT_LOGIN = 'https://login.microsoftonline.com';
export const MICROSOFT_GRAPH = 'https://graph.microsoft.com';

/** The tenants whose discovery names a `{tenantid}` issuer. */
export const MULTI_TENANT_ALIASES = ['common', 'organizations'] as const;

/** The tenant that personal Microsoft accounts belong to; `consumers` documents name it as the issuer. */
const CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** A tenant alias, a tenant id (GUID) or a verified domain; nothing that could change the path. */
const TENANT_RE =
  /^(?:common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+)$/i;

export function microsoft(input: PresetInput): ProviderSettings {
  const base = baseUrlOf(input.baseUrl, MICROSOFT_LOGIN);
  const tenant = input.tenant ?? 'common';
  if (!TENANT_RE.test(tenant)) {
    throw new AuthError(
      'ERR_CONFIG',
      'The Microsoft tenant must be common, organizations, consumers, a tenant id or a domain name.',
    );
  }
  return {
    provider: 'microsoft',
    baseUrl: base,
    issuer: `${base}/${tenant === 'consumers' ? CONSUMERS_TENANT_ID : tenant}/v2.0`,
    scope: 'openid profile offline_access User.Read',
    // Microsoft issues refresh tokens for offline_access without a forced consent screen.
    prompt: null,
    habits: { tenantAliases: MULTI_TENANT_ALIASES },
    resource: base === MICROSOFT_LOGIN ? MICROSOFT_GRAPH : base,
    device: true,
  };
}
