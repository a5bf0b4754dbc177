/** The small part of oidc-provider 9 (untyped JavaScript) that the test harness uses. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcAccessToken {
    accountId: string;
    scope?: string;
    clientId: string;
    isExpired: boolean;
    /** Removes the token from the provider's storage: it is refused from then on. */
    destroy(): Promise<void>;
    /** RFC 9449: the thumbprint of the key a DPoP-bound token is bound to. */
    jkt?: string;
  }

  export interface OidcKoaContext {
    path: string;
    method: string;
    status: number;
    body: unknown;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    /** Koa middleware, run around the provider's own routes. */
    use(middleware: (ctx: OidcKoaContext, next: () => Promise<void>) => Promise<void>): this;
    AccessToken: { find(value: string): Promise<OidcAccessToken | undefined> };
  }
}
