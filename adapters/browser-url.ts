import { AuthError } from './errors.js';
import { parseHttpUrl } from './url-policy.js';

/**
 * Checks that `url` is an absolute http(s) URL before it goes to a launcher or a terminal: no
 * file: or custom schemes, nothing that could read as a command-line option, no control
 * characters. The URL itself never appears in the message (it may carry a request token).
 */
export function checkBrowserUrl(url: string): URL {
  const parsed = parseHttpUrl(url, 'authorization URL');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse URLs with control characters (header/terminal injection).
  if (/[\u0000-\u001f\u007f]/.test(url)) {
    throw new AuthError('ERR_CONFIG', 'The authorization URL contains control characters.');
  }
  return parsed;
}
