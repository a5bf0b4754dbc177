/**
 * "authmachine login against authmachine emulator works in a real browser": the CLI runs
 * in-process with no display, so it only prints the authorization URL; headless Chromium opens
 * that URL and a person's click on Authorize (or Decline) is made there.
 */
import test, { type ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startPocketEmulator } from '../../src/pocket/emulator/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { cliSandbox, keychainEntries, runLoginVisiting } from '../helpers/cli.js';

let browser: Browser;
test.before(async () => {
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
});

/** Opens the URL the CLI printed, clicks a button, and reports the page the browser ends on. */
async function clickIn(url: string, button: '#approve' | '#decline') {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    const heading = await page.textContent('h1');
    await Promise.all([page.waitForURL((u) => u.pathname === '/callback'), page.click(button)]);
    return { heading, landing: await page.textContent('h1') };
  } finally {
    await context.close();
  }
}

async function setUp(t: ExecutionContext) {
  const emulator = await startPocketEmulator({ approval: 'page', appName: 'authmachine CLI' });
  t.teardown(() => emulator.close());
  const sb = cliSandbox(t);
  const keyFile = join(sb.dir, 'emulator-consumer-key');
  writeFileSync(keyFile, `${emulator.consumerKey}\n`, { mode: 0o600 });
  return { emulator, sb, argv: ['login', '--force', '--base-url', emulator.url, '--consumer-key-file', keyFile] };
}

test('login in Chromium: Authorize -> logged in, token in the keychain, items lists the ten articles', async (t) => {
  const { emulator, sb, argv } = await setUp(t);
  const login = await runLoginVisiting(sb, argv, (url) => clickIn(url, '#approve'));
  t.is(login.code, 0, login.stderr);
  t.deepEqual(login.visited, { heading: 'Authorize authmachine CLI?', landing: 'Login complete' });
  t.regex(
    login.stderr,
    /To approve access, open this URL in your browser:\n {2}http:\/\/127\.0\.0\.1:\d+\/auth\/authorize\?/,
  );
  t.notRegex(login.stderr, /it should open by itself/, 'no display: the CLI does not promise a browser');
  t.is(login.stdout, 'Logged in to Pocket as demo. Token kept in the system keychain (Secret Service).\n');
  t.is((await keychainEntries(sb.service)).length, 2);
  const status = await sb.run(['status', '--json', '--profile', 'default']);
  t.like(JSON.parse(status.stdout), { loggedIn: true, username: 'demo' });
  const items = await sb.run(['items', '--ndjson']);
  t.is(items.stdout.trimEnd().split('\n').length, 10);
  t.false(sb.printed.join('\n').includes(emulator.consumerKey));
});

test('login in Chromium: Decline -> exit 4, nothing stored', async (t) => {
  const { sb, argv } = await setUp(t);
  const login = await runLoginVisiting(sb, argv, (url) => clickIn(url, '#decline'));
  t.is(login.code, 4);
  // Pocket's redirect carries nothing; the page waited for the exchange's 158 and says declined.
  t.is(login.visited?.landing, 'Access declined');
  t.regex(login.stderr, /\(ERR_DECLINED, provider code 158\)/);
  t.deepEqual(await keychainEntries(sb.service), []);
  t.is((await sb.run(['status'])).code, 3);
});
