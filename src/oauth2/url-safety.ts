/**
 * Plain HTTP is refused everywhere except on loopback (RFC 8252 section 8.3): a token or a code
 * sent over the open network in clear text is a token given away.
 */
import { AuthError } from '../../adapters/errors.js';
import { isLoopbackHost } from '../../adapters/url-policy.js';

export { isLoopbackHost };

/**
 * Parses `url` and checks it is https, or http to a loopback host. `what` names the endpoint for
 * the message; the URL itself is not echoed (a query could carry something private).
 */
export function assertSafeUrl(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthError('ERR_CONFIG', `The ${what} is not an absolute URL.`);
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return parsed;
  throw new AuthError(
    'ERR_INSECURE_URL',
    `Refusing the ${what} at ${parsed.protocol}//${parsed.host}: only https, or http on loopback, is allowed.`,
  );
}
