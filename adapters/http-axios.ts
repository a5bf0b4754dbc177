/**
 * HttpClient over axios. axios is imported on the first send(), so a host that brings its own
 * client (or only imports the adapters index) never loads it.
 *
 * Proxies: axios's own proxy support sends an https request to the proxy without CONNECT, so it
 * is switched off (`proxy: false`) and the agents of https-proxy-agent (CONNECT tunnel) and
 * http-proxy-agent (absolute-form request) are used instead, chosen per request by proxyFor().
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import type { AxiosInstance } from 'axios';
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
 * Options of {@link AxiosHttpClient}: `maxBodyBytes` (default 10 MiB), `maxRedirects` (same-origin
 * only, default 3), `ca` (extra trusted PEM certificates).
 */
export type AxiosHttpClientOptions = HttpClientOptions;

/** One import for the process: a client per login must not pay a module resolution each time. */
let axiosModule: Promise<typeof import('axios')> | undefined;

/** Sends requests with axios under the shared policy (deadline, size limit, same-origin redirects, proxies). */
export class AxiosHttpClient implements HttpClient {
  readonly #options: AxiosHttpClientOptions;
  #axios: Promise<AxiosInstance> | undefined;
  /** Agents by proxy and scheme: connections to one proxy are reused. */
  readonly #agents = new Map<string, Promise<HttpAgent | HttpsAgent>>();

  constructor(options: AxiosHttpClientOptions = {}) {
    this.#options = { ...options };
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    return sendWithPolicy(request, this.#options, (hop, signal) => this.#sendOnce(hop, signal));
  }

  async #sendOnce(hop: Hop, signal: AbortSignal): Promise<RawResponse> {
    axiosModule ??= import('axios');
    this.#axios ??= axiosModule.then((module) => module.default.create());
    const axios = await this.#axios;
    const agent = await this.#agentFor(hop.url);
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
      // Proxies go through the agents below (CONNECT for https), never axios's own handling.
      proxy: false,
      ...(agent === undefined ? {} : hop.url.protocol === 'https:' ? { httpsAgent: agent } : { httpAgent: agent }),
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

  /** The agent for this URL: a proxy agent, an https agent with the extra CAs, or none (Node's default). */
  #agentFor(url: URL): Promise<HttpAgent | HttpsAgent> | undefined {
    const proxy = proxyFor(url);
    const https = url.protocol === 'https:';
    if (proxy === null && !(https && this.#options.ca !== undefined)) return undefined;
    const key = `${proxy?.href ?? 'direct'} ${url.protocol}`;
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      agent = makeAgent(proxy, https, this.#options.ca);
      this.#agents.set(key, agent);
    }
    return agent;
  }
}

async function makeAgent(
  proxy: URL | null,
  https: boolean,
  ca: HttpClientOptions['ca'],
): Promise<HttpAgent | HttpsAgent> {
  const { rootCertificates } = await import('node:tls');
  const trusted = trustedCas(ca, rootCertificates);
  const tls = trusted === undefined ? {} : { ca: trusted };
  if (proxy === null) {
    const { Agent } = await import('node:https');
    return new Agent({ keepAlive: true, ...tls });
  }
  if (https) {
    const [{ HttpsProxyAgent }, { checkServerIdentity }] = await Promise.all([
      import('https-proxy-agent'),
      import('node:tls'),
    ]);
    const agent = new HttpsProxyAgent(proxy, { keepAlive: true });
    // The TLS session to the target takes its options from each request: axios gives no `ca`,
    // and the agent drops `host`, so an IP target would be checked against "localhost".
    const connect = agent.connect.bind(agent);
    agent.connect = (req, opts) => {
      const host = opts.host ?? '';
      const extra = {
        ...tls,
        checkServerIdentity: (_name: string, cert: import('node:tls').PeerCertificate) =>
          checkServerIdentity(host, cert),
      };
      return connect(req, { ...opts, ...extra } as typeof opts);
    };
    return agent;
  }
  const { HttpProxyAgent } = await import('http-proxy-agent');
  return new HttpProxyAgent(proxy, { keepAlive: true });
}
