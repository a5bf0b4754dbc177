/** What a provider preset is: where the provider lives, how it differs from the RFCs, what it asks for by default. */
import type { ClientAuthMethod } from '../http.js';
import type { OAuth2Endpoints, ProviderHabits } from '../options.js';

/** The presets `login --provider` knows. */
export const PROVIDER_NAMES = ['github', 'google', 'microsoft', 'gitlab'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** What the person may change about a preset. */
export interface PresetInput {
  /**
   * Where the provider lives, when not at its public address: a self-hosted GitLab, GitHub
   * Enterprise Server, or an imitation server in a test (http is allowed on loopback only).
   */
  baseUrl?: string;
  /** Microsoft Entra only: common (default), organizations, consumers, a tenant id or domain. */
  tenant?: string;
}

/** A preset resolved against its input: everything createOAuth2Protocol needs besides the client. */
export interface ProviderSettings {
  provider: ProviderName;
  /** Discovery runs against it; absent for providers that publish no metadata (GitHub). */
  issuer?: string;
  /** Endpoints given by hand (no discovery). */
  endpoints?: OAuth2Endpoints;
  /** The provider's public address, or the one given: names the login in messages. */
  baseUrl: string;
  scope: string;
  /** null: never send `prompt`. */
  prompt?: string | null;
  authorizationParams?: Record<string, string>;
  clientAuthMethod?: ClientAuthMethod;
  habits?: ProviderHabits;
  /** The API `authmachine call` resolves paths against. */
  resource: string;
  /** Whether the provider offers the device grant. */
  device: boolean;
}
