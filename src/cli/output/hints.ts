/**
 * What to do next, per AuthError code (a Record over the codes: a new code cannot miss one). A
 * hint is chosen from the error's own fields, so it matches the cause: a server that hangs is not
 * told to approve faster. `said` recognises a message that already gives the advice, so it is
 * never printed twice.
 */
import type { AuthError, AuthErrorCode } from '../../../adapters/errors.js';

interface Hint {
  text: string;
  /** The message already says this: print nothing more. */
  said?: RegExp;
}

type HintRule = Hint | ((error: AuthError) => Hint | null);

const LOGIN_AGAIN: Hint = {
  text: 'Run `authmachine login` again (with the same --profile, if you gave one).',
  said: /authmachine login|log in again|login again|new login/i,
};
const TRY_LATER: Hint = {
  text: 'Check the connection (and any proxy: HTTPS_PROXY, NO_PROXY) and try again.',
  said: /try again/i,
};

/** A storage message that already says what to do. */
const STORAGE_REMEDY =
  /\b(run `|delete it|move it away|choose another|use a folder|make it writable|try again|point --token-file|set HOME|--store file|log in again|reinstall|check that)/i;

const HINTS: Record<AuthErrorCode, HintRule> = {
  ERR_NOT_LOGGED_IN: { text: 'Run `authmachine login` first.', said: /authmachine login|log in first/i },
  ERR_TOKEN_INVALID: LOGIN_AGAIN,
  ERR_DECLINED: (e) => ({
    text: `Access was not granted${e.providerCode ? ` (the provider said ${e.providerCode})` : ''}; run the login again to approve it.`,
  }),
  ERR_TIMEOUT: (e) =>
    e.retryable
      ? { text: 'The server did not answer in time; check the connection (and any proxy) and try again later.' }
      : e.providerCode !== undefined
        ? {
            text: "The provider's error above came without this login's state: check the app's registration (its redirect URI) at the provider, then run the login again.",
          }
        : {
            text: 'Run the login again and approve it before the countdown ends (--timeout gives more time).',
            said: /run the login again/i,
          },
  ERR_EXPIRED: { text: 'Run the login again for a new code.', said: /start again|run the login again/i },
  ERR_NETWORK: (e) =>
    /certificate|TLS/i.test(e.message)
      ? {
          text: 'Trust the server\'s certificate authority with --ca-file or NODE_EXTRA_CA_CERTS (see the README, "Networks").',
        }
      : TRY_LATER,
  ERR_SERVER: { text: 'The provider is having trouble; try again later.', said: /try again/i },
  ERR_RATE_LIMITED: { text: 'Too many calls for now; wait a while and try again.', said: /try again/i },
  ERR_BAD_RESPONSE: (e) =>
    e.retryable
      ? { text: 'The provider (or something between it and you) answered with something unreadable; try again later.' }
      : {
          text: 'Check the URL (--issuer, --base-url) and any proxy or captive portal in the way: the answer is not what this server should send.',
        },
  ERR_RESPONSE_TOO_LARGE: {
    text: 'Check the URL (--issuer, --base-url): the answer is far larger than this server should send.',
  },
  ERR_REDIRECT_REFUSED: {
    text: 'Use the URL the server redirects to directly (after checking it is the right server).',
  },
  ERR_ISSUER_MISMATCH: { text: 'Use the exact issuer the provider names (compare both above, trailing "/" included).' },
  ERR_STORAGE: (e) =>
    // A file or folder the message names: the keychain and --store file are beside the point.
    /\/|token file|folder|profile/i.test(e.message)
      ? {
          text: 'Check the file or folder named above: it must be yours and writable only by you.',
          said: STORAGE_REMEDY,
        }
      : { text: 'Check the keychain, or use --store file.', said: STORAGE_REMEDY },
  ERR_STORAGE_UNAVAILABLE: {
    text: 'Install and unlock a keychain (Secret Service), or use --store file.',
    said: /--store file|install/i,
  },
  ERR_INVALID_CLIENT: {
    text: 'Check the client id (or consumer key) and how the app is registered at the provider.',
    said: /check the/i,
  },
  ERR_INVALID_REQUEST: {
    text: "The provider refused the request as sent; check --scope, --resource and the app's registration.",
  },
  ERR_FORBIDDEN: { text: 'This login lacks the permission for that call; log in with the scopes it needs.' },
  ERR_CODE_INVALID: LOGIN_AGAIN,
  ERR_STATE_MISMATCH: { text: 'Run the login again, and finish it in the browser tab it opens.' },
  ERR_PROTOCOL: (e) =>
    e.retryable ? TRY_LATER : { text: "See the provider's code above; check the app's registration and options." },
  ERR_LISTENER: (e) =>
    /EADDRINUSE/.test(e.message)
      ? { text: 'Another program is using the port: choose another (or stop that program).' }
      : { text: 'This machine refused to listen on its loopback interface; check 127.0.0.1 / ::1 on "lo".' },
  ERR_BROWSER: { text: 'Open the URL above yourself, or use --no-browser.' },
  ERR_INSECURE_URL: { text: 'Use https (plain http is accepted only on 127.0.0.1, [::1] and localhost).' },
  ERR_CONFIG: { text: "See the command's --help for its options.", said: /log in again|--help|no ID token/i },
  ERR_CANCELLED: { text: 'Nothing more was done; run the command again to start over.' },
  ERR_UNEXPECTED: { text: 'This is a bug in authmachine; AUTHMACHINE_DEBUG=1 shows its details.' },
};

/** The next step for `error`, or null when there is none or the message already says it. */
export function hintFor(error: AuthError): string | null {
  const rule: HintRule | undefined = HINTS[error.code];
  const hint = rule === undefined ? null : typeof rule === 'function' ? rule(error) : rule;
  if (hint === null || hint.said?.test(error.message)) return null;
  return hint.text;
}
