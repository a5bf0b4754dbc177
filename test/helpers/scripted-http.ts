/** A scripted HttpClient for protocol unit tests: answers by "METHOD url", records every request. */
import type { HttpClient, HttpRequest, HttpResponse } from '../../adapters/contracts.js';
import { ManualClock, seededRandom } from '../../adapters/system-clock.js';
import type { ProtocolContext } from '../../src/protocol.js';

export type Responder = HttpResponse | HttpResponse[] | ((request: HttpRequest) => HttpResponse);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export interface ScriptedHttp extends HttpClient {
  requests: HttpRequest[];
  /** Form fields of the n-th request whose URL is `url` (default: the last one). */
  formSentTo(url: string, index?: number): URLSearchParams;
}

/** Unknown routes answer 404. An array answers in order, then repeats its last entry. */
export function scriptedHttp(routes: Record<string, Responder>): ScriptedHttp {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(request) {
      requests.push(request);
      const route = routes[`${request.method} ${request.url}`];
      if (route === undefined) return json(404, { error: 'not_found' });
      if (typeof route === 'function') return route(request);
      if (Array.isArray(route)) return route.length > 1 ? route.shift()! : route[0]!;
      return route;
    },
    formSentTo(url, index = -1) {
      const matching = requests.filter((r) => r.url === url);
      return new URLSearchParams(matching.at(index)?.body ?? '');
    },
  };
}

export function scriptedContext(http: HttpClient, now = 1_700_000_000_000): ProtocolContext & { clock: ManualClock } {
  return { http, random: seededRandom(42), clock: new ManualClock(now), signal: new AbortController().signal };
}

export const ISSUER = 'https://as.example.com';

/** A discovery document for ISSUER (no jwks_uri: ID tokens get claim checks only); override or drop members with `extra` (undefined drops). */
export function discoveryDocument(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    revocation_endpoint: `${ISSUER}/revoke`,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    ...extra,
  };
}

/** An unsigned-looking JWT with the given payload (claim checks only read the payload). */
export function fakeJwt(payload: Record<string, unknown>, alg = 'RS256'): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg, kid: 'k1' })}.${part(payload)}.${Buffer.from('signature').toString('base64url')}`;
}
