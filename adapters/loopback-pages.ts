/**
 * The small HTML pages the loopback receiver shows in the browser, and the headers they carry.
 * Everything that came from the request is escaped before it is echoed.
 */
import type { ServerResponse } from 'node:http';
import { type RedirectOutcome, safeProviderText } from '../vocabulary/index.js';

/** Headers on every response: nothing cached, nothing loaded, nothing leaked via Referer. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  Connection: 'close',
};

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** Sends a page. `title` and `message` are plain text; they are escaped here. */
export function sendPage(res: ServerResponse, status: number, title: string, message: string): void {
  const body =
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<title>${escapeHtml(title)}</title></head>\n` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>\n`;
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** A provider code as shown on a page: RFC 6749's error characters only, short. */
function saidText(code: string | undefined): string {
  return code ? ` (the provider said: ${safeProviderText(code, 64)})` : '';
}

/** Short, fixed reasons by error code: nothing from a server's body reaches the page. */
const FAILED_BECAUSE: Partial<Record<string, string>> = {
  ERR_NETWORK: 'the provider could not be reached to finish it',
  ERR_TIMEOUT: 'the provider did not answer in time',
  ERR_SERVER: 'the provider had a server error',
  ERR_RATE_LIMITED: 'the provider refused more requests for now',
  ERR_CODE_INVALID: 'the provider no longer accepted this approval (expired or already used)',
  ERR_INVALID_CLIENT: 'the provider does not accept this app as registered',
  ERR_STATE_MISMATCH: 'the answer did not belong to this login',
  ERR_ISSUER_MISMATCH: 'the answer came from another server than the one this login started at',
  ERR_STORAGE: 'the token could not be saved on this computer',
  ERR_STORAGE_UNAVAILABLE: 'the token could not be saved on this computer',
  ERR_BAD_RESPONSE: 'the provider answered with something unreadable',
};

/** The page for how the login ended (see RedirectOutcome). Status 200: the request itself was fine. */
export function sendOutcomePage(res: ServerResponse, outcome: RedirectOutcome | null): void {
  switch (outcome?.kind) {
    case 'authorized':
      sendPage(res, 200, 'Login complete', 'You can close this tab and return to the terminal.');
      return;
    case 'declined':
      sendPage(
        res,
        200,
        'Access declined',
        `Access was declined${saidText(outcome.providerCode)}, so nothing was saved. You can close this tab.`,
      );
      return;
    case 'failed':
      sendPage(
        res,
        200,
        'Login failed',
        `The login failed: ${FAILED_BECAUSE[outcome.code] ?? 'the token exchange did not succeed'} (${outcome.code})` +
          `${saidText(outcome.providerCode)}. The terminal says what to do next.`,
      );
      return;
    default:
      sendPage(
        res,
        200,
        'Return to your terminal',
        'The response reached authmachine. Return to your terminal to see how the login ended.',
      );
  }
}

/** The page for an error redirect that lacks this login's state: it repeats the provider's error. */
export function sendStrayErrorPage(res: ServerResponse, error: string, description: string | undefined): void {
  sendPage(
    res,
    400,
    'The provider reported an error',
    `The provider answered with the error "${error}"${description ? ` (${description})` : ''}. ` +
      "That answer did not carry this login's state, so authmachine cannot trust it to end the login " +
      'and keeps waiting; your terminal shows the same error.',
  );
}
