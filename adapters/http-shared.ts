/**
 * The policy both HTTP clients share: one deadline for the whole request, cancellation, the body
 * size limit, same-origin-only redirects, header normalisation and the mapping of transport
 * failures to AuthErrors. A client only supplies `sendOnce`, one hop over its library.
 *
 * Messages name the host:port and what happened, never the path, query or body: those carry
 * secrets. Library errors are never attached as `cause` for the same reason (an axios error
 * holds the request config, body included).
 */
import type { HttpMethod, HttpRequest, HttpResponse } from './contracts.js';
import { AuthError, isAuthError } from './errors.js';
import { describeProxy, proxyFor } from './http-proxy.js';
import { parseHttpUrl } from './url-policy.js';

/** Default largest response body: 10 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Same-origin redirects followed before giving up. */
export const DEFAULT_MAX_REDIRECTS = 3;

/** Options both clients accept. */
export interface HttpClientOptions {
  /** Body limit for requests that do not set `maxBodyBytes`. Default 10 MiB. */
  maxBodyBytes?: number;
  /** How many same-origin redirects to follow. Default 3; 0 refuses every redirect. */
  maxRedirects?: number;
  /**
   * Certificate authorities (PEM text) trusted for https besides the system's and
   * NODE_EXTRA_CA_CERTS: a company CA, a test CA. Default none.
   */
  ca?: string | readonly string[];
}

/** The trust list for `ca`: Node's own roots plus the given ones (an agent's `ca` replaces the roots). */
export function trustedCas(
  ca: string | readonly string[] | undefined,
  rootCertificates: readonly string[],
): string[] | undefined {
  if (ca === undefined) return undefined;
  return [...rootCertificates, ...(typeof ca === 'string' ? [ca] : ca)];
}

/** One request as a client sends it: no redirect following, no timeout of its own. */
export interface Hop {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** A response whose body has not been read yet. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
  /** Drops the body and frees the connection. Safe to call more than once. */
  discard(): void;
}

export type SendOnce = (hop: Hop, signal: AbortSignal) => Promise<RawResponse>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Reasons our own controller aborts with, so a failure can be told apart from its symptom. */
const TIMED_OUT = Symbol('timed out');
const CANCELLED = Symbol('cancelled');

/** "host:port" with the default port filled in: what every message names. */
export function describeTarget(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/** True when `location` (resolved against `from`) has the same scheme, host and port. */
export function isSameOrigin(from: URL, location: URL): boolean {
  return from.origin === location.origin;
}

/** Lower-cases names and joins repeated values with ", ". Undefined values are dropped. */
export function normaliseHeaders(
  entries: Iterable<[string, string | number | readonly string[] | undefined | null]>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[key] = key in out ? `${out[key]}, ${text}` : text;
  }
  return out;
}

/** Runs one request under the shared policy. */
export async function sendWithPolicy(
  request: HttpRequest,
  options: HttpClientOptions,
  sendOnce: SendOnce,
): Promise<HttpResponse> {
  let url = parseHttpUrl(request.url, 'request URL');
  const maxBodyBytes = request.maxBodyBytes ?? options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!(request.timeoutMs > 0)) throw new AuthError('ERR_CONFIG', 'An HTTP request needs a positive timeoutMs.');
  if (request.signal?.aborted) throw cancelled(url);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMED_OUT), request.timeoutMs);
  const onCallerAbort = () => controller.abort(CANCELLED);
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let hop: Hop = { method: request.method, url, headers: { ...request.headers } };
  if (request.body !== undefined) hop.body = request.body;
  try {
    for (let redirects = 0; ; redirects++) {
      url = hop.url;
      const raw = await sendOnce(hop, controller.signal).catch((error: unknown) => {
        throw throughProxy(mapFailure(error, url, controller.signal, request.timeoutMs), url);
      });
      const location = raw.headers['location'];
      if (REDIRECT_STATUSES.has(raw.status) && location !== undefined) {
        raw.discard();
        const target = resolveLocation(location, url);
        if (target === null || !isSameOrigin(url, target)) {
          throw new AuthError(
            'ERR_REDIRECT_REFUSED',
            `${describeTarget(url)} redirected to ${target ? describeTarget(target) : 'an invalid location'}; ` +
              'a redirect to another origin is never followed.',
            { status: raw.status },
          );
        }
        if (redirects >= maxRedirects) {
          throw new AuthError(
            'ERR_REDIRECT_REFUSED',
            `${describeTarget(url)} redirected more than ${maxRedirects} times; stopped following.`,
            { status: raw.status },
          );
        }
        hop = nextHop(hop, raw.status, target);
        continue;
      }
      const body = await readLimited(raw, maxBodyBytes, controller.signal).catch((error: unknown) => {
        throw mapFailure(error, url, controller.signal, request.timeoutMs);
      });
      return { status: raw.status, headers: raw.headers, body };
    }
  } catch (error) {
    // Tear down whatever is still open (a stalled body, a half-read stream).
    if (!controller.signal.aborted) controller.abort(error);
    throw error;
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** Names the proxy (host:port only) in a connection failure that went through one. */
function throughProxy(error: AuthError, url: URL): AuthError {
  if (error.code !== 'ERR_NETWORK' && error.code !== 'ERR_TIMEOUT') return error;
  let proxy: URL | null;
  try {
    proxy = proxyFor(url);
  } catch {
    return error;
  }
  if (proxy === null) return error;
  const message = `${error.message.replace(/\.$/, '')} (through the proxy ${describeProxy(proxy)}).`;
  return new AuthError(error.code, message, error);
}

function resolveLocation(location: string, base: URL): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

/** 303 (and 301/302 after a POST, as browsers do) become a GET without body; 307/308 resend as is. */
function nextHop(hop: Hop, status: number, url: URL): Hop {
  const toGet = status === 303 || ((status === 301 || status === 302) && hop.method === 'POST');
  if (!toGet) return { ...hop, url };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(hop.headers)) {
    if (!/^content-(type|length)$/i.test(name)) headers[name] = value;
  }
  return { method: 'GET', url, headers };
}

