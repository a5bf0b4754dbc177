/**
 * A fake HttpClient for Pocket tests: routes each request by URL path to a handler, and records
 * every request (method, URL, headers, parsed JSON body) so tests can assert the exact wire form.
 * Reply helpers build answers shaped like the real service's, errors included.
 */
import type { HttpClient, HttpRequest, HttpResponse } from '../../adapters/contracts.js';

export interface RecordedRequest extends HttpRequest {
  /** URL path, e.g. "/v3/get". */
  path: string;
  /** The body parsed as JSON (undefined if it is not JSON). */
  json: any;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Gets the request and how many earlier requests the same path had (0 for the first). */
export type FakeHandler = (request: RecordedRequest, callIndex: number) => FakeReply | Promise<FakeReply>;

export class FakePocketHttp implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  readonly #routes: Map<string, FakeHandler>;
  readonly #calls = new Map<string, number>();

  constructor(routes: Record<string, FakeHandler | FakeReply>) {
    this.#routes = new Map(
      Object.entries(routes).map(([path, route]) => [path, typeof route === 'function' ? route : () => route]),
    );
  }

  /** Requests to one path, in order. */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    let json: unknown;
    try {
      json = request.body === undefined ? undefined : JSON.parse(request.body);
    } catch {
      json = undefined;
    }
    const recorded: RecordedRequest = { ...request, path: new URL(request.url).pathname, json };
    this.requests.push(recorded);
    const handler = this.#routes.get(recorded.path);
    if (!handler) return { status: 404, headers: { 'content-type': 'text/html' }, body: '<h1>Not Found</h1>' };
    const callIndex = this.#calls.get(recorded.path) ?? 0;
    this.#calls.set(recorded.path, callIndex + 1);
    const reply = await handler(recorded, callIndex);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = value;
    return { status: reply.status ?? 200, headers, body: reply.body ?? '' };
  }
}

/** A JSON success answer. */
export function jsonReply(value: unknown, headers: Record<string, string> = {}): FakeReply {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=UTF-8', ...headers },
    body: JSON.stringify(value),
  };
}

/** A form-encoded success answer, as the OAuth endpoints give without X-Accept. */
export function formReply(fields: Record<string, string>): FakeReply {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** An error as Pocket sent it: bare status text body, text/html, X-Error-Code / X-Error / X-Source. */
export function pocketErrorReply(
  status: number,
  errorCode?: string,
  errorMessage?: string,
  extraHeaders: Record<string, string> = {},
): FakeReply {
  const headers: Record<string, string> = {
    'Content-Type': 'text/html; charset=UTF-8',
    'X-Source': 'Pocket',
    ...extraHeaders,
  };
  if (errorCode !== undefined) headers['X-Error-Code'] = errorCode;
  if (errorMessage !== undefined) headers['X-Error'] = errorMessage;
  return { status, headers, body: `${status} ${STATUS_TEXT[status] ?? 'Error'}` };
}

/** X-Limit-* headers as Pocket sent them on data answers. */
export function limitHeaders(user: [number, number, number], key: [number, number, number]): Record<string, string> {
  return {
    'X-Limit-User-Limit': String(user[0]),
    'X-Limit-User-Remaining': String(user[1]),
    'X-Limit-User-Reset': String(user[2]),
    'X-Limit-Key-Limit': String(key[0]),
    'X-Limit-Key-Remaining': String(key[1]),
    'X-Limit-Key-Reset': String(key[2]),
  };
}
