/**
 * Importing an adapter must not load its library: a host that never sends with axios, opens a
 * browser or touches the keychain should not pay for (or fail on) those packages.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `script` in a child under the module-load recorder; returns its stdout lines. */
async function loadedLines(script: string): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--import', './test/helpers/module-load-recorder.mjs', '--input-type=module', '-e', script],
    { cwd: root, timeout: 20_000 },
  );
  return stdout.split('\n');
}

function packageLoadedBefore(lines: string[], pkg: string, marker: string): { before: boolean; after: boolean } {
  const markerAt = lines.indexOf(marker);
  const hits = lines
    .map((line, i) => (line.startsWith('LOADED') && line.includes(`/node_modules/${pkg}/`) ? i : -1))
    .filter((i) => i >= 0);
  return { before: hits.some((i) => i < markerAt), after: hits.some((i) => i > markerAt) };
}

test('importing the axios client does not load axios; the first send does', async (t) => {
  const lines = await loadedLines(`
    import { writeSync } from 'node:fs';
    const { AxiosHttpClient } = await import('./adapters/http-axios.ts');
    const client = new AxiosHttpClient();
    writeSync(1, 'IMPORTED\\n');
    await client.send({ method: 'GET', url: 'http://127.0.0.1:9/', timeoutMs: 2000 }).catch(() => {});
  `);
  const { before, after } = packageLoadedBefore(lines, 'axios', 'IMPORTED');
  t.false(before, 'axios was loaded by the import');
  t.true(after, 'the recorder did not see axios load on send (the test would prove nothing)');
});

test('importing the adapters index loads none of axios, open, keytar', async (t) => {
  const lines = await loadedLines(`
    import { writeSync } from 'node:fs';
    await import('./adapters/index.ts');
    writeSync(1, 'IMPORTED\\n');
    await import('axios'); await import('open'); await import('keytar');
  `);
  for (const pkg of ['axios', 'open', 'keytar']) {
    const { before, after } = packageLoadedBefore(lines, pkg, 'IMPORTED');
    t.false(before, `${pkg} was loaded by importing the index`);
    t.true(after, `the recorder did not see ${pkg} load`);
  }
});
