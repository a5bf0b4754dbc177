/**
 * Request parameters from the query string and the body: form-encoded or JSON, with the charset
 * spelled any way clients spelled it (`UTF8`, `utf8`, `utf-8`). GET requests may carry a body
 * too: the seed sends `/v3/get` as a GET with a JSON body, and the real service accepted it.
 */
import type { IncomingMessage } from 'node:http';

/** Parameter values as sent: strings from forms, any JSON value from JSON bodies. */
export type RequestParams = Record<string, unknown>;

export interface ParsedParams {
  params: RequestParams;
  /** The body could not be read as its content type says (bad JSON, unknown charset). */
  malformed: boolean;
}

export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
  }
}

/** Reads the whole body, refusing more than `maxBytes`. */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Maps a charset label to a decoder, or null when it is not one we know. */
function decoderFor(charset: string | undefined): TextDecoder | null {
  const label = (charset ?? 'utf-8').trim().replace(/^"|"$/g, '').toLowerCase();
  const normalized = label.replace(/[-_]/g, '') === 'utf8' ? 'utf-8' : label;
  try {
    return new TextDecoder(normalized, { fatal: true });
  } catch {
    return null;
  }
}

function parseContentType(header: string | undefined): { mediaType: string; charset: string | undefined } {
  const [mediaType = '', ...rest] = (header ?? '').split(';');
  let charset: string | undefined;
  for (const part of rest) {
    const [name, value] = part.split('=');
    if (name?.trim().toLowerCase() === 'charset') charset = value;
  }
  return { mediaType: mediaType.trim().toLowerCase(), charset };
}

/** Query parameters overlaid with body parameters (the body wins). */
export function parseParams(raw: Buffer, contentTypeHeader: string | undefined, query: URLSearchParams): ParsedParams {
  const params: RequestParams = Object.fromEntries(query);
  if (raw.length === 0) return { params, malformed: false };
  const { mediaType, charset } = parseContentType(contentTypeHeader);
  const decoder = decoderFor(charset);
  if (!decoder) return { params, malformed: true };
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    return { params, malformed: true };
  }
  const looksJson =
    mediaType === 'application/json' ||
    mediaType.endsWith('+json') ||
    (mediaType !== 'application/x-www-form-urlencoded' && text.trimStart().startsWith('{'));
  if (looksJson) {
    try {
      const value: unknown = JSON.parse(text);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return { params, malformed: true };
      return { params: { ...params, ...(value as RequestParams) }, malformed: false };
    } catch {
      return { params, malformed: true };
    }
  }
  return { params: { ...params, ...Object.fromEntries(new URLSearchParams(text)) }, malformed: false };
}

/** A parameter as a string (numbers and booleans converted), or null when absent or not scalar. */
export function paramString(params: RequestParams, name: string): string | null {
  const value = params[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return null;
}
