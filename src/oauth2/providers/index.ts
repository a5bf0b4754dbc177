/**
 * Provider presets for `login --provider`: each turns a name (and a base URL or tenant) into the
 * issuer or endpoints, default scopes and the provider's habits, checked against its own
 * documentation by an imitation server under test/providers/.
 */
import { AuthError } from '../../../adapters/errors.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { google } from './google.js';
import { microsoft } from './microsoft.js';
import { PROVIDER_NAMES, type PresetInput, type ProviderName, type ProviderSettings } from './types.js';

export { PROVIDER_NAMES };
export type { PresetInput, ProviderName, ProviderSettings };

const PRESETS: Record<ProviderName, (input: PresetInput) => ProviderSettings> = { github, google, microsoft, gitlab };

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

/**
 * The settings of preset `name`.
 * @throws AuthError ERR_CONFIG for an unknown name, a bad base URL or tenant, or a tenant given
 *   to a provider that has none. ERR_INSECURE_URL for plain http off loopback.
 */
export function providerSettings(name: string, input: PresetInput = {}): ProviderSettings {
  if (!isProviderName(name))
    throw new AuthError('ERR_CONFIG', `Unknown provider "${name}": use one of ${PROVIDER_NAMES.join(', ')}.`);
  if (input.tenant !== undefined && name !== 'microsoft')
    throw new AuthError('ERR_CONFIG', 'A tenant is only for the microsoft provider.');
  return PRESETS[name](input);
}
