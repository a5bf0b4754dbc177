/**
 * Finds files shipped beside the code (diagrams/auth-machine.svg). The code runs compiled to
 * dist/esm/src/inspect, to dist/cjs/src/inspect, and from source under tsx (src/inspect), so it
 * walks up from its own folder to the first one that holds the file.
 */
import { existsSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthError } from '../../adapters/errors.js';

export const DIAGRAM_FILE = join('diagrams', 'auth-machine.svg');
export const OVERVIEW_FILE = join('diagrams', 'auth-overview.svg');

/** This module's file: __filename under CommonJS; under ESM, from the stack (import.meta does not compile to CommonJS). */
function thisModuleFile(): string | null {
  if (typeof __filename === 'string') return __filename;
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    const name = frames[0]?.getFileName() ?? null;
    if (name === null) return null;
    return name.startsWith('file:') ? fileURLToPath(name) : name;
  } catch {
    return null;
  } finally {
    Error.prepareStackTrace = original;
  }
}

function walkUp(start: string, relative: string): string | null {
  let dir = start;
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dir === parse(dir).root) return null;
    dir = dirname(dir);
  }
}

/**
 * The path of a file of this package, e.g. "diagrams/auth-machine.svg". Throws AuthError
 * ERR_CONFIG when it cannot be found (a bundler that dropped it, say).
 */
export function findPackageFile(relative: string = DIAGRAM_FILE): string {
  const file = thisModuleFile();
  const found = (file === null ? null : walkUp(dirname(file), relative)) ?? walkUp(process.cwd(), relative);
  if (found === null)
    throw new AuthError(
      'ERR_CONFIG',
      `The file ${relative} of the authmachine package was not found; pass its path explicitly.`,
    );
  return found;
}
