/** Which credentials the client sends to a server, and how its secret travels there. */
import { AuthError } from '../../adapters/errors.js';
import type { ServerMetadata } from './discovery.js';
import type { ClientAuthMethod, ClientCredentials } from './http.js';
import type { OAuth2ProtocolOptions } from './options.js';

/**
 * The client's credentials for this server. The secret goes the way the options say, else the way
 * `token_endpoint_auth_methods_supported` lists (client_secret_basic first, RFC 6749 section
 * 2.3.1); an absent list means client_secret_basic after discovery (RFC 8414 section 2) and
 * client_secret_post for endpoints given by hand. A list with neither is ERR_CONFIG.
 */
export function clientCredentialsFor(
  options: OAuth2ProtocolOptions,
  meta: ServerMetadata,
  endpointsByHand: boolean,
): ClientCredentials {
  if (options.clientSecret === undefined) return { clientId: options.clientId };
  return {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    authMethod: authMethodFor(options, meta, endpointsByHand),
  };
}

function authMethodFor(
  options: OAuth2ProtocolOptions,
  meta: ServerMetadata,
  endpointsByHand: boolean,
): ClientAuthMethod {
  if (options.clientAuthMethod) return options.clientAuthMethod;
  const listed = meta.token_endpoint_auth_methods_supported;
  if (listed === undefined) return endpointsByHand ? 'client_secret_post' : 'client_secret_basic';
  if (listed.includes('client_secret_basic')) return 'client_secret_basic';
  if (listed.includes('client_secret_post')) return 'client_secret_post';
  throw new AuthError(
    'ERR_CONFIG',
    'The token endpoint takes a client secret neither by HTTP Basic nor in the form (token_endpoint_auth_methods_supported).',
  );
}
