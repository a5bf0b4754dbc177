/** The small part of oidc-provider 9 (untyped JavaScript) that the test harness uses. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcAccessToken {
    accountId: string;
    scope?: string;
    clientId: string;
    isExpired: boolean;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    AccessToken: { find(value: string): Promise<OidcAccessToken | undefined> };
  }
}
