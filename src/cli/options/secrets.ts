/**
 * Reads secrets the CLI needs (Pocket's consumer key, an installed app's client secret) from the
 * environment or a file, never from the command line: arguments are visible to every user of the
 * machine through ps.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../command.js';

export const CONSUMER_KEY_ENV = 'AUTHMACHINE_POCKET_CONSUMER_KEY';

export async function readConsumerKey(file: string | undefined, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (file !== undefined) {
    try {
      const key = (await readFile(file, 'utf8')).trim();
      if (key) return key;
    } catch {
      throw new UsageError(`Could not read the consumer key file ${file}.`);
    }
    throw new UsageError(`The consumer key file ${file} is empty.`);
  }
  return env[CONSUMER_KEY_ENV]?.trim() || null;
}

export const CLIENT_SECRET_ENV = 'AUTHMACHINE_CLIENT_SECRET';

/**
 * The client secret of an "installed app" registration (Google, GitHub). RFC 8252 section 8.5
 * says it is not really secret, but it is still never taken from the command line, never printed
 * and never saved in the profile. The file (--client-secret-file) wins over
 * $AUTHMACHINE_CLIENT_SECRET; undefined when neither gives one (a public client).
 */
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
