/** The base URL of a preset: its public address, or one given for self-hosted servers and tests. */
import { AuthError } from '../../../adapters/errors.js';
import { assertSafeUrl } from '../url-safety.js';

/** `given` (checked: https, or http on loopback; no query or fragment) without a trailing slash, else `fallback`. */
export function baseUrlOf(given: string | undefined, fallback: string): string {
  if (given === undefined) return fallback;
  const url = assertSafeUrl(given, 'provider base URL');
  if (url.search || url.hash || url.username || url.password) {
    throw new AuthError(
      'ERR_CONFIG',
      'The provider base URL must be a plain URL, without query, fragment or credentials.',
    );
  }
  return url.toString().replace(/\/+$/, '');
}
