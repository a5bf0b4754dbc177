/**
 * No import cycles in the shipped code (vocabulary/, machines/, adapters/, src/): a reader can
 * follow any import and never come back to where they started. The CLI's command registry owns
 * the command summaries for this reason (help -> registry -> commands, never back).
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph } from './import-cycles.js';
import { repoPath } from './import-wall.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHIPPED = ['vocabulary', 'machines', 'adapters', 'src'];

function shippedSources(): Map<string, string> {
  const sources = new Map<string, string>();
  for (const folder of SHIPPED.map((name) => join(root, name)).filter((path) => existsSync(path))) {
    for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(m|c)?ts$/.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
      const path = join(entry.parentPath, entry.name);
      sources.set(repoPath(root, path), readFileSync(path, 'utf8'));
    }
  }
  return sources;
}

test('the shipped code has no import cycle (static, type-only or lazy)', (t) => {
  const sources = shippedSources();
  t.true(sources.size > 100, 'the shipped folders were found');
  const graph = importGraph(sources);
  t.true(
    (graph.get('src/cli/main.ts') ?? []).includes('src/cli/registry.ts'),
    'imports are resolved to the files they name',
  );
  t.deepEqual(importCycles(graph), []);
});

test('the checker finds cycles of every length and every way of importing', (t) => {
  const found = (files: Record<string, string>) => importCycles(importGraph(new Map(Object.entries(files))));
  // A chain is not a cycle.
  t.deepEqual(found({ 'src/a.ts': `import './b.js';`, 'src/b.ts': `import './c.js';`, 'src/c.ts': '' }), []);
  // Two files, one of the arrows type-only.
  t.deepEqual(found({ 'src/a.ts': `import { b } from './b.js';`, 'src/b.ts': `import type { A } from './a.js';` }), [
    ['src/a.ts', 'src/b.ts'],
  ]);
  // Through a lazy import and a folder's index, across folders: the registry/help shape.
  t.deepEqual(
    found({
      'src/cli/registry.ts': `export const load = () => import('./commands/index.js');`,
      'src/cli/commands/index.ts': `export * from './x.js';`,
      'src/cli/commands/x.ts': `import { summaryOf } from '../registry.js';`,
      'src/cli/help.ts': `import { load } from './registry.js';`,
    }),
    [['src/cli/commands/index.ts', 'src/cli/commands/x.ts', 'src/cli/registry.ts']],
  );
  // A file importing itself.
  t.deepEqual(found({ 'src/a.ts': `export * from './a.js';` }), [['src/a.ts']]);
  // Packages and missing files are not part of the graph.
  t.deepEqual(found({ 'src/a.ts': `import 'xstate'; import './gone.js';` }), []);
});
