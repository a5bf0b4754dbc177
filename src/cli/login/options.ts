import type { InspectOption } from '../options/inspect.js';
import type { StoreKind } from '../storage/profile.js';

/** What `authmachine login` hands to the provider-specific login (Pocket or OAuth). */
export interface LoginOptions {
  /** The profile (account) this login is for. */
  profile: string;
  storeKind: StoreKind;
  /** With --store file. */
  tokenFile: string | undefined;
  /** --timeout: how long awaitingUser may last. */
  timeoutMs: number | undefined;
  inspect: InspectOption;
}

/** `summary` is printed with --json; `text` otherwise. */
export interface LoginOutcome {
  summary: Record<string, unknown>;
  text: string;
}
