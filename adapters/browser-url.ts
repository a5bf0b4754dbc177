import { AuthError } from './errors.js';

/**
 * Checks that `url` is an absolute http(s) URL before it goes to a launcher or a terminal: no
 * file: or custom schemes, nothing that could read as a command-line option, no control
 * characters. The URL itself never appears in the message (it may carry a request token).
 */
export function checkBrowserUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthError('ERR_CONFIG', 'The authorization URL is not a valid absolute URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AuthError('ERR_CONFIG', `Only http and https URLs are opened in a browser, not ${parsed.protocol}.`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(url)) {
    throw new AuthError('ERR_CONFIG', 'The authorization URL contains control characters.');
  }
  return parsed;
}
