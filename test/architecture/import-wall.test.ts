/**
 * The import wall: the tree obeys the design card's arrows, and the checker does catch each way a
 * forbidden import can be written (so a green run means something).
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WALLED_LAYERS, checkFile, moduleSpecifiers, repoPath } from './import-wall.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(m|c)?[jt]sx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

test('vocabulary/, machines/ and adapters/ import only what the arrows allow', (t) => {
  const files = WALLED_LAYERS.flatMap((layer) => sourceFiles(join(root, layer)));
  t.true(files.length > 20, 'the walled folders were found');
  const violations = files.flatMap((file) => checkFile(root, repoPath(root, file), readFileSync(file, 'utf8')));
  t.deepEqual(violations, []);
});

test('machines/ and adapters/ both speak the vocabulary (it is shared, not copied)', (t) => {
  const importsVocabulary = (file: string) =>
    moduleSpecifiers(file, readFileSync(join(root, file), 'utf8')).some((s) => s.includes('vocabulary/'));
  t.true(importsVocabulary('machines/types.ts'));
  t.true(importsVocabulary('adapters/errors.ts'));
  t.true(importsVocabulary('adapters/contracts.ts'));
});

test('the parser finds every form a module can be named in', (t) => {
  const text = `
    /// <reference path="../src/a.ts" />
    import a from './a.js';
    import type { B } from "./b.js";
    import './c.js';
    export * from './d.js';
    export { e } from './e.js';
    import f = require('./f.js');
    const g = require('./g.js');
    const h = await import('./h.js');
    type I = import('./i.js').I;
    const j = require.resolve('./j.js');
    const k = import(\`./k.js\`);
    const l = import(name);
  `;
  t.deepEqual(moduleSpecifiers('x.ts', text), [
    '../src/a.ts',
    './a.js',
    './b.js',
    './c.js',
    './d.js',
    './e.js',
    './f.js',
    './g.js',
    './h.js',
    './i.js',
    './j.js',
    './k.js',
    '<computed: name>',
  ]);
});

test('the checker fails on each forbidden import', (t) => {
  const rules = (file: string, text: string) => checkFile('/repo', file, text).map((v) => v.specifier);
  // machines/: only xstate and the vocabulary.
  t.deepEqual(
    rules(
      'machines/m.ts',
      `import { setup } from 'xstate'; import type { AuthErrorData } from '../vocabulary/index.js'; import './retry.js';`,
    ),
    [],
  );
  t.deepEqual(rules('machines/m.ts', `import { AuthError } from '../adapters/errors.js';`), ['../adapters/errors.js']);
  t.deepEqual(rules('machines/m.ts', `type P = import('../src/protocol.js').AuthProtocol;`), ['../src/protocol.js']);
  t.deepEqual(rules('machines/m.ts', `import { readFile } from 'node:fs';`), ['node:fs']);
  t.deepEqual(rules('machines/sub/m.ts', `export * from '../../src/index.js';`), ['../../src/index.js']);
  t.deepEqual(rules('machines/m.ts', `const x = require('axios');`), ['axios']);
  // adapters/: packages and the vocabulary, never machines/ or src/.
  t.deepEqual(
    rules(
      'adapters/a.ts',
      `import axios from 'axios'; import { x } from './contracts.js'; import '../vocabulary/index.js';`,
    ),
    [],
  );
  t.deepEqual(rules('adapters/a.ts', `const m = await import('../machines/types.js');`), ['../machines/types.js']);
  t.deepEqual(rules('adapters/a.ts', `import type { AuthProtocol } from '../src/protocol.js';`), [
    '../src/protocol.js',
  ]);
  t.deepEqual(rules('adapters/a.ts', `import { authMachine } from 'authmachine/machines';`), ['authmachine/machines']);
  t.deepEqual(rules('adapters/a.ts', `import x = require('../src/index.js');`), ['../src/index.js']);
  // vocabulary/: nothing at all.
  t.deepEqual(rules('vocabulary/index.ts', `import { setup } from 'xstate';`), ['xstate']);
  t.deepEqual(rules('vocabulary/index.ts', `export * from '../adapters/errors.js';`), ['../adapters/errors.js']);
  // src/ may import anything of ours; a computed specifier anywhere walled is refused.
  t.deepEqual(rules('src/x.ts', `import '../machines/index.js'; import '../adapters/index.js';`), []);
  t.deepEqual(rules('adapters/a.ts', `const m = await import(name);`), ['<computed: name>']);
});
