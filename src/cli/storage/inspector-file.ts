/**
 * Where a running `authmachine inspect` tells other authmachine processes how to reach it:
 * <config dir>/inspector.json, mode 0600 (it holds the ingest key).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDirectory } from '../../../adapters/private-dir.js';
import { configDir } from './profile.js';

export interface InspectorAddress {
  url: string;
  key: string;
}

const fileOf = (env: NodeJS.ProcessEnv) => join(configDir(env), 'inspector.json');

export async function publishInspector(env: NodeJS.ProcessEnv, address: InspectorAddress): Promise<string> {
  const file = fileOf(env);
  // The same private folder the profiles use, checked the same way (it holds a key).
  await ensurePrivateDirectory(configDir(env));
  await writeFile(file, `${JSON.stringify(address)}\n`, { mode: 0o600 });
  return file;
}

export async function withdrawInspector(env: NodeJS.ProcessEnv): Promise<void> {
  await rm(fileOf(env), { force: true });
}

/** The running inspector, if its file exists and it answers. */
export async function findInspector(env: NodeJS.ProcessEnv): Promise<InspectorAddress | null> {
  let address: InspectorAddress;
  try {
    address = JSON.parse(await readFile(fileOf(env), 'utf8')) as InspectorAddress;
  } catch {
    return null;
  }
  try {
    const response = await fetch(address.url, { method: 'HEAD', signal: AbortSignal.timeout(1_000) });
    return response.ok ? address : null;
  } catch {
    return null;
  }
}
