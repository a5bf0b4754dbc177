/**
 * The inspector server's door for flows in other processes (`authmachine login --inspect` while
 * `authmachine inspect` runs). They send events their own redacting inspector already cleaned;
 * this only checks who is sending and that the shape is an event list.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RedactedInspectionEvent } from './inspection-event.js';

/** The request header that carries the inspector server's ingest key (see {@link InspectorServerOptions.ingestKey}). */
export const INGEST_KEY_HEADER = 'x-authmachine-inspector-key';
const MAX_BODY_BYTES = 1024 * 1024;

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

function isEvent(value: unknown): value is RedactedInspectionEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.type === 'string' &&
    e.type.startsWith('@xstate.') &&
    typeof e.sessionId === 'string' &&
    typeof e.at === 'number'
  );
}

export function ingest(
  req: IncomingMessage,
  res: ServerResponse,
  key: string,
  add: (event: RedactedInspectionEvent) => void,
): void {
  if (req.method !== 'POST') {
    answer(res, 405, 'POST only.');
    return;
  }
  // JSON only: a web page cannot send this content type cross-site without a preflight.
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    answer(res, 415, 'JSON only.');
    return;
  }
  const given = req.headers[INGEST_KEY_HEADER];
  if (typeof given !== 'string' || !sameKey(given, key)) {
    answer(res, 403, 'Wrong inspector key.');
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      answer(res, 413, 'Too large.');
      req.destroy();
    } else chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.headersSent) return;
    let events: unknown;
    try {
      events = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(res, 400, 'Not JSON.');
    }
    if (!Array.isArray(events) || !events.every(isEvent))
      return answer(res, 400, 'Expected a list of inspection events.');
    for (const event of events) add(event);
    answer(res, 204, '');
  });
}
