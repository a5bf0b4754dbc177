/**
 * The small HTML pages the loopback receiver shows in the browser, and the headers they carry.
 * Everything that came from the request is escaped before it is echoed.
 */
import type { ServerResponse } from 'node:http';

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
