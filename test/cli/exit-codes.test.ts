/**
 * Every AuthError code has an exit code and a hint, chosen by the error's own fields, and a hint
 * never repeats what the message already says.
 */
import test from 'ava';
import { AUTH_ERROR_CODES, AuthError } from '../../adapters/errors.js';
import { EXIT, exitCodeFor } from '../../src/cli/output/exit-codes.js';
import { hintFor } from '../../src/cli/output/hints.js';
import { reportFailure } from '../../src/cli/output/report.js';
import { capturedIO } from '../helpers/cli-run.js';

function report(error: unknown): { code: number; text: string } {
  const captured = capturedIO();
  const code = reportFailure(error, captured.io);
  return { code, text: captured.stderr() };
}

test('every code has an exit code of its own kind and a hint; only ERR_UNEXPECTED is exit 1', (t) => {
  for (const code of AUTH_ERROR_CODES) {
    for (const retryable of [false, true]) {
      const error = new AuthError(code, 'Something happened.', { retryable });
      const exit = exitCodeFor(error);
      if (code === 'ERR_UNEXPECTED') t.is(exit, EXIT.failure);
      else t.not(exit, EXIT.failure, code);
      t.truthy(hintFor(error), `${code} has no hint`);
    }
  }
});

test('the exit code and hint follow the cause, not only the code', (t) => {
  const waited = new AuthError('ERR_TIMEOUT', 'Nobody completed the login in the browser in time.', {
    retryable: false,
  });
  const hung = new AuthError('ERR_TIMEOUT', 'The request to id.example:443 timed out after 15000 ms.');
  t.is(exitCodeFor(waited), EXIT.timeout);
  t.is(exitCodeFor(hung), EXIT.unavailable);
  t.regex(hintFor(waited)!, /countdown/);
  t.notRegex(hintFor(hung)!, /countdown|approve/, 'a server that hangs is not the person being slow');

  const permanent = new AuthError('ERR_BAD_RESPONSE', 'The discovery document has an invalid "token_endpoint".');
  t.is(exitCodeFor(permanent), EXIT.incompatible, 'a permanent incompatibility is not "try again later"');
  t.notRegex(hintFor(permanent)!, /try again/i);
  t.is(exitCodeFor(new AuthError('ERR_BAD_RESPONSE', 'x', { retryable: true })), EXIT.unavailable);

  t.is(exitCodeFor(new AuthError('ERR_LISTENER', 'Could not listen on 127.0.0.1:8080 (EADDRINUSE).')), EXIT.local);
  t.regex(
    hintFor(new AuthError('ERR_LISTENER', 'Could not listen on 127.0.0.1:8080 (EADDRINUSE).'))!,
    /Another program is using the port/,
  );
  t.regex(
    hintFor(
      new AuthError(
        'ERR_NETWORK',
        'Request to x:443 failed: TLS handshake or certificate check failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE).',
      ),
    )!,
    /--ca-file/,
  );
  t.regex(
    hintFor(new AuthError('ERR_DECLINED', 'The authorization was declined.', { providerCode: 'consent_required' }))!,
    /consent_required/,
  );
});

test('no hint is printed twice: a message that already says what to do gets no second line saying it', (t) => {
  for (const [error, pattern] of [
    [
      new AuthError('ERR_NOT_LOGGED_IN', 'Not logged in. Run `authmachine login` (or `authmachine demo`).'),
      /authmachine login/g,
    ],
    [
      new AuthError('ERR_TIMEOUT', 'Nobody completed the login in the browser in time. Run the login again.', {
        retryable: false,
      }),
      /run the login again/gi,
    ],
    [
      new AuthError(
        'ERR_CODE_INVALID',
        'The authorization code is invalid, expired or was already used: log in again.',
      ),
      /log ?in again/gi,
    ],
    [
      new AuthError('ERR_RATE_LIMITED', "Pocket's rate limit for this user is reached. Try again in 3600 s."),
      /try again/gi,
    ],
  ] as const) {
    const { text } = report(error);
    t.is(text.match(pattern)?.length, 1, text);
  }
});

test('an unknown code reads as exit 1 and a foreign error is never echoed', (t) => {
  const { code, text } = report(new Error('secret-looking text'));
  t.is(code, EXIT.failure);
  t.false(text.includes('secret-looking'));
});
