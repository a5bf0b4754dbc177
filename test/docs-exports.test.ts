/**
 * Every export of the package's entry points carries TSDoc of its own (see docs-exports.ts), and
 * typedoc.json builds the reference from exactly those entry points.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { undocumentedExports } from './docs-exports.js';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** The source entry points behind package.json "exports" (./dist/esm/X.d.ts -> X.ts). */
function packageEntryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { import?: { types?: string } }>;
  };
  return Object.values(pkg.exports).flatMap((target) => {
    const types = typeof target === 'string' ? undefined : target.import?.types;
    return types ? [types.replace(/^\.\/dist\/esm\//, '').replace(/\.d\.ts$/, '.ts')] : [];
  });
}

test('every export of every package entry point has a TSDoc comment of its own, and TypeDoc covers them all', (t) => {
  const entries = packageEntryPoints();
  t.true(entries.length >= 7, entries.join(', '));
  t.deepEqual(undocumentedExports(root, entries), []);
  const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
  t.deepEqual([...config.entryPoints].sort(), [...entries].sort(), 'typedoc.json documents every package entry point');
});

test('the TSDoc check finds an export without a comment, through a re-export', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsdoc-check-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'impl.ts'),
    '/** Documented. */\nexport const documented = 1;\nexport interface Forgotten {\n  /** a */\n  a: number;\n}\n',
  );
  writeFileSync(join(dir, 'index.ts'), "export { documented, type Forgotten } from './impl.js';\n");
  t.deepEqual(undocumentedExports(dir, ['index.ts']), ['impl.ts:3: Forgotten (index.ts)']);
});
