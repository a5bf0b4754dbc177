/**
 * A client of our own that speaks Pocket the seed article's way (Python `requests`: a JSON POST,
 * then a GET carrying a JSON body), run against the emulator. It lives in test/, so a plain clone
 * needs nothing beside it.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_ITEMS } from '../../../src/pocket/emulator/index.js';
import { startEmulator } from './helpers.js';

const CLIENT = fileURLToPath(new URL('./fixtures/seed-way-client.py', import.meta.url));

function runPython(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      'python3',
      [CLIENT, ...args],
      { timeout: 20_000, env: { ...process.env, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' } },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
    );
  });
}

test("a client written the seed's way (JSON POST, GET with a JSON body) logs in and lists the ten sample articles", async (t) => {
  const emulator = await startEmulator(t, { approval: 'auto-approve' });
  const result = await runPython([emulator.url, emulator.consumerKey]);
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  t.is(lines[0], '10');
  t.deepEqual(
    lines.slice(1),
    DEMO_ITEMS.map((item) => `${item.item_id} ${String(item.resolved_title)}`),
  );
});
