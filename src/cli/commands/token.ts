/**
 * `authmachine token`: prints a valid access token for scripts and other tools (kubectl, git
 * credential helpers...), which run it before every command. So its usual path (a stored token
 * that is still fresh) loads no HTTP library and no state machine: profile, store, print. Only a
 * token that needs renewing loads the machine (token-renew.ts).
 */
import { AuthError, isAuthError } from '../../../adapters/errors.js';
import { profileName } from '../storage/profile.js';
import { processesLock } from '../storage/stores.js';
import { loginLockKey } from '../../flow/lock-keys.js';
import { decodeTokenSet, isFresh } from '../../flow/token-codec.js';
import type { TokenSet } from '../../../machines/types.js';
import { openAccount } from '../storage/account.js';
import { namingLogin, notLoggedIn } from '../storage/login-needed.js';
import { type Command, type ParsedArgs, UsageError } from '../command.js';
import { JSON_OPTION, PROFILE_OPTION, REFRESH_SKEW_OPTION, refreshSkewMs } from '../options/common.js';
import { wholeNumberOption } from '../options/number.js';
import { EXIT } from '../output/exit-codes.js';
import { write } from '../output/io.js';
import { formatToken, idTokenExpiry, TOKEN_FORMATS, type PrintedToken, type TokenFormat } from '../output/token.js';

function parseFormat(args: { values: Record<string, unknown> }): TokenFormat {
  const format = args.values['format'];
  if (args.values['json'] && format !== undefined && format !== 'json')
    throw new UsageError('--json and --format go together only as --format json.', 'token');
  if (args.values['json']) return 'json';
  if (format === undefined) return 'plain';
  if (typeof format === 'string' && (TOKEN_FORMATS as string[]).includes(format)) return format as TokenFormat;
  throw new UsageError(`--format must be one of ${TOKEN_FORMATS.join(', ')}.`, 'token');
}

/** What `token` was asked to print, read from its options. */
export interface TokenRequest {
  format: TokenFormat;
  /** --id-token: the OpenID Connect ID token rather than the access token. */
  idToken: boolean;
  /** How close to expiry a token may be and still be handed out (ms). */
  skewMs: number;
  /** How long to wait for a login another process is completing (ms). */
  waitMs: number;
}

/** Reads the token command's options; UsageError on a bad one. */
export function tokenRequest(args: ParsedArgs): TokenRequest {
  return {
    format: parseFormat(args),
    idToken: Boolean(args.values['id-token']),
    skewMs: refreshSkewMs(args, { command: 'token' }),
    waitMs: wholeNumberOption(args, 'wait', { command: 'token', min: 0, max: 86_400, fallback: 300 }) * 1000,
  };
}

/** The token to print, or null when it is missing or too close to expiry (`now`, epoch ms) to hand out. */
export function printable(
  token: TokenSet,
  { idToken: wantIdToken, skewMs }: Pick<TokenRequest, 'idToken' | 'skewMs'>,
  now: number,
): PrintedToken | null {
  if (!isFresh(token, now, skewMs)) return null;
  if (!wantIdToken)
    return {
      token: token.accessToken,
      type: token.tokenType ?? 'Bearer',
      expiresAt: token.expiresAt ?? null,
      scope: token.scope ?? null,
    };
  if (!token.idToken) return null;
  const expiresAt = idTokenExpiry(token.idToken);
  if (expiresAt !== null && expiresAt - skewMs <= now) return null;
  return { token: token.idToken, type: 'id_token', expiresAt, scope: token.scope ?? null };
}

/**
 * What to tell the person (stderr) about a printed token, or null: a DPoP-bound access token
 * (RFC 9449) is printed with its type, as asked, but works only with proofs signed by the login's
 * key, which never leaves authmachine; a tool that sends it as `Bearer` is refused.
 */
export function senderConstrainedNote(printed: PrintedToken): string | null {
  if (printed.type.toLowerCase() !== 'dpop') return null;
  return (
    'authmachine: note: this access token is bound to a DPoP key (RFC 9449) that never leaves authmachine: ' +
    'sent without a proof from that key (as `Bearer`, by curl or kubectl) it is refused. Use `authmachine call`, ' +
    'or log in again with --force --no-dpop for a bearer token (if the provider allows tokens without DPoP).\n'
  );
}

