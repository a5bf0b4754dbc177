/**
 * Authorization server metadata: OpenID Connect Discovery first, then RFC 8414. The document
 * must name exactly the issuer we asked for (else a mix-up attack could swap servers), and every
 * endpoint in it must pass the https-or-loopback rule.
 */
import { AuthError } from '../../adapters/errors.js';
import type { ProtocolContext } from '../protocol.js';
import { httpStatusError, shownIssuer } from './errors.js';
import { parseJsonObject } from './http.js';
import { assertSafeUrl } from './url-safety.js';

/** The endpoints and capabilities the protocol uses, in camelCase and validated. Plain JSON. */
export interface ServerMetadata {
  /** Absent only when the host configured endpoints by hand and named no issuer. */
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  pushedAuthorizationRequestEndpoint?: string;
  requirePushedAuthorizationRequests: boolean;
  jwksUri?: string;
  /** RFC 9207: the server puts `iss` in every authorization response. */
  authorizationResponseIssParameterSupported: boolean;
  codeChallengeMethodsSupported?: string[];
  /** How the token endpoint takes a client secret (RFC 8414: absent means client_secret_basic). */
  tokenEndpointAuthMethodsSupported?: string[];
  /**
   * The issuer holds the literal `{tenantid}` (Microsoft's multi-tenant `common` and
   * `organizations`): each ID token's `iss` is this with its own `tid` put in.
   */
  issuerIsTenantTemplate?: boolean;
  /** RFC 9449 section 5.1: the server accepts DPoP proofs signed with these algorithms. */
  dpopSigningAlgValuesSupported?: string[];
}

/** Where a multi-tenant issuer keeps the tenant. */
export const TENANT_PLACEHOLDER = '{tenantid}';

/** Options for parseMetadata that only a provider preset sets. */
export interface MetadataOptions {
  /**
   * Accept an `issuer` with the literal `{tenantid}` where the configured issuer has one of these
   * tenant aliases (Microsoft: common, organizations). Any other mismatch is still refused.
   */
  tenantAliases?: readonly string[];
}

/**
 * The two well-known locations for `issuer`: OIDC appends to the path, RFC 8414 section 3.1
 * inserts the well-known segment between host and path.
 */
export function wellKnownUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/** Fetches and validates the metadata of `issuer`. */
export async function discover(
  ctx: ProtocolContext,
  issuer: string,
  timeoutMs: number,
  options: MetadataOptions = {},
): Promise<ServerMetadata> {
  const issuerUrl = assertSafeUrl(issuer, 'issuer');
  if (issuerUrl.search || issuerUrl.hash) {
    throw new AuthError('ERR_CONFIG', 'The issuer must not have a query or fragment (RFC 8414).');
  }
  let lastFailure: AuthError | undefined;
  for (const url of wellKnownUrls(issuer)) {
    const response = await ctx.http.send({
      method: 'GET',
      url,
      headers: { accept: 'application/json' },
      timeoutMs,
      signal: ctx.signal,
    });
    if (response.status === 200) {
      return parseMetadata(parseJsonObject(response.body, 'discovery document', 200), issuer, options);
    }
    lastFailure =
      httpStatusError(response, ctx.clock.now(), 'discovery endpoint') ??
      new AuthError('ERR_CONFIG', `No authorization server metadata found for the issuer (HTTP ${response.status}).`, {
        status: response.status,
      });
    // A rate limit or outage will not be cured by asking the other location.
    if (response.status === 429 || response.status >= 500) break;
  }
  throw lastFailure ?? new AuthError('ERR_CONFIG', 'No authorization server metadata found for the issuer.');
}

/** Validates a metadata document against the issuer that was asked for. */
export function parseMetadata(
  json: Record<string, unknown>,
  expectedIssuer: string,
  options: MetadataOptions = {},
): ServerMetadata {
  const tenantTemplate =
    json.issuer !== expectedIssuer && isTenantTemplateOf(json.issuer, expectedIssuer, options.tenantAliases ?? []);
  if (json.issuer !== expectedIssuer && !tenantTemplate) {
    throw new AuthError(
      'ERR_ISSUER_MISMATCH',
      `The discovery document names a different issuer than the one configured: configured ${shownIssuer(expectedIssuer)}, the document says ${shownIssuer(json.issuer)}.`,
    );
  }
  const endpoint = (key: string): string | undefined => {
    const value = json[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string')
      throw new AuthError('ERR_BAD_RESPONSE', `The discovery document has an invalid "${key}".`);
    assertSafeUrl(value, key.replace(/_/g, ' '));
    return value;
  };
  const tokenEndpoint = endpoint('token_endpoint');
  if (tokenEndpoint === undefined) {
    throw new AuthError('ERR_BAD_RESPONSE', 'The discovery document has no token_endpoint.');
  }
  const methods = json.code_challenge_methods_supported;
  const metadata: ServerMetadata = {
    issuer: tenantTemplate ? (json.issuer as string) : expectedIssuer,
    tokenEndpoint,
    requirePushedAuthorizationRequests: json.require_pushed_authorization_requests === true,
    authorizationResponseIssParameterSupported: json.authorization_response_iss_parameter_supported === true,
  };
  const optional = {
    authorizationEndpoint: endpoint('authorization_endpoint'),
    revocationEndpoint: endpoint('revocation_endpoint'),
    deviceAuthorizationEndpoint: endpoint('device_authorization_endpoint'),
    pushedAuthorizationRequestEndpoint: endpoint('pushed_authorization_request_endpoint'),
    jwksUri: endpoint('jwks_uri'),
  };
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) Object.assign(metadata, { [key]: value });
  if (Array.isArray(methods) && methods.every((m) => typeof m === 'string')) {
    metadata.codeChallengeMethodsSupported = methods as string[];
  }
  const authMethods = json.token_endpoint_auth_methods_supported;
  if (Array.isArray(authMethods) && authMethods.every((m) => typeof m === 'string')) {
    metadata.tokenEndpointAuthMethodsSupported = authMethods as string[];
  }
  if (tenantTemplate) metadata.issuerIsTenantTemplate = true;
  const dpopAlgs = json.dpop_signing_alg_values_supported;
  if (Array.isArray(dpopAlgs) && dpopAlgs.every((a) => typeof a === 'string')) {
    metadata.dpopSigningAlgValuesSupported = dpopAlgs as string[];
  }
  return metadata;
}

/**
 * True when `issuer` is `expected` with one path segment that is a tenant alias replaced by the
 * literal `{tenantid}`, e.g. .../{tenantid}/v2.0 for .../common/v2.0. Same origin, same rest.
 */
function isTenantTemplateOf(issuer: unknown, expected: string, aliases: readonly string[]): boolean {
  if (typeof issuer !== 'string' || !issuer.includes(TENANT_PLACEHOLDER)) return false;
  return aliases.some(
    (alias) => issuer.replace(TENANT_PLACEHOLDER, alias) === expected && expected.includes(`/${alias}/`),
  );
}

/**
 * The issuer an ID token from a tenant-template issuer must carry: the template with the token's
 * own `tid`. A tid that is not a plain GUID-like identifier matches nothing.
 */
export function tenantIssuer(template: string, tid: unknown): string | undefined {
  if (typeof tid !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tid))
    return undefined;
  return template.replace(TENANT_PLACEHOLDER, tid);
}
