/**
 * The URL rules every part shares: what counts as loopback (where plain http cannot be sniffed,
 * RFC 8252 section 8.3), and parsing an absolute http(s) URL. Messages name what the URL is for,
 * never the URL itself: a query may carry a request token.
 */
import { AuthError } from './errors.js';

/** True for 127.0.0.0/8, [::1] and "localhost". */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Parses an absolute http or https URL; anything else is ERR_CONFIG naming `what`. */
export function parseHttpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AuthError('ERR_CONFIG', `The ${what} is not a valid absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AuthError('ERR_CONFIG', `The ${what} must be an http or https URL, not ${url.protocol}.`);
  }
  return url;
}
