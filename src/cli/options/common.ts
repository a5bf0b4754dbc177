import { DEFAULT_FLOW_CONFIG } from '../../../machines/types.js';
import type { OptionSpec, ParsedArgs } from '../command.js';
import { type OptionReading, secondsOption } from './number.js';

/** Where the token goes, for commands that log in. */
export const STORE_OPTIONS = {
  store: {
    type: 'string',
    valueName: 'keychain|file|memory',
    description: 'Where to keep the token (default: keychain; file only when you ask)',
  },
  'token-file': {
    type: 'string',
    valueName: 'path',
    description: 'The token file for --store file (default ~/.config/authmachine/tokens.json, mode 0600)',
  },
} satisfies Record<string, OptionSpec>;

export const JSON_OPTION = {
  json: { type: 'boolean', description: 'Print the result as JSON on stdout' },
} satisfies Record<string, OptionSpec>;

/** Which account: every command that uses a login takes it. */
export const PROFILE_OPTION = {
  profile: {
    type: 'string',
    valueName: 'name',
    description:
      'The account to use: 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (default: $AUTHMACHINE_PROFILE, else "default")',
  },
} satisfies Record<string, OptionSpec>;

/** For commands that send or print a token. */
export const REFRESH_SKEW_OPTION = {
  'refresh-skew': {
    type: 'string',
    valueName: 'seconds',
    description: 'Renew a token this close to its expiry before using it (default 60)',
  },
} satisfies Record<string, OptionSpec>;

/** How close to expiry a token is renewed before use, by default (ms): the flow's own default. */
export const DEFAULT_REFRESH_SKEW_MS = DEFAULT_FLOW_CONFIG.refreshSkewMs;

/** --refresh-skew <seconds> in ms (0 or more); the flow's default when not given. */
export function refreshSkewMs(args: ParsedArgs, reading: OptionReading): number {
  return secondsOption(args, 'refresh-skew', { ...reading, allowZero: true }) ?? DEFAULT_REFRESH_SKEW_MS;
}
