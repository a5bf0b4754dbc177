/**
 * Turns a failure into one clear message on stderr and an exit code. Messages come from
 * AuthError (which never holds a secret); anything else is reported without its text.
 */
import { isAuthError, toAuthError } from '../../adapters/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { CliIO } from './io.js';
import { UsageError } from './usage-error.js';

const NEXT_STEP: Record<string, string> = {
  ERR_NOT_LOGGED_IN: 'Run `authmachine login` first.',
  ERR_TOKEN_INVALID: 'Run `authmachine login` again.',
  ERR_TIMEOUT: 'Run the command again; approve in the browser before the countdown ends.',
  ERR_NETWORK: 'Check the connection (or the --base-url / --issuer) and try again.',
  ERR_SERVER: 'The provider is having trouble; try again later.',
  ERR_RATE_LIMITED: 'Too many calls for now; wait a while and try again.',
  ERR_BAD_RESPONSE: 'The provider (or something between it and you) answered with something unreadable; try again later.',
};

export function reportFailure(error: unknown, io: CliIO): number {
  if (error instanceof UsageError) {
    io.stderr.write(`authmachine: ${error.message}\nSee \`authmachine ${error.command ? `${error.command} ` : ''}--help\`.\n`);
    return EXIT.usage;
  }
  const authError = isAuthError(error) ? error : toAuthError(error);
  const next = NEXT_STEP[authError.code];
  const detail = authError.providerCode ? `, provider code ${authError.providerCode}` : '';
  io.stderr.write(`authmachine: ${authError.message} (${authError.code}${detail})\n${next ? `${next}\n` : ''}`);
  if (authError.code === 'ERR_UNEXPECTED' && io.env['AUTHMACHINE_DEBUG']) {
    // Opt-in only: a foreign error's text may contain a secret.
    io.stderr.write(`${String((authError.cause as Error | undefined)?.stack ?? authError.cause)}\n`);
  }
  return exitCodeFor(authError.code);
}
