/**
 * Pocket on the wire: every call is a POST with a JSON body, `Content-Type: application/json;
 * charset=UTF8` and `X-Accept: application/json` (as Pocket's own docs and clients send it).
 * Answers are JSON, or form-encoded from the OAuth endpoints when a server ignores X-Accept.
 * Errors are told apart by Pocket's X-Error-Code / X-Error headers, never by the body.
 */
import type { HttpClient, HttpRequest, HttpResponse } from '../../adapters/contracts.js';
import { AuthError, toAuthError } from '../../adapters/errors.js';
import { isPocketErrorResponse, pocketError, type PocketEndpointKind } from './errors.js';

/** The Content-Type of every Pocket request: JSON, spelled as Pocket's documentation spells it. */
export const POCKET_CONTENT_TYPE = 'application/json; charset=UTF8';
/** The Accept header of every Pocket request: without it Pocket answers form-encoded. */
export const POCKET_ACCEPT = 'application/json';

/** Where and how to call: the checked base URL, the deadline and the caller's abort signal. */
export interface PocketTarget {
  baseUrl: string;
  timeoutMs: number;
  signal?: AbortSignal;
  maxBodyBytes?: number;
}

/** A decoded answer: JSON object, or form fields as strings. */
export type PocketAnswer = Record<string, unknown>;

/** Builds the HttpRequest for one Pocket call. `path` starts with "/v3/". */
export function encodePocketRequest(target: PocketTarget, path: string, body: Record<string, unknown>): HttpRequest {
  const request: HttpRequest = {
    method: 'POST',
    url: `${target.baseUrl}${path}`,
    headers: { 'Content-Type': POCKET_CONTENT_TYPE, 'X-Accept': POCKET_ACCEPT },
    body: JSON.stringify(body),
    timeoutMs: target.timeoutMs,
  };
  if (target.signal) request.signal = target.signal;
  if (target.maxBodyBytes !== undefined) request.maxBodyBytes = target.maxBodyBytes;
  return request;
}

/** No `cause`: a JSON.parse error quotes the body it choked on, and the body may hold a token. */
function badResponse(message: string, status: number): AuthError {
  return new AuthError('ERR_BAD_RESPONSE', message, { status });
}

function decodeForm(body: string): PocketAnswer {
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) fields[name] = value;
  return fields;
}

/**
 * Decodes a success answer. `allowForm`: the OAuth endpoints may answer `code=...` or
 * `access_token=...&username=...`; data endpoints must answer JSON. An HTML page, malformed
 * JSON or JSON that is not an object is ERR_BAD_RESPONSE (its text is not copied).
 */
export function decodePocketAnswer(response: HttpResponse, options: { allowForm: boolean }): PocketAnswer {
  const contentType = (response.headers['content-type'] ?? '').toLowerCase();
  const body = response.body.trim();
  if (body === '') throw badResponse('Pocket sent an empty answer where data was expected.', response.status);
  if (contentType.includes('html') || body.startsWith('<')) {
    throw badResponse(
      'Pocket answered with an HTML page where JSON was expected. Check the Pocket base URL.',
      response.status,
    );
  }
  const looksJson = body.startsWith('{') || body.startsWith('[') || contentType.includes('json');
  if (!looksJson) {
    if (options.allowForm && (contentType.includes('x-www-form-urlencoded') || body.includes('='))) {
      return decodeForm(body);
    }
    throw badResponse('Pocket answered in a format this client cannot read (expected JSON).', response.status);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw badResponse('Pocket answered with malformed JSON.', response.status);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badResponse('Pocket answered with JSON that is not an object.', response.status);
  }
  return parsed as PocketAnswer;
}

/** One call's outcome: the decoded answer and the raw response (for its rate-limit headers). */
export interface PocketReply {
  answer: PocketAnswer;
  response: HttpResponse;
}

/**
 * Sends one Pocket call and decodes the answer. Throws AuthError only: the HttpClient's own
 * (network, timeout, cancelled), the mapped Pocket error, or ERR_BAD_RESPONSE.
 */
export async function callPocket(
  http: HttpClient,
  target: PocketTarget,
  endpoint: PocketEndpointKind,
  path: string,
  body: Record<string, unknown>,
): Promise<PocketReply> {
  let response: HttpResponse;
  try {
    response = await http.send(encodePocketRequest(target, path, body));
  } catch (error) {
    throw toAuthError(error);
  }
  if (isPocketErrorResponse(response)) throw pocketError(response, endpoint);
  return { answer: decodePocketAnswer(response, { allowForm: endpoint !== 'data' }), response };
}
