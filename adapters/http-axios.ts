/**
 * HttpClient over axios. axios is imported on the first send(), so a host that brings its own
 * client (or only imports the adapters index) never loads it.
 */
import type { Readable } from 'node:stream';
import type { AxiosInstance } from 'axios';
import type { HttpClient, HttpRequest, HttpResponse } from './contracts.js';
import { normaliseHeaders, sendWithPolicy, type HttpClientOptions, type Hop, type RawResponse } from './http-shared.js';

export type AxiosHttpClientOptions = HttpClientOptions;

/** One import for the process: a client per login must not pay a module resolution each time. */
let axiosModule: Promise<typeof import('axios')> | undefined;

/** Sends requests with axios under the shared policy (deadline, size limit, same-origin redirects). */
export class AxiosHttpClient implements HttpClient {
  readonly #options: AxiosHttpClientOptions;
  #axios: Promise<AxiosInstance> | undefined;

  constructor(options: AxiosHttpClientOptions = {}) {
    this.#options = { ...options };
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    return sendWithPolicy(request, this.#options, (hop, signal) => this.#sendOnce(hop, signal));
  }

  async #sendOnce(hop: Hop, signal: AbortSignal): Promise<RawResponse> {
    this.#axios ??= (axiosModule ??= import('axios')).then((module) => module.default.create());
    const axios = await this.#axios;
    const response = await axios.request<Readable>({
      method: hop.method,
      url: hop.url.href,
      headers: hop.headers,
      data: hop.body,
      signal,
      responseType: 'stream',
      // The shared policy owns all of these: axios must not follow, time out, limit or judge.
      maxRedirects: 0,
      timeout: 0,
      maxContentLength: -1,
      maxBodyLength: -1,
      validateStatus: () => true,
      // Same as fetch: no proxy from the environment, so both clients reach the same hosts.
      proxy: false,
      // Keep the body a plain string: no JSON parsing, no request transforms.
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
    });
    const stream = response.data;
    return {
      status: response.status,
      headers: normaliseHeaders(Object.entries(response.headers as Record<string, string | string[] | undefined>)),
      body: stream,
      discard: () => {
        if (!stream.destroyed) stream.destroy();
      },
    };
  }
}
