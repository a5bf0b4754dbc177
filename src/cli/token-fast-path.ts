/**
 * `authmachine token` when a fresh token sits in a token file: the one case that tools such as
 * kubectl and git credential helpers hit on every command. `npm run build` bundles this module
 * and what it imports into one file (dist/token-fast-path.cjs) that bin/authmachine.js loads
 * before anything else, so the common case pays for one module, not the CLI's forty.
 *
 * It only ever prints a token the full command would print, in the same format, through the
 * same code (the token command's own option reader and printer). Anything else (keychain
 * profile, no login, a token near expiry, a bad option, --help) it leaves to the full CLI,
 * which renews, waits or reports: it never prints an error itself.
 */
import { token, printable, tokenRequest } from './commands/token.js';
import { decodeTokenSet } from '../flow/token-codec.js';
import { parseCommandArgs } from './parse.js';
import { accountOf } from './storage/account.js';
import { profileName, readProfile } from './storage/profile.js';
import { type CliIO, processIO, write } from './output/io.js';
import { formatToken } from './output/token.js';

/**
 * Prints the stored token of `authmachine token <argv>` when the full command would print it
 * from a token file without renewing; returns false, having written nothing, in every other case.
 *
 * @param argv - The arguments after `token`.
 */
export async function printFreshStoredToken(argv: string[], io: CliIO = processIO()): Promise<boolean> {
  let text: string;
  try {
    const args = parseCommandArgs(token, argv);
    if (args.values['help']) return false;
    const request = tokenRequest(args);
    const name = profileName(args.values['profile'], io.env);
    const profile = await readProfile(io.env, name);
    // The keychain runs in a helper child the full CLI sets up (storage/stores.ts).
    if (profile?.store !== 'file') return false;
    const account = accountOf(name, profile, io.env);
    const secret = await account.store.get(account.storageKey);
    if (secret === null) return false;
    const printed = printable(decodeTokenSet(secret, account.store.location), request, Date.now());
    if (printed === null) return false;
    text = formatToken(printed, request.format);
  } catch {
    return false;
  }
  await write(io.stdout, text);
  return true;
}
