/**
 * `authmachine inspect` in one process, `authmachine demo --inspect` in another: the demo reports
 * to the running inspector, whose page then holds the whole flow, redacted.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { launchChromium } from '../helpers/chromium.js';
import { cliSandbox } from '../helpers/cli.js';
import { watchHighlightedStates } from '../helpers/inspector-watch.js';
import { FORCED_FLOW_STATES } from '../helpers/flow-states.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('demo --inspect reports to a running `authmachine inspect`, whose page in Chromium highlights each state in order; Ctrl-C stops it', async (t) => {
  const sb = cliSandbox(t);
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/cli-main.ts', 'inspect'], {
    cwd: root,
    env: { ...process.env, ...sb.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Ctrl-C to stop.')) resolve();
    });
    void exited.then(() => reject(new Error('inspect exited early')));
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1];
  t.truthy(url);
  const addressFile = join(sb.env['AUTHMACHINE_CONFIG_DIR']!, 'inspector.json');
  t.is(statSync(addressFile).mode & 0o777, 0o600, 'the ingest key is readable by its owner only');
  const key = (JSON.parse(readFileSync(addressFile, 'utf8')) as { key: string }).key;
  t.false(stdout.includes(key));

  // A person watching: Chromium has the page open before the demo starts, and records every state
  // the page highlights (each mutation record holds the value it replaced).
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url!);
  await page.waitForFunction(() => document.body.dataset.connected === 'true');
  const highlighted = await watchHighlightedStates(page);

  const demo = await sb.run(['demo', '--inspect', '--simulate', '--store', 'memory']);
  t.is(demo.code, 0, demo.stderr);
  t.true(demo.stderr.includes(`Inspector: reporting this flow to ${url}`));

  const steps = (await (await fetch(new URL('history.json', url))).json()) as Array<{ stateIds: string[] }>;
  const states = steps.map((s) => s.stateIds.join(','));
  // The demo always logs in afresh (LOGIN force), so it goes straight to signingIn.
  for (const state of [
    'auth.idle',
    'auth.signingIn.awaitingUser.waitingForRedirect',
    'auth.exchanging.attempt',
    'auth.authorized.ready',
    'auth.fetching.requesting.attempt',
  ]) {
    t.true(states.includes(state), state);
  }
  const shown = JSON.stringify(steps);
  t.regex(shown, /"accessToken":"\[redacted\]"/, 'the token was in the context, redacted');
  t.notRegex(shown, /"accessToken":"(?!\[redacted\])/, 'and never shown');

  // The page highlighted the demo's states live, in order, and ends where the demo ended.
  await page.waitForFunction(
    () => document.body.dataset.state === 'auth.idle' && document.querySelectorAll('#events li').length > 10,
  );
  const order = await highlighted();
  let at = -1;
  for (const state of FORCED_FLOW_STATES) {
    const next = order.indexOf(state, at + 1);
    t.true(next > at, `${state} highlighted after the states before it (saw ${order.join(' > ')})`);
    at = next;
  }
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/inspector-demo.png', fullPage: true });

  child.kill('SIGINT');
  t.is(await exited, 0);
  t.false(existsSync(addressFile));
});
