/**
 * The local inspector in a real (headless) Chromium: the page highlights each state of a flow as
 * it happens, keeps the history to step back through, and never shows a secret.
 */
import test from 'ava';
import { copyFileSync, mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { startInspectorServer } from '../../src/inspect/inspector-server.js';
import { stateDescriptions } from '../../src/diagram/statechart-graph.js';
import { launchChromium } from '../helpers/chromium.js';
import { watchHighlightedStates } from '../helpers/inspector-watch.js';
import { LOGIN_STATES } from '../helpers/flow-states.js';
import { runSecretFlow } from './run-flow.js';
import { createSecretProtocol, leakedSecrets, SECRETS, USERNAME } from './secret-protocol.js';
import { nullHttp } from '../helpers/fake-protocol.js';

let browser: Browser;
let context: BrowserContext;
test.before(async () => {
  browser = await launchChromium();
  // One context for all tests: creating a context is the slow part of opening a page.
  context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
});
test.after.always(async () => {
  await browser?.close();
});

async function openInspector(t: { teardown(fn: () => unknown): void }, url: string): Promise<Page> {
  const page = await context.newPage();
  t.teardown(() => page.close());
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.connected === 'true');
  return page;
}

const dataState = (page: Page) => page.evaluate(() => document.body.dataset.state ?? null);
const waitForState = (page: Page, state: string) =>
  page.waitForFunction((s) => document.body.dataset.state === s, state);
const visibleCharts = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('svg.chart'))
      .filter((svg) => getComputedStyle(svg).display !== 'none')
      .map((svg) => svg.id),
  );
const activeIds = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('#chart .active'))
      .map((el) => el.id)
      .sort(),
  );

test('the page highlights each state as the flow runs, steps back through it, and shows no secret', async (t) => {
  const inspector = await startInspectorServer();
  t.teardown(() => inspector.close());
  const page = await openInspector(t, inspector.url);

  const highlighted = await watchHighlightedStates(page);

  const flow = await runSecretFlow({
    inspect: inspector.inspect,
    loginOnly: true,
    // The page shows the flow waiting for the person before the person answers.
    beforeCallback: async () => void (await waitForState(page, 'auth.signingIn.awaitingUser.waitingForRedirect')),
  });
  t.teardown(() => flow.stop());
  await waitForState(page, 'auth.authorized.ready');

  // The first value replaced is the empty page's, before the flow started.
  t.deepEqual((await highlighted()).slice(1), LOGIN_STATES);
  t.deepEqual(await activeIds(page), ['auth.authorized', 'auth.authorized.ready']);
  // What the current state does, in words, from the machine's own description.
  t.is(await page.textContent('#description'), stateDescriptions()['auth.authorized.ready']);
  // The overview is the first view and lights the design card's box; the full chart is one click away.
  t.deepEqual(await visibleCharts(page), ['overview']);
  t.deepEqual(
    await page.evaluate(() => Array.from(document.querySelectorAll('#overview .active')).map((el) => el.id)),
    ['overview:auth.authorized'],
  );
  await page.click('#view');
  t.deepEqual(await visibleCharts(page), ['chart']);
  await page.click('#view');
  t.deepEqual(await visibleCharts(page), ['overview']);

  // The events, with their time since the flow started.
  const events = await page.$$eval('#events li', (items) => items.map((li) => li.textContent ?? ''));
  t.true(events.length >= LOGIN_STATES.length);
  for (const type of [
    'xstate.init',
    'LOGIN',
    'REDIRECT_READY',
    'CALLBACK',
    'xstate.done.actor.exchangeCode',
    'xstate.done.actor.saveToken',
  ]) {
    t.true(
      events.some((text) => text.includes(type)),
      type,
    );
  }
  t.true(events.every((text) => /^\+\d+ ms/.test(text)));

  // The redacted context: the token's keys and username, not its secrets.
  const context = await page.textContent('#context');
  t.true(context!.includes(`"username": "${USERNAME}"`));
  t.true(context!.includes('"accessToken": "[redacted]"'));

  mkdirSync('test-results', { recursive: true });
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: 'test-results/inspector.png', fullPage: true });
  // The README's picture is refreshed only on request, so a test run leaves the tree clean.
  if (process.env['AUTHMACHINE_UPDATE_DOCS']) copyFileSync('test-results/inspector.png', 'docs/inspector.png');

  // Step back through the finished flow, then forward again.
  await page.click('#prev');
  t.is(await dataState(page), 'auth.authorized.saving.writing');
  t.deepEqual(await activeIds(page), ['auth.authorized', 'auth.authorized.saving', 'auth.authorized.saving.writing']);
  await page.click('#prev');
  t.is(await dataState(page), 'auth.authorized.saving.acquiringLock');
  await page.click('#prev');
  t.is(await dataState(page), 'auth.exchanging.attempt');
  t.deepEqual(await activeIds(page), ['auth.exchanging', 'auth.exchanging.attempt']);
  await page.click('#next');
  t.is(await dataState(page), 'auth.authorized.saving.acquiringLock');
  // The slider goes anywhere in the history.
  await page.$eval('#step', (el) => {
    (el as HTMLInputElement).value = '0';
    el.dispatchEvent(new Event('input'));
  });
  t.is(await dataState(page), 'auth.idle');

  // Nothing the page holds, shown or not, contains a secret.
  const html = await page.content();
  t.deepEqual(leakedSecrets(html), []);
  for (const step of inspector.steps()) t.deepEqual(leakedSecrets(JSON.stringify(step)), []);
});

test('a page opened after the flow gets the whole history', async (t) => {
  const inspector = await startInspectorServer();
  t.teardown(() => inspector.close());
  const flow = await runSecretFlow({ inspect: inspector.inspect, loginOnly: true });
  t.teardown(() => flow.stop());

  const page = await openInspector(t, inspector.url);
  await waitForState(page, 'auth.authorized.ready');
  t.is(await page.$$eval('#events li', (items) => items.length), inspector.steps().length);
  await page.click('#prev');
  t.is(await dataState(page), 'auth.authorized.saving.writing');
  t.deepEqual(leakedSecrets(await page.content()), []);
});

test('data is written as text: markup in a request is shown, not run', async (t) => {
  const inspector = await startInspectorServer();
  t.teardown(() => inspector.close());
  const flow = createAuthFlow({
    protocol: createSecretProtocol(),
    http: nullHttp,
    receiver: null,
    inspect: inspector.inspect,
  });
  t.teardown(() => flow.stop());
  flow.on('authorizationUrl', () => setImmediate(() => flow.callback({ code: SECRETS.code, state: SECRETS.state })));
  await flow.login();
  const markup = '<img src=x onerror=window.__xss=1>';
  await flow.fetch({ path: markup });

  const page = await openInspector(t, inspector.url);
  await waitForState(page, 'auth.authorized.ready');
  await page.click('#prev');
  t.is(await dataState(page), 'auth.fetching.requesting.attempt');
  t.true((await page.textContent('#context'))!.includes(markup));
  t.is(await page.$$eval('#context img, #events img', (els) => els.length), 0);
  t.is(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
});
