/**
 * The API reference builds from the TSDoc (TypeDoc, `npm run docs`), and its validation fails on
 * an export without documentation: checked on the package, and on a small project with one
 * undocumented export so a green run means something.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const typedoc = join(root, 'node_modules/typedoc/bin/typedoc');

test('every export of the entry points is documented (TypeDoc validation, warnings as errors)', (t) => {
  const run = spawnSync(process.execPath, [typedoc, '--emit', 'none'], { cwd: root, encoding: 'utf8' });
  t.is(run.status, 0, run.stdout + run.stderr);
});

test('the same validation fails on an undocumented export', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'typedoc-check-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    join(dir, 'index.ts'),
    '/** Documented. */\nexport const documented = 1;\nexport function forgotten(): number {\n  return 2;\n}\n',
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', target: 'ES2022' }, include: ['index.ts'] }),
  );
  writeFileSync(
    join(dir, 'typedoc.json'),
    JSON.stringify({
      ...config,
      entryPoints: ['index.ts'],
      tsconfig: 'tsconfig.json',
      intentionallyNotDocumented: [],
      out: 'out',
      name: 'check',
    }),
  );
  const run = spawnSync(process.execPath, [typedoc, '--emit', 'none'], { cwd: dir, encoding: 'utf8' });
  t.not(run.status, 0);
  t.regex(run.stdout + run.stderr, /forgotten .*does not have any documentation/);
});
