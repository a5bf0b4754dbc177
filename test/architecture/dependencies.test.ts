/**
 * Every runtime dependency is imported by the shipped code (vocabulary/, machines/, adapters/,
 * src/, bin/): a package only tests use (ws, say) belongs in devDependencies, where a host's
 * install does not fetch it.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moduleSpecifiers } from './import-wall.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHIPPED = ['vocabulary', 'machines', 'adapters', 'src', 'bin'];

/** "@scope/name/sub" -> "@scope/name"; "name/sub" -> "name"; relative paths and builtins -> null. */
function packageOf(specifier: string): string | null {
  if (
    specifier.startsWith('.') ||
    specifier.startsWith('/') ||
    specifier.startsWith('node:') ||
    specifier.startsWith('<')
  )
    return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function packagesImported(folders: string[]): Set<string> {
  const used = new Set<string>();
  for (const folder of folders) {
    for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(m|c)?[jt]s$/.test(entry.name)) continue;
      const file = join(entry.parentPath, entry.name);
      for (const specifier of moduleSpecifiers(file, readFileSync(file, 'utf8'))) {
        const name = packageOf(specifier);
        if (name) used.add(name);
      }
    }
  }
  return used;
}

test('every entry of "dependencies" is imported by the code that ships', (t) => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const used = packagesImported(SHIPPED);
  t.true(used.has('xstate'), 'the scan found the imports');
  t.deepEqual(
    Object.keys(manifest.dependencies).filter((name) => !used.has(name)),
    [],
  );
});

test('the scan tells a package only tests use (ws) from one the code uses', (t) => {
  t.true(packagesImported(['test']).has('ws'));
  t.false(packagesImported(SHIPPED).has('ws'));
  t.is(packageOf('ws'), 'ws');
  t.is(packageOf('@statelyai/inspect/dist/x.js'), '@statelyai/inspect');
  t.is(packageOf('node:fs'), null);
  t.is(packageOf('../adapters/index.js'), null);
});
