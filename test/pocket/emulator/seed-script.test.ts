/**
 * The seed article's own Python script, run unchanged against the emulator: only the base URL,
 * the consumer key placeholder and the browser call are swapped, the way a reader would.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_ITEMS } from '../../../src/pocket/emulator/index.js';
import { startEmulator } from './helpers.js';

// shared/ sits beside the repository (as in the workspace and in CI); AUTHMACHINE_SEED overrides.
const SEED = process.env['AUTHMACHINE_SEED'] ?? fileURLToPath(new URL('../../../../shared/seed/000_757f9634ebc9011a.txt', import.meta.url));

/** The ```python blocks of the article, in order. */
function seedPython(): string {
  const blocks = [...readFileSync(SEED, 'utf8').matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]!);
  if (blocks.length < 5) throw new Error('seed article changed: python blocks not found');
  return blocks.join('\n');
}

function runPython(source: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile('python3', ['-'], { timeout: 20_000, env: { ...process.env, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' } }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
    );
    child.stdin!.end(source);
  });
}

test("the seed's Python script logs in and lists the ten sample articles", async (t) => {
  const emulator = await startEmulator(t, { approval: 'auto-approve' });
  const original = seedPython();
  t.true(original.includes('https://getpocket.com/v3/oauth/request'));
  t.regex(original, /webbrowser\.open\(/);
  const script =
    original
      .replaceAll('https://getpocket.com', emulator.url)
      .replaceAll('YOUR_CONSUMER_KEY', emulator.consumerKey)
      // The person approving: hit the authorize URL as a browser would, without following the
      // redirect to http://www.google.com (nothing leaves the machine).
      .replace(/webbrowser\.open\((.*)\)\s*$/m, 'requests.get($1, allow_redirects=False)') +
    '\nprint(len(response["list"]))\n' +
    'for item in sorted(response["list"].values(), key=lambda i: i["sort_id"]):\n    print(item["item_id"], item["resolved_title"])\n';
  t.false(script.includes('webbrowser.open('));
  const result = await runPython(script);
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  t.is(lines[0], '10');
  t.deepEqual(
    lines.slice(1),
    DEMO_ITEMS.map((item) => `${item.item_id} ${String(item.resolved_title)}`),
  );
});
