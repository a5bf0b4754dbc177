/**
 * authmachine's version for `--version`: the package.json named "authmachine" found upwards
 * from this file (dist/esm/src/cli when built, src/cli under tsx). The CLI is ESM only.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in authmachine's package.json, or "unknown" when it cannot be found. */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'authmachine' && pkg.version) return pkg.version;
    } catch {
      // None here, or dist's bare {"type"} one: keep walking up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
