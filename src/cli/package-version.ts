/**
 * authmachine's version for `--version`. This file runs compiled to dist/esm and dist/cjs and from
 * source under tsx, and import.meta does not compile to CommonJS, so it finds its own path from
 * __filename or the call stack and walks up to the package.json named "authmachine".
 */
import { readFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

function thisFile(): string | null {
  if (typeof __filename === 'string') return __filename;
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const name = (new Error().stack as unknown as NodeJS.CallSite[])[0]?.getFileName() ?? null;
    return name === null ? null : name.startsWith('file:') ? fileURLToPath(name) : name;
  } finally {
    Error.prepareStackTrace = original;
  }
}

/** The version in authmachine's package.json, or "unknown" when it cannot be found. */
export function packageVersion(): string {
  const file = thisFile();
  for (let dir = file === null ? process.cwd() : dirname(file); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'authmachine' && pkg.version) return pkg.version;
    } catch {
      // None here, or dist's bare {"type"} one: keep walking up.
    }
    if (dir === parse(dir).root) return 'unknown';
  }
}
