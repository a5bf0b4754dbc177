/**
 * Which proxy a request goes through: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY, in
 * upper or lower case, read from the environment at each request (proxy-from-env, the rules
 * curl and most tools share). Loopback is never proxied: a proxy elsewhere cannot reach this
 * machine's 127.0.0.1, and the loopback redirect must not leave the machine (RFC 8252 section 8.3).
 *
 * A proxy URL may hold a user and password: it never appears in a message.
 */
import { getProxyForUrl } from 'proxy-from-env';
import { AuthError } from './errors.js';
import { isLoopbackHost } from './url-policy.js';

/** The proxy for `url`, or null for a direct connection. ERR_CONFIG when the variable is not a URL. */
export function proxyFor(url: URL): URL | null {
  if (isLoopbackHost(url.hostname)) return null;
  const proxy = getProxyForUrl(url.href);
  if (!proxy) return null;
  let parsed: URL;
  try {
    parsed = new URL(proxy);
  } catch {
    throw new AuthError(
      'ERR_CONFIG',
      `The proxy set for ${url.protocol.replace(':', '')} (${url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'}) is not a valid URL.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AuthError('ERR_CONFIG', `Only http and https proxies are supported, not ${parsed.protocol}.`);
  }
  return parsed;
}

/** "host:port" of a proxy, for messages (never its user or password). */
export function describeProxy(proxy: URL): string {
  return `${proxy.hostname}:${proxy.port || (proxy.protocol === 'https:' ? '443' : '80')}`;
}
