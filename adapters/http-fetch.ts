/**
 * HttpClient over fetch (undici); same behaviour as the axios client because both run under the
 * shared policy in http-shared.ts. A direct request with no extra CA uses Node's built-in fetch.
 * Through a proxy (chosen per request by proxyFor(): CONNECT tunnel, undici's ProxyAgent) or with
 * extra CAs, the undici package's own fetch is used with its dispatcher, imported only then: the
 * global fetch and the package may be different undici versions, which must not be mixed.
 */
import type { Dispatcher } from 'undici';
import type { HttpClient, HttpRequest, HttpResponse } from './contracts.js';
import { proxyFor } from './http-proxy.js';
import {
  normaliseHeaders,
  sendWithPolicy,
  trustedCas,
  type HttpClientOptions,
  type Hop,
  type RawResponse,
} from './http-shared.js';

/**
 * Options of {@link FetchHttpClient}: `maxBodyBytes` (default 10 MiB), `maxRedirects` (same-origin
 * only, default 3), `ca` (extra trusted PEM certificates).
 */
export type FetchHttpClientOptions = HttpClientOptions;

type Undici = typeof import('undici');
let undiciModule: Promise<Undici> | undefined;

/** Sends requests with fetch under the shared policy. */
export class FetchHttpClient implements HttpClient {
  readonly #options: FetchHttpClientOptions;
  /** Dispatchers by proxy: connections to one proxy are reused. */
  readonly #dispatchers = new Map<string, Promise<Dispatcher>>();

  constructor(options: FetchHttpClientOptions = {}) {
    this.#options = { ...options };
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    return sendWithPolicy(request, this.#options, (hop, signal) => this.#sendOnce(hop, signal));
  }

  async #sendOnce(hop: Hop, signal: AbortSignal): Promise<RawResponse> {
    const proxy = proxyFor(hop.url);
    if (proxy === null && this.#options.ca === undefined) return sendOnce(hop, signal, fetch as never, undefined);
    const key = proxy?.href ?? 'direct';
    let dispatcher = this.#dispatchers.get(key);
    if (dispatcher === undefined) {
      dispatcher = makeDispatcher(proxy, this.#options.ca);
      this.#dispatchers.set(key, dispatcher);
    }
    undiciModule ??= import('undici');
    const undici = await undiciModule;
    return sendOnce(hop, signal, undici.fetch as never, await dispatcher);
  }
}

async function makeDispatcher(proxy: URL | null, ca: HttpClientOptions['ca']): Promise<Dispatcher> {
  undiciModule ??= import('undici');
  const [undici, { rootCertificates }] = await Promise.all([undiciModule, import('node:tls')]);
  const trusted = trustedCas(ca, rootCertificates);
  const tls = trusted === undefined ? {} : { ca: trusted };
  if (proxy === null) return new undici.Agent({ connect: tls });
  return new undici.ProxyAgent({ uri: proxy.href, requestTls: tls, proxyTls: tls });
}

type FetchLike = (url: URL, init: RequestInit & { dispatcher?: Dispatcher }) => Promise<Response>;

async function sendOnce(
  hop: Hop,
  signal: AbortSignal,
  fetchWith: FetchLike,
  dispatcher: Dispatcher | undefined,
): Promise<RawResponse> {
  const init: RequestInit & { dispatcher?: Dispatcher } = {
    method: hop.method,
    headers: hop.headers,
    redirect: 'manual',
    signal,
  };
  if (hop.body !== undefined) init.body = hop.body;
  if (dispatcher !== undefined) init.dispatcher = dispatcher;
  const response = await fetchWith(hop.url, init);
  const pairs: Array<[string, string]> = [];
  response.headers.forEach((value, name) => {
    pairs.push([name, value]);
  });
  const reader = response.body?.getReader();
  let discarded = false;
  const discard = () => {
    if (discarded || !reader) return;
    discarded = true;
    void reader.cancel().catch(() => {});
  };
  return {
    status: response.status,
    headers: normaliseHeaders(pairs),
    body: {
      async *[Symbol.asyncIterator]() {
        if (!reader) return;
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          discard();
        }
      },
    },
    discard,
  };
}
