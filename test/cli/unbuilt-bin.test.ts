/** The bin in a clone that was never built says, in one line, what to run: no stack trace. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const binDir = fileURLToPath(new URL('../../bin', import.meta.url));
const bin = join(binDir, 'authmachine.js');

for (const command of ['status', 'token']) {
  test(`bin/authmachine.js ${command} before a build prints one line naming the command to run, and exits 1`, (t) => {
    const clone = mkdtempSync(join(tmpdir(), 'authmachine-unbuilt-'));
    t.teardown(() => rmSync(clone, { recursive: true, force: true }));
    // The bin folder as it ships (its package.json makes the bin CommonJS) in a package that is ESM.
    mkdirSync(join(clone, 'bin'));
    for (const file of ['authmachine.js', 'package.json']) copyFileSync(join(binDir, file), join(clone, 'bin', file));
    writeFileSync(join(clone, 'package.json'), JSON.stringify({ type: 'module' }));
    const run = spawnSync(process.execPath, [join(clone, 'bin', 'authmachine.js'), command], { encoding: 'utf8' });
    t.is(run.status, 1);
    t.is(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    t.is(lines.length, 1, run.stderr);
    t.regex(lines[0]!, /npm run build/);
    t.notRegex(run.stderr, /Error|at /);
  });
}

test('the same bin in this (built) checkout runs the CLI', (t) => {
  const run = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  t.regex(run.stdout, /\d+\.\d+\.\d+/);
});
