/**
 * The closing line of `npm test` counts honestly: checked on the output of real ava runs (a
 * throwaway project with passing, failing, known-failing, skipped, todo, hook-failing and crashing
 * tests) and on the summary forms a run can end with.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script without declarations.
import { summarise } from '../../scripts/ava-summary.mjs';

const count = summarise as (output: string, exitStatus?: number) => { passed: number; failed: number };
const root = fileURLToPath(new URL('../..', import.meta.url));

const FILES: Record<string, string> = {
  'a.test.mjs': `import test from 'ava';
test('one', (t) => t.pass());
test('two', (t) => t.pass());
test('three', (t) => t.pass());`,
  'b.test.mjs': `import test from 'ava';
test('passes', (t) => t.pass());
test('fails', (t) => t.fail());
test.failing('known failure', (t) => t.fail());
test.skip('skipped', (t) => t.pass());
test.todo('todo');`,
  'c.test.mjs': `import test from 'ava';
test.before(() => { throw new Error('hook'); });
test('after a failed hook', (t) => t.pass());`,
  'd.test.mjs': `import test from 'ava';
test('passes', (t) => t.pass());
test('throws after its end', async (t) => { setTimeout(() => { throw new Error('late'); }, 10); await new Promise((r) => setTimeout(r, 500)); t.pass(); });`,
};

function runAva(files: string[]): Promise<{ output: string; status: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ava-summary-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ type: 'module', ava: { files: ['*.test.mjs'], timeout: '2m' } }),
  );
  for (const file of files) writeFileSync(join(dir, file), FILES[file]!);
  const cli = join(root, 'node_modules/ava/entrypoints/cli.mjs');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...files],
      { cwd: dir, env: { ...process.env, CI: '1', FORCE_COLOR: '0' } },
      (error, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        resolve({ output: stdout + stderr, status: error ? ((error as { code?: number }).code ?? 1) : 0 });
      },
    );
  });
}

test('a real run with every kind of outcome: passes counted from the per-test lines, every non-pass a failure', async (t) => {
  const run = await runAva(['a.test.mjs', 'b.test.mjs', 'c.test.mjs', 'd.test.mjs']);
  t.not(run.status, 0);
  t.notRegex(
    run.output,
    /tests? passed/,
    'ava prints no pass count when something failed: the case this counter exists for',
  );
  // Passed: one, two, three, b › passes, d › passes. Failed: b › fails, the known failure, the
  // skipped and the todo test, c's hook, d's uncaught exception.
  t.deepEqual(count(run.output, run.status), { passed: 5, failed: 6 });
});

test('a real run where everything passes', async (t) => {
  const run = await runAva(['a.test.mjs']);
  t.is(run.status, 0);
  t.deepEqual(count(run.output, run.status), { passed: 3, failed: 0 });
});

const ticks = (n: number) => Array.from({ length: n }, (_, i) => `  ✔ file › test ${i}`).join('\n');

test('the form from the issue: 445 passes and one failure is "445 passed, 1 failed", not "0 passed"', (t) => {
  t.deepEqual(count(`${ticks(445)}\n  ✘ [fail]: x › y boom\n  ─\n\n  1 test failed\n`, 1), { passed: 445, failed: 1 });
});

test('singular and plural forms, colours, and the summary line winning over stray ticks', (t) => {
  t.deepEqual(count(`${ticks(1)}\n  ─\n\n  1 test passed\n`), { passed: 1, failed: 0 });
  t.deepEqual(count(`\u001b[32m  ✔ a › b\u001b[39m\n\n  \u001b[32m1 test passed\u001b[39m\n`), {
    passed: 1,
    failed: 0,
  });
  t.deepEqual(count(`${ticks(3)}\n  ✔ printed by a test itself\n  3 tests passed\n`), { passed: 3, failed: 0 });
  t.deepEqual(
    count(
      `${ticks(2)}\n  2 hooks failed\n  3 tests failed\n  2 known failures\n  2 tests skipped\n  4 tests todo\n`,
      1,
    ),
    { passed: 2, failed: 13 },
  );
  t.deepEqual(count(`${ticks(7)}\n  2 unhandled rejections\n  1 uncaught exception\n`, 1), { passed: 7, failed: 3 });
});

test('a timeout, a crash without a summary, and an empty run are failures', (t) => {
  t.deepEqual(
    count(`${ticks(10)}\n\n  ✘ Timed out while running tests\n\n  4 tests remained pending after a timeout\n`, 1),
    { passed: 10, failed: 4 },
  );
  t.deepEqual(count(`${ticks(10)}\n  ✘ x.test.ts exited with a non-zero exit code: 1\n`, 1), { passed: 10, failed: 1 });
  t.deepEqual(count(`  ✘ Couldn’t find any files to test\n`, 1), { passed: 0, failed: 1 });
  t.deepEqual(count(''), { passed: 0, failed: 1 });
});
