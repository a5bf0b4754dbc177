/**
 * How the emulator answers: Pocket's error convention (bare status text, text/html, X-Error-Code,
 * X-Error, X-Source), OAuth answers formatted by X-Accept, JSON for the data endpoints, and HTML.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

/** Pocket's error codes with their HTTP status and X-Error text. */
export const POCKET_ERRORS = {
  107: [401, 'A valid access token is required to access the requested API endpoint.'],
  130: [400, 'Invalid request, please refer to API documentation.'],
  136: [401, 'Invalid consumer key.'],
  137: [401, 'Consumer key and access token do not match.'],
  138: [400, 'Missing consumer key.'],
  140: [400, 'Missing redirect url.'],
  150: [403, 'Endpoint forbidden for this consumer key.'],
  151: [403, 'The provided keys do not have proper permission.'],
  152: [403, 'Invalid consumer key.'],
  158: [403, 'User rejected code.'],
  159: [403, 'Already used code.'],
  181: [400, 'Invalid redirect uri.'],
  182: [400, 'Missing code.'],
  185: [400, 'Code not found.'],
  199: [503, 'Pocket server issue.'],
} as const satisfies Record<number, readonly [number, string]>;

/** The X-Error-Code values the emulator answers with, each with Pocket's status and X-Error text. */
export type PocketErrorCode = keyof typeof POCKET_ERRORS;

/** Headers sent with every answer, on top of the content headers. */
export type ExtraHeaders = Record<string, string>;

/** Writes status and headers through setHeader, so getHeader (the log hook) can read them later. */
export function writeHead(response: ServerResponse, status: number, headers: Record<string, string | number>): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.writeHead(status);
}

/** "400 Bad Request": the whole body of a Pocket error. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Error'}`;
}

/** A bare-status answer in Pocket's error style, without error headers (e.g. the rate-limit 403). */
export function sendStatusOnly(response: ServerResponse, status: number, headers: ExtraHeaders = {}): void {
  const body = statusLine(status);
  writeHead(response, status, {
    ...headers,
    'Content-Type': 'text/html; charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Source': 'Pocket',
  });
  response.end(body);
}

/** A Pocket error. `status` overrides the table's (199 is sent with any 5xx). */
export function sendPocketError(
  response: ServerResponse,
  code: PocketErrorCode,
  headers: ExtraHeaders = {},
  status?: number,
): void {
  const [tableStatus, message] = POCKET_ERRORS[code];
  sendStatusOnly(response, status ?? tableStatus, { ...headers, 'X-Error-Code': String(code), 'X-Error': message });
}

export function sendJson(response: ServerResponse, body: string, headers: ExtraHeaders = {}, status = 200): void {
  writeHead(response, status, {
    ...headers,
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

export function sendHtml(response: ServerResponse, status: number, html: string, headers: ExtraHeaders = {}): void {
  writeHead(response, status, {
    ...headers,
    'Content-Type': 'text/html; charset=UTF-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
  });
  response.end(html);
}

/** Does the client ask for JSON (`X-Accept: application/json`)? */
export function wantsJson(request: IncomingMessage): boolean {
  const accept = request.headers['x-accept'];
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return value.toLowerCase().includes('application/json');
}

/**
 * An OAuth success: JSON when X-Accept asks for it, else form-encoded. Null values are JSON
 * `null` and are left out of the form answer.
 */
export function sendOAuthAnswer(
  request: IncomingMessage,
  response: ServerResponse,
  fields: Record<string, string | null>,
): void {
  if (wantsJson(request)) {
    sendJson(response, JSON.stringify(fields));
    return;
  }
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== null) form.append(name, value);
  const body = form.toString();
  writeHead(response, 200, {
    'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}
