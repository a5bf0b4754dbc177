/**
 * Turns a Pocket error answer into an AuthError. Pocket marks errors with the headers
 * X-Error-Code and X-Error (the body is only the status text), so the headers decide, not the
 * body. Messages are fixed text that tells a person what to do; they never echo a secret.
 */
import type { HttpResponse } from '../../adapters/contracts.js';
import { AuthError, type AuthErrorCode } from '../../adapters/errors.js';
import { exhaustedLimit, readRateLimits, retryAfterMs } from './rate-limit.js';

/** Which kind of call answered: the two OAuth steps or a data endpoint (/v3/get, add, send). */
export type PocketEndpointKind = 'request' | 'authorize' | 'data';

interface ErrorRow {
  code: AuthErrorCode;
  message: string;
}

const BUG = 'This is a bug in the login flow; please report it.';

const TOKEN_INVALID_ROW: ErrorRow = {
  code: 'ERR_TOKEN_INVALID',
  message: 'Pocket needs a valid access token for this call. Log in again.',
};

/** Every X-Error-Code in pocket-api.md. 199 and 5xx are handled as server errors below. */
const BY_PROVIDER_CODE: Record<string, ErrorRow> = {
  // OAuth endpoints
  '138': {
    code: 'ERR_INVALID_CLIENT',
    message: 'Pocket received no consumer key. Pass the one Pocket issued for your app.',
  },
  '140': { code: 'ERR_INVALID_REQUEST', message: `Pocket received no redirect URI. ${BUG}` },
  '152': {
    code: 'ERR_INVALID_CLIENT',
    message: 'Pocket does not recognise this consumer key. Check that it is the one Pocket issued for your app.',
  },
  '181': {
    code: 'ERR_INVALID_REQUEST',
    message: 'Pocket rejected the redirect URI. Check that it is a valid absolute URL.',
  },
  '182': { code: 'ERR_INVALID_REQUEST', message: `Pocket received no request token to exchange. ${BUG}` },
  '185': {
    code: 'ERR_CODE_INVALID',
    message: 'Pocket does not know this request token (it may have expired). Log in again.',
  },
  '158': { code: 'ERR_DECLINED', message: 'Access was declined in the browser (or not yet approved).' },
  '159': { code: 'ERR_CODE_INVALID', message: 'This request token was already exchanged. Log in again.' },
  // Data endpoints
  '130': {
    code: 'ERR_INVALID_REQUEST',
    message: 'Pocket rejected a parameter of this request. Check the options you passed.',
  },
  '107': TOKEN_INVALID_ROW,
  '136': {
    code: 'ERR_TOKEN_INVALID',
    message:
      'Pocket does not accept this consumer key for the stored login. Check the consumer key, then log in again.',
  },
  '137': {
    code: 'ERR_TOKEN_INVALID',
    message: 'The stored access token belongs to a different consumer key. Log in again with this key.',
  },
  '150': {
    code: 'ERR_FORBIDDEN',
    message:
      "This consumer key may not use this Pocket endpoint. Check the key's permissions in Pocket's developer settings.",
  },
  '151': {
    code: 'ERR_FORBIDDEN',
    message: 'This consumer key lacks the permission this call needs (add, modify or retrieve). Check its permissions.',
  },
};

const SERVER_MESSAGE = 'Pocket reported a server problem. Try again later.';

/**
 * Pocket's error codes are small numbers. Anything else in X-Error-Code (a proxy's text, a
 * server echoing what we sent) is dropped rather than copied into a message.
 */
function cleanPocketCode(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed !== undefined && /^\d{1,6}$/.test(trimmed) ? trimmed : undefined;
}

/** True when the answer is an error: Pocket's error headers, or a status outside 2xx. */
export function isPocketErrorResponse(response: HttpResponse): boolean {
  return (
    response.headers['x-error-code'] !== undefined ||
    response.headers['x-error'] !== undefined ||
    response.status < 200 ||
    response.status > 299
  );
}

function rateLimited(response: HttpResponse, providerCode: string | undefined): AuthError {
  const scope = exhaustedLimit(readRateLimits(response.headers));
  const wait = retryAfterMs(response.headers);
  const whose = scope === 'key' ? 'for this consumer key' : 'for this user';
  const when = wait === undefined ? 'Try again later.' : `Try again in ${Math.ceil(wait / 1000)} s.`;
  return new AuthError('ERR_RATE_LIMITED', `Pocket's rate limit ${whose} is reached. ${when}`, {
    status: response.status,
    ...(providerCode === undefined ? {} : { providerCode }),
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  });
}

/**
 * Maps an error answer to an AuthError with the HTTP status and Pocket's X-Error-Code as
 * providerCode. Known codes get their own message; a rate-limit 403 or a 429 gives
 * ERR_RATE_LIMITED with retryAfterMs; 199 and 5xx give a retryable ERR_SERVER; anything else
 * ERR_PROTOCOL (or ERR_TOKEN_INVALID for a bare 401 on a data call). Pocket's X-Error text is
 * not copied: a server could echo a secret in it.
 */
export function pocketError(response: HttpResponse, endpoint: PocketEndpointKind): AuthError {
  const status = response.status;
  const providerCode = cleanPocketCode(response.headers['x-error-code']);
  const options = { status, ...(providerCode === undefined ? {} : { providerCode }) };

  const row = providerCode === undefined ? undefined : BY_PROVIDER_CODE[providerCode];
  if (row) return new AuthError(row.code, row.message, options);

  if (
    status === 429 ||
    (status === 403 && providerCode === undefined && exhaustedLimit(readRateLimits(response.headers)))
  ) {
    return rateLimited(response, providerCode);
  }
  if (providerCode === '199' || status >= 500) {
    const wait = retryAfterMs(response.headers);
    return new AuthError('ERR_SERVER', SERVER_MESSAGE, {
      ...options,
      retryable: true,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if (endpoint === 'data' && status === 401) {
    return new AuthError('ERR_TOKEN_INVALID', TOKEN_INVALID_ROW.message, options);
  }
  const what = providerCode === undefined ? `HTTP ${status}` : `error ${providerCode} (HTTP ${status})`;
  return new AuthError('ERR_PROTOCOL', `Pocket answered with ${what}, which this client does not know.`, options);
}
