/**
 * The command list, kept free of imports so `authmachine --help` loads nothing else. Each
 * command module is imported only when it runs. The registry owns each command's one-line
 * summary: command modules never import the registry or the help (no import cycle).
 */
import type { Command } from './command.js';

export interface CommandEntry {
  name: string;
  /** One line, as `authmachine --help` lists it and `<command> --help` opens with. */
  summary: string;
  load: () => Promise<Command>;
}

/** The one-line summary of a command, as `authmachine --help` lists it. */
export function summaryOf(name: string): string {
  return COMMANDS.find((command) => command.name === name)?.summary ?? '';
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'demo',
    summary: 'Log in to the embedded Pocket emulator and list its articles (no account or network needed)',
    load: async () => (await import('./commands/demo.js')).demo,
  },
  {
    name: 'login',
    summary: 'Log in to Pocket (or any OAuth 2.0 / OpenID Connect provider with --issuer)',
    load: async () => (await import('./commands/login.js')).login,
  },
  {
    name: 'status',
    summary: 'Say whether you are logged in, as whom, and where the token is kept',
    load: async () => (await import('./commands/status.js')).status,
  },
  {
    name: 'logout',
    summary: 'Revoke the login where the provider can, and delete the stored token',
    load: async () => (await import('./commands/logout.js')).logout,
  },
  {
    name: 'items',
    summary: 'List your saved Pocket items (table, --json or --ndjson)',
    load: async () => (await import('./commands/items.js')).items,
  },
  { name: 'add', summary: 'Save a URL to Pocket', load: async () => (await import('./commands/add.js')).add },
  {
    name: 'archive',
    summary: 'Archive Pocket items by id',
    load: async () => (await import('./commands/archive.js')).archive,
  },
  {
    name: 'token',
    summary: 'Print a valid access token for scripts and tools such as kubectl (renewed as needed, never a browser)',
    load: async () => (await import('./commands/token.js')).token,
  },
  {
    name: 'call',
    summary: 'Call a protected OAuth resource with the stored token (refreshing as needed)',
    load: async () => (await import('./commands/call.js')).call,
  },
  {
    name: 'emulator',
    summary: 'Run the Pocket emulator on loopback for other Pocket clients',
    load: async () => (await import('./commands/emulator.js')).emulator,
  },
  {
    name: 'inspect',
    summary: 'Serve the live local inspector page for flows started with --inspect',
    load: async () => (await import('./commands/inspect.js')).inspect,
  },
];
