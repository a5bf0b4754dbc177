/**
 * HttpClient over Node's built-in fetch (undici). No dependency at all; same behaviour as the
 * axios client because both run under the shared policy in http-shared.ts.
 */
import type { HttpClient, HttpRequest, HttpResponse } from './contracts.js';
import { normaliseHeaders, sendWithPolicy, type HttpClientOptions, type Hop, type RawResponse } from './http-shared.js';

export type FetchHttpClientOptions = HttpClientOptions;

/** Sends requests with the global fetch under the shared policy. */
export class FetchHttpClient implements HttpClient {
  readonly #options: FetchHttpClientOptions;

  constructor(options: FetchHttpClientOptions = {}) {
    this.#options = { ...options };
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    return sendWithPolicy(request, this.#options, sendOnce);
  }
}

async function sendOnce(hop: Hop, signal: AbortSignal): Promise<RawResponse> {
  const init: RequestInit = { method: hop.method, headers: hop.headers, redirect: 'manual', signal };
  if (hop.body !== undefined) init.body = hop.body;
  const response = await fetch(hop.url, init);
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
