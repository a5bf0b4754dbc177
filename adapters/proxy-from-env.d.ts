/** proxy-from-env ships no types: the one function we use. */
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from the environment, or "" for none (NO_PROXY honoured). */
  export function getProxyForUrl(url: string | URL): string;
}
