/**
 * Reads secrets the CLI needs (Pocket's consumer key) from the environment or a file, never from
 * the command line: arguments are visible to every user of the machine through ps.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './usage-error.js';

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
