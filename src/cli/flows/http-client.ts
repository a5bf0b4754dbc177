/**
 * The HTTP client every command uses (OAuth and Pocket alike): axios, trusting the extra
 * certificate authorities of --ca-file (kept in the profile) besides the system's roots.
 */
import { readFileSync } from 'node:fs';
import { AuthError } from '../../../adapters/errors.js';
import { AxiosHttpClient } from '../../../adapters/http-axios.js';

/** axios, with the --ca-file authorities if any. ERR_CONFIG when the file is unreadable or holds no PEM certificate. */
export function cliHttpClient(caFile: string | undefined): AxiosHttpClient {
  if (caFile === undefined) return new AxiosHttpClient();
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new AuthError(
      'ERR_CONFIG',
      `Could not read the CA file ${caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----'))
    throw new AuthError('ERR_CONFIG', `The CA file ${caFile} holds no PEM certificate.`);
  return new AxiosHttpClient({ ca });
}
