/** The bin in a clone that was never built says, in one line, what to run: no stack trace. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/authmachine.js', import.meta.url));

test('bin/authmachine.js before a build prints one line naming the command to run, and exits 1', (t) => {
  const clone = mkdtempSync(join(tmpdir(), 'authmachine-unbuilt-'));
  t.teardown(() => rmSync(clone, { recursive: true, force: true }));
  mkdirSync(join(clone, 'bin'));
  copyFileSync(bin, join(clone, 'bin', 'authmachine.js'));
  writeFileSync(join(clone, 'package.json'), JSON.stringify({ type: 'module' }));
  const run = spawnSync(process.execPath, [join(clone, 'bin', 'authmachine.js'), 'status'], { encoding: 'utf8' });
  t.is(run.status, 1);
  t.is(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /npm run build/);
  t.notRegex(run.stderr, /Error|at /);
});

test('the same bin in this (built) checkout runs the CLI', (t) => {
  const run = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  t.regex(run.stdout, /\d+\.\d+\.\d+/);
});
