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

/**
 * Authorization server metadata (RFC 8414 section 2), validated: the fields this client uses, under
 * the names the server sends them. Every endpoint passed the https-or-loopback rule. Plain JSON.
 *
 * @see RFC 8414 section 2, OpenID Connect Discovery 1.0 section 3
 */
export interface ServerMetadata {
  /** The issuer identifier. Absent only when the host configured endpoints by hand and named no issuer. */
  issuer?: string;
  /** RFC 6749 section 3.1; absent on servers that offer only the device grant. */
  authorization_endpoint?: string;
  /** RFC 6749 section 3.2. */
  token_endpoint: string;
  /** RFC 7009 section 2 (named in RFC 8414 section 2). */
  revocation_endpoint?: string;
  /** RFC 8628 section 4. */
  device_authorization_endpoint?: string;
  /** RFC 9126 section 5. */
  pushed_authorization_request_endpoint?: string;
  /** RFC 9126 section 5: only pushed authorization requests are accepted. False when absent. */
  require_pushed_authorization_requests: boolean;
  /** The JWK Set that signs ID tokens; without it only their claims are checked. */
  jwks_uri?: string;
  /** RFC 9207 section 3: the server puts `iss` in every authorization response. False when absent. */
  authorization_response_iss_parameter_supported: boolean;
  /** RFC 8414 section 2: PKCE methods; absent means the server did not say. */
  code_challenge_methods_supported?: string[];
  /** How the token endpoint takes a client secret (RFC 8414 section 2: absent means client_secret_basic). */
  token_endpoint_auth_methods_supported?: string[];
  /** RFC 9449 section 5.1: the server accepts DPoP proofs signed with these algorithms. */
  dpop_signing_alg_values_supported?: string[];
  /**
   * Not a server field: set by authmachine when the issuer holds the literal `{tenantid}`
   * (Microsoft's multi-tenant `common` and `organizations`), so each ID token's `iss` is this with
   * its own `tid` put in.
   */
  issuerIsTenantTemplate?: boolean;
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

const OPTIONAL_ENDPOINTS = [
  'authorization_endpoint',
  'revocation_endpoint',
  'device_authorization_endpoint',
  'pushed_authorization_request_endpoint',
  'jwks_uri',
] as const;

const STRING_LISTS = [
  'code_challenge_methods_supported',
  'token_endpoint_auth_methods_supported',
  'dpop_signing_alg_values_supported',
] as const;

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
  const metadata: ServerMetadata = {
    issuer: tenantTemplate ? (json.issuer as string) : expectedIssuer,
    token_endpoint: tokenEndpoint,
    require_pushed_authorization_requests: json.require_pushed_authorization_requests === true,
    authorization_response_iss_parameter_supported: json.authorization_response_iss_parameter_supported === true,
  };
  for (const key of OPTIONAL_ENDPOINTS) {
    const value = endpoint(key);
    if (value !== undefined) metadata[key] = value;
  }
  for (const key of STRING_LISTS) {
    const list = json[key];
    // A malformed list is treated as absent: the server said nothing usable.
    if (Array.isArray(list) && list.every((m) => typeof m === 'string')) metadata[key] = list as string[];
  }
  if (tenantTemplate) metadata.issuerIsTenantTemplate = true;
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
