/**
 * Bundles a TypeScript fixture into one ES module that plain node runs (tens of ms to start,
 * against seconds for tsx on a loaded machine): for tests that start and kill many processes.
 * The bundle sits under node_modules/.cache so its package imports resolve.
 */
import { build } from 'esbuild';
import { mkdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Returns the bundle's path and a function that removes it. */
export async function bundleFixture(entry: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = join(root, 'node_modules', '.cache', 'authmachine-tests');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${randomBytes(6).toString('hex')}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    outfile: path,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return { path, remove: () => rm(path, { force: true }) };
}