export const token: Command = {
  name: 'token',
  usage:
    'authmachine token [--profile NAME] [--json | --format plain|json|exec-credential|env] [--id-token] [--wait SECONDS]',
  details: [
    'Prints the access token of the stored login on stdout, renewed first when it is expired or within',
    '--refresh-skew of expiry (single-flight: other authmachine processes wait and use the same new',
    'token). Never opens a browser and never asks anything: exits 3 when a login is needed, saying the',
    'login command to run (with --profile NAME for a profile other than the default).',
    '',
    'While another authmachine process is logging in to the same account (waiting for your approval),',
    'it waits for that login, up to --wait seconds (default 300), and prints its token; it says on stderr',
    'which process it waits for. If that login ends without a token (declined, failed, or the process',
    'was killed), it exits 3 at once. --wait 0: never wait.',
    '',
    'A DPoP-bound access token (RFC 9449) is printed with its type (token_type DPoP) and a note on',
    'stderr: it works only with proofs signed by a key that never leaves authmachine, so a tool that',
    'sends it as Bearer is refused. Use `authmachine call`, or log in with --force --no-dpop.',
    '',
    'Formats: plain (the token and a newline), json ({token, token_type, expires_at (RFC 3339),',
    'expires_at_epoch_seconds, scope}), exec-credential (the client.authentication.k8s.io/v1',
    'ExecCredential kubectl reads from exec plugins), env (export lines for eval).',
  ].join('\n'),
  options: {
    format: {
      type: 'string',
      valueName: 'plain|json|exec-credential|env',
      description: 'Output format (default plain)',
    },
    'id-token': { type: 'boolean', description: 'Print the OpenID Connect ID token instead of the access token' },
    wait: {
      type: 'string',
      valueName: 'seconds',
      description: 'How long to wait for a login another authmachine is completing (default 300; 0: none)',
    },
    ...PROFILE_OPTION,
    ...REFRESH_SKEW_OPTION,
    ...JSON_OPTION,
  },
  examples: [
    'curl -H "Authorization: Bearer $(authmachine token)" https://api.example.com/me',
    'eval "$(authmachine token --format env)"',
    'authmachine token --profile work --format exec-credential',
  ],
  async run(args, io) {
    const request = tokenRequest(args);
    const { skewMs, waitMs } = request;
    const account = await openAccount(args.values['profile'], io, 'token').catch(async (error: unknown) => {
      // A profile's very first login, still running elsewhere: wait for it to save the profile.
      if (!isAuthError(error, 'ERR_NOT_LOGGED_IN')) throw error;
      const { awaitProfileLogin } = await import('../storage/first-login.js');
      const name = profileName(args.values['profile'], io.env, 'token');
      if (!(await awaitProfileLogin(processesLock(io.env), name, io, waitMs))) throw error;
      return openAccount(args.values['profile'], io, 'token');
    });
    const secret = await account.store.get(account.storageKey);
    let stored: TokenSet;
    if (secret === null) {
      // Only a login in progress elsewhere can help: wait for it (the machine's slow path).
      const busy = waitMs > 0 && (await account.lock?.holder?.(loginLockKey(account.storageKey))) != null;
      if (!busy || account.profile.provider !== 'oauth2') throw notLoggedIn(account.name, 'ended');
      const { renewToken } = await import('../flows/token-renew.js');
      stored = await renewToken(account, io, skewMs, waitMs);
    } else stored = decodeTokenSet(secret, account.store.location);
    let printed = printable(stored, request, Date.now());
    if (printed === null) {
      if (request.idToken && !stored.idToken && isFresh(stored, Date.now(), skewMs)) {
        throw new AuthError(
          'ERR_CONFIG',
          account.profile.provider === 'pocket'
            ? 'Pocket logins have no ID token (an OpenID Connect login has one).'
            : 'This login has no ID token: log in with the "openid" scope to get one.',
        );
      }
      const { renewToken } = await import('../flows/token-renew.js');
      stored = await renewToken(account, io, skewMs, waitMs);
      printed = printable(stored, { ...request, skewMs: 0 }, Date.now());
      if (printed === null)
        throw namingLogin(
          new AuthError('ERR_TOKEN_INVALID', 'The provider renewed the login without a usable token.'),
          account.name,
        );
    }
    const note = senderConstrainedNote(printed);
    if (note !== null) await write(io.stderr, note);
    await write(io.stdout, formatToken(printed, request.format));
    return EXIT.ok;
  },
};
