/**
 * The real thing wired for flow tests: createAuthFlow with the OAuth 2.0 protocol, axios, the
 * loopback receiver and a given store and browser, against the test provider. Plus small helpers
 * to watch the machine.
 */
import type {
  BrowserOpener,
  HttpClient,
  HttpRequest,
  HttpResponse,
  Lock,
  TokenStore,
} from '../../adapters/contracts.js';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { LoopbackReceiver } from '../../adapters/loopback-receiver.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { createAuthFlow, stateName, type AuthFlow } from '../../src/flow/auth-flow.js';
import { decodeTokenSet } from '../../src/flow/token-codec.js';
import {
  createOAuth2Protocol,
  type OAuth2ProtocolOptions,
  type ResourceRequest,
  type ResourceResponse,
} from '../../src/oauth2/index.js';
import type { TokenSet } from '../../src/protocol.js';
import { CLIENT_ID, type OidcServer } from './oidc-server.js';

export type OAuth2Flow = AuthFlow<ResourceRequest, ResourceResponse>;

/** Axios underneath, every request recorded (method and URL only matter to the tests). */
export class RecordingAxios implements HttpClient {
  readonly requests: HttpRequest[] = [];
  /** When each request was sent (epoch ms), by index. */
  readonly sentAt: number[] = [];
  readonly #inner = new AxiosHttpClient();

  send(request: HttpRequest): Promise<HttpResponse> {
    this.requests.push(request);
    this.sentAt.push(Date.now());
    return this.#inner.send(request);
  }

  /** Form bodies sent to `url`, parsed. */
  formsTo(url: string): URLSearchParams[] {
    return this.requests.filter((r) => r.url === url && r.method === 'POST').map((r) => new URLSearchParams(r.body));
  }
}

export interface FlowSetup {
  flow: OAuth2Flow;
  http: RecordingAxios;
  store: TokenStore;
  storageKey: string;
  /** Every state the machine went through, as innermost names. */
  states: string[];
}

export function oauth2Flow(
  server: OidcServer,
  options: { browser?: BrowserOpener; store?: TokenStore; lock?: Lock; protocol?: Partial<OAuth2ProtocolOptions> } = {},
): FlowSetup {
  const protocol = createOAuth2Protocol({
    issuer: server.issuer,
    clientId: CLIENT_ID,
    resource: server.issuer,
    ...options.protocol,
  });
  const http = new RecordingAxios();
  const store = options.store ?? new MemoryTokenStore();
  const flow = createAuthFlow({
    protocol,
    http,
    receiver: new LoopbackReceiver(),
    store,
    ...(options.browser ? { browser: options.browser } : {}),
    ...(options.lock ? { lock: options.lock } : {}),
    // Long enough for Chromium on a loaded machine, short of ava's 2 min: a stuck login fails
    // with ERR_TIMEOUT rather than as an ava timeout.
    config: { userTimeoutMs: 90_000 },
  });
  const states: string[] = [];
  flow.actor.subscribe((s) => {
    const name = JSON.stringify(s.value);
    if (states.at(-1) !== name) states.push(name);
  });
  return { flow, http, store, storageKey: protocol.storageKey, states };
}

/** Resolves once the flow is in the named state (by stateName). */
export function reached(flow: OAuth2Flow, name: string): Promise<void> {
  if (stateName(flow.actor.getSnapshot().value) === name) return Promise.resolve();
  return new Promise((resolve) => {
    const sub = flow.actor.subscribe((s) => {
      if (stateName(s.value) === name) {
        sub.unsubscribe();
        resolve();
      }
    });
  });
}

export async function storedToken(setup: FlowSetup): Promise<TokenSet | null> {
  const secret = await setup.store.get(setup.storageKey);
  return secret === null ? null : decodeTokenSet(secret, setup.store.location);
}

/** A direct call to the test resource with a given access token, outside the flow. */
export async function resourceStatus(server: OidcServer, accessToken: string): Promise<number> {
  const response = await fetch(server.resourceUrl, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.arrayBuffer();
  return response.status;
}
