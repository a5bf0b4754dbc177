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
import { token, printable, senderConstrainedNote, tokenRequest } from './commands/token.js';
import { decodeTokenSet } from '../flow/token-codec.js';
import { parseCommandArgs } from './parse.js';
import { accountOf } from './storage/account.js';
import { profileName, readProfile } from './storage/profile.js';
import { type CliIO, processIO, write } from './output/io.js';
import { formatToken } from './output/token.js';
import { EXIT } from './output/exit-codes.js';
import { isClosedOutput } from './output/closed-output.js';

/**
 * Prints the stored token of `authmachine token <argv>` when the full command would print it
 * from a token file without renewing, and returns the exit code (EXIT.outputClosed when stdout's
 * reader has gone, as the full command does); returns null, having written nothing, in every other case.
 *
 * @param argv - The arguments after `token`.
 */
export async function printFreshStoredToken(argv: string[], io: CliIO = processIO()): Promise<number | null> {
  let text: string;
  try {
    const args = parseCommandArgs(token, argv);
    if (args.values['help']) return null;
    const request = tokenRequest(args);
    const name = profileName(args.values['profile'], io.env, 'token');
    const profile = await readProfile(io.env, name);
    // The keychain runs in a helper child the full CLI sets up (storage/keychain-mode.ts).
    if (profile?.store !== 'file') return null;
    const account = accountOf(name, profile, io.env);
    const secret = await account.store.get(account.storageKey);
    if (secret === null) return null;
    const printed = printable(decodeTokenSet(secret, account.store.location), request, Date.now());
    // A DPoP-bound token comes with a note on stderr: the full command says it.
    if (printed === null || senderConstrainedNote(printed) !== null) return null;
    text = formatToken(printed, request.format);
  } catch {
    return null;
  }
  try {
    await write(io.stdout, text);
  } catch (error) {
    if (isClosedOutput(error)) return EXIT.outputClosed;
    throw error;
  }
  return EXIT.ok;
}