class BodyTooLarge extends Error {}

/** Reads the body as UTF-8 text, stopping at `limit` bytes or when `signal` aborts. */
async function readLimited(raw: RawResponse, limit: number, signal: AbortSignal): Promise<string> {
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    raw.discard();
    throw new BodyTooLarge();
  }
  const iterator = raw.body[Symbol.asyncIterator]();
  // Races every read with the signal so a stalled body ends even if the library does not notice.
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if (signal.aborted) throw signal.reason;
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step.done) break;
      total += step.value.byteLength;
      if (total > limit) throw new BodyTooLarge();
      chunks.push(step.value);
    }
  } catch (error) {
    raw.discard();
    void iterator.return?.().catch(() => {});
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function cancelled(url: URL): AuthError {
  return new AuthError('ERR_CANCELLED', `The request to ${describeTarget(url)} was cancelled.`);
}

/** What went wrong, in words, from the error codes anywhere in the cause chain. */
const NETWORK_CODES: Array<[RegExp, string, boolean]> = [
  [/^ECONNREFUSED$/, 'connection refused', true],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|ERR_STREAM_PREMATURE_CLOSE)$/, 'connection reset', true],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|EAI_NODATA)$/, 'host name could not be resolved', true],
  [/^(EHOSTUNREACH|ENETUNREACH|ENETDOWN|EHOSTDOWN)$/, 'host unreachable', true],
  [/^(UND_ERR_RES_CONTENT_LENGTH_MISMATCH|HPE_[A-Z_]+|ERR_BAD_RESPONSE)$/, 'malformed or truncated response', true],
  [/(CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO)/, 'TLS handshake or certificate check failed', false],
];

/** Turns whatever a library threw into an AuthError that is safe to show. */
export function mapFailure(error: unknown, url: URL, signal: AbortSignal, timeoutMs: number): AuthError {
  const target = describeTarget(url);
  if (isAuthError(error)) return error;
  if (error instanceof BodyTooLarge) {
    return new AuthError('ERR_RESPONSE_TOO_LARGE', `The response from ${target} is larger than the allowed size.`);
  }
  if (signal.aborted && signal.reason === TIMED_OUT) {
    return new AuthError('ERR_TIMEOUT', `The request to ${target} timed out after ${timeoutMs} ms.`);
  }
  if (signal.aborted && signal.reason === CANCELLED) return cancelled(url);

  const codes = collectCodes(error);
  if (
    codes.some((code) =>
      /^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/.test(code),
    )
  ) {
    return new AuthError('ERR_TIMEOUT', `The connection to ${target} timed out.`);
  }
  for (const [pattern, words, retryable] of NETWORK_CODES) {
    const code = codes.find((candidate) => pattern.test(candidate));
    if (code !== undefined) {
      return new AuthError('ERR_NETWORK', `Request to ${target} failed: ${words} (${code}).`, { retryable });
    }
  }
  if (hasMessage(error, /socket hang up|terminated|other side closed|aborted/i)) {
    return new AuthError('ERR_NETWORK', `Request to ${target} failed: connection reset.`);
  }
  const shown = codes.find((code) => /^[A-Z][A-Z0-9_]{1,40}$/.test(code));
  return new AuthError('ERR_NETWORK', `Request to ${target} failed${shown ? ` (${shown})` : ''}.`);
}

/** Error codes from the error, its causes and aggregated errors. Only `code` fields are read. */
function collectCodes(error: unknown, depth = 0): string[] {
  if (depth > 5 || typeof error !== 'object' || error === null) return [];
  const codes: string[] = [];
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') codes.push(code);
  codes.push(...collectCodes(cause, depth + 1));
  if (Array.isArray(errors)) for (const inner of errors) codes.push(...collectCodes(inner, depth + 1));
  return codes;
}

function hasMessage(error: unknown, pattern: RegExp, depth = 0): boolean {
  if (depth > 5 || !(error instanceof Error)) return false;
  return pattern.test(error.message) || hasMessage(error.cause, pattern, depth + 1);
}
