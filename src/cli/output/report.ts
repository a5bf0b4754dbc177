/**
 * Turns a failure into one clear message on stderr and an exit code. Messages come from
 * AuthError (which never holds a secret); anything else is reported without its text.
 */
import { isAuthError, toAuthError } from '../../../adapters/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { hintFor } from './hints.js';
import type { CliIO } from './io.js';
import { UsageError } from '../command.js';
import { isClosedOutput } from './closed-output.js';

export function reportFailure(error: unknown, io: CliIO): number {
  if (isClosedOutput(error)) return EXIT.outputClosed;
  if (error instanceof UsageError) {
    io.stderr.write(
      `authmachine: ${error.message}\nSee \`authmachine ${error.command ? `${error.command} ` : ''}--help\`.\n`,
    );
    return EXIT.usage;
  }
  const authError = isAuthError(error) ? error : toAuthError(error);
  const next = hintFor(authError);
  const detail = authError.providerCode ? `, provider code ${authError.providerCode}` : '';
  io.stderr.write(`authmachine: ${authError.message} (${authError.code}${detail})\n${next ? `${next}\n` : ''}`);
  if (authError.code === 'ERR_UNEXPECTED' && io.env['AUTHMACHINE_DEBUG']) {
    // Opt-in only: a foreign error's text may contain a secret.
    io.stderr.write(`${String((authError.cause as Error | undefined)?.stack ?? authError.cause)}\n`);
  }
  return exitCodeFor(authError);
}
