/**
 * Which OAuth server a CLI login talks to, read from the command line and kept in the profile:
 * an issuer (discovery), a provider preset (--provider, with --tenant or --base-url), or
 * endpoints given by hand for servers that publish no metadata. None of it is secret.
 */
import type { OAuth2Endpoints, OAuth2ProtocolOptions } from '../../oauth2/index.js';
import { isProviderName, PROVIDER_NAMES, providerSettings, type ProviderName } from '../../oauth2/providers/index.js';
import { type ParsedArgs, UsageError } from '../command.js';
import type { OAuthTargetFields, Profile } from '../storage/profile.js';
import { stringOption } from '../options/number.js';

export interface OAuthTarget {
  /** What the login is called in messages, and the origin `call` may send the token to. */
  issuer: string;
  /** false: `issuer` only names the login (explicit endpoints without --issuer): no discovery, no OIDC. */
  discover: boolean;
  preset?: ProviderName;
  tenant?: string;
  /** A preset's base URL when not its public one (self-hosted, or a test server). */
  baseUrl?: string;
  endpoints?: OAuth2Endpoints;
}

/** The command-line options, named as the flags are. */
export const ENDPOINT_FLAGS = {
  'authorization-endpoint': 'authorization',
  'token-endpoint': 'token',
  'device-authorization-endpoint': 'deviceAuthorization',
  'revocation-endpoint': 'revocation',
} as const;

const value = (args: ParsedArgs, name: string) => stringOption(args, name, { command: 'login' });

/** True when the command line asks for an OAuth login (rather than Pocket). */
export function wantsOAuth(args: ParsedArgs): boolean {
  return ['issuer', 'provider', 'tenant', 'client-secret-file', ...Object.keys(ENDPOINT_FLAGS)].some(
    (name) => args.values[name] !== undefined,
  );
}

/** Reads --issuer / --provider / --tenant / --base-url / --*-endpoint into a target. */
export function targetFromArgs(args: ParsedArgs): OAuthTarget {
  const issuer = value(args, 'issuer');
  const preset = value(args, 'provider');
  const tenant = value(args, 'tenant');
  const baseUrl = value(args, 'base-url');
  const endpoints: Partial<OAuth2Endpoints> = {};
  for (const [flag, key] of Object.entries(ENDPOINT_FLAGS)) {
    const url = value(args, flag);
    if (url !== undefined) endpoints[key] = url;
  }
  const hasEndpoints = Object.keys(endpoints).length > 0;

  if (preset !== undefined) {
    if (!isProviderName(preset))
      throw new UsageError(`--provider must be one of ${PROVIDER_NAMES.join(', ')}.`, 'login');
    if (issuer !== undefined || hasEndpoints)
      throw new UsageError(
        '--provider already knows its issuer and endpoints: leave out --issuer and the --*-endpoint options.',
        'login',
      );
    if (tenant !== undefined && preset !== 'microsoft')
      throw new UsageError('--tenant is for --provider microsoft.', 'login');
    const settings = providerSettings(preset, {
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(tenant === undefined ? {} : { tenant }),
    });
    return {
      issuer: settings.issuer ?? settings.baseUrl,
      discover: settings.issuer !== undefined,
      preset,
      ...(tenant === undefined ? {} : { tenant }),
      ...(baseUrl === undefined ? {} : { baseUrl }),
    };
  }
  if (tenant !== undefined) throw new UsageError('--tenant is for --provider microsoft.', 'login');
  if (baseUrl !== undefined)
    throw new UsageError('--base-url goes with Pocket or with --provider, not with --issuer.', 'login');
  if (hasEndpoints) {
    if (endpoints.token === undefined)
      throw new UsageError('Explicit endpoints need at least --token-endpoint.', 'login');
    return {
      issuer: issuer ?? new URL(endpoints.token).origin,
      discover: issuer !== undefined,
      endpoints: endpoints as OAuth2Endpoints,
    };
  }
  if (issuer === undefined) throw new UsageError('--issuer needs a URL.', 'login');
  return { issuer, discover: true };
}

/** The protocol options for a target (the client id, secret, scope and mode come from elsewhere). */
export function targetProtocolOptions(
  target: OAuthTarget,
): Omit<OAuth2ProtocolOptions, 'clientId'> & { resource?: string } {
  if (target.preset !== undefined) {
    const s = providerSettings(target.preset, {
      ...(target.baseUrl === undefined ? {} : { baseUrl: target.baseUrl }),
      ...(target.tenant === undefined ? {} : { tenant: target.tenant }),
    });
    return {
      ...(s.issuer === undefined ? {} : { issuer: s.issuer }),
      ...(s.endpoints === undefined ? {} : { endpoints: s.endpoints }),
      scope: s.scope,
      ...(s.prompt === undefined ? {} : { prompt: s.prompt }),
      ...(s.authorizationParams === undefined ? {} : { authorizationParams: s.authorizationParams }),
      ...(s.clientAuthMethod === undefined ? {} : { clientAuthMethod: s.clientAuthMethod }),
      ...(s.habits === undefined ? {} : { habits: s.habits }),
      resource: s.resource,
    };
  }
  if (target.endpoints !== undefined)
    return { endpoints: target.endpoints, ...(target.discover ? { issuer: target.issuer } : {}) };
  return { issuer: target.issuer };
}

/** The target as a profile keeps it (only what differs from a plain issuer). */
export function targetFields(target: OAuthTarget): OAuthTargetFields {
  return {
    ...(target.discover ? {} : { discover: false as const }),
    ...(target.preset === undefined ? {} : { preset: target.preset }),
    ...(target.tenant === undefined ? {} : { tenant: target.tenant }),
    ...(target.baseUrl === undefined ? {} : { baseUrl: target.baseUrl }),
    ...(target.endpoints === undefined ? {} : { endpoints: target.endpoints }),
  };
}

/** The target of a saved OAuth login. */
export function targetOfProfile(profile: Extract<Profile, { provider: 'oauth2' }>): OAuthTarget {
  return {
    issuer: profile.issuer,
    discover: profile.discover !== false,
    ...(profile.preset === undefined ? {} : { preset: profile.preset }),
    ...(profile.tenant === undefined ? {} : { tenant: profile.tenant }),
    ...(profile.baseUrl === undefined ? {} : { baseUrl: profile.baseUrl }),
    ...(profile.endpoints === undefined ? {} : { endpoints: profile.endpoints }),
  };
}
