/**
 * The client secret of an "installed app" registration (Google, GitHub): RFC 8252 section 8.5
 * says it is not really secret, but it is still never taken from the command line (process
 * arguments are visible to every user of the machine), never printed and never saved in the
 * profile. It comes from $AUTHMACHINE_CLIENT_SECRET or from a file (--client-secret-file).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

export const CLIENT_SECRET_ENV = 'AUTHMACHINE_CLIENT_SECRET';

/** The file wins over the environment; undefined when neither gives one (a public client). */
export function readClientSecret(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`Could not read the client secret file ${file}.`);
    }
    const secret = text.trim();
    if (secret === '') throw new UsageError(`The client secret file ${file} is empty.`);
    return secret;
  }
  return env[CLIENT_SECRET_ENV]?.trim() || undefined;
}
