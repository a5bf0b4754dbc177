/** The authorize page in a real browser (Debian's Chromium): click Approve, or Decline by keyboard. */
import test from 'ava';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '../../helpers/chromium.js';
import { postJson, requestToken, startEmulator } from './helpers.js';

/** A tiny redirect target on loopback that records its hits. */
async function startRedirectTarget(t: Parameters<typeof startEmulator>[0]) {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    if (request.url !== '/favicon.ico') hits.push(request.url ?? '');
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>Done</title><p>You can close this window.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pocket-done`, hits };
}

async function openBrowser(t: Parameters<typeof startEmulator>[0]) {
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  return browser.newPage();
}

test('approve in Chromium: redirected to redirect_uri, then the exchange returns a token', async (t) => {
  const emulator = await startEmulator(t, { appName: 'authmachine test' });
  const target = await startRedirectTarget(t);
  const code = await requestToken(emulator, target.url);
  const page = await openBrowser(t);
  await page.goto(emulator.authorizeUrl(code, target.url));
  t.is(await page.textContent('h1'), 'Authorize authmachine test?');
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/emulator-authorize.png', fullPage: true });
  await Promise.all([page.waitForURL(target.url), page.click('#approve')]);
  t.is(page.url(), target.url);
  t.deepEqual(target.hits, ['/pocket-done']);
  const exchange = await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code });
  t.is(exchange.status, 200);
  const body = (await exchange.json()) as { access_token: string; username: string };
  t.is(body.access_token.length, 30);
  t.is(body.username, 'demo');
});

test('decline in Chromium with the keyboard: redirected, then the exchange answers 158', async (t) => {
  const emulator = await startEmulator(t);
  const target = await startRedirectTarget(t);
  const code = await requestToken(emulator, target.url);
  const page = await openBrowser(t);
  await page.goto(emulator.authorizeUrl(code, target.url));
  await page.keyboard.press('Tab');
  t.is(await page.evaluate(() => document.activeElement?.id), 'approve');
  await page.keyboard.press('Tab');
  t.is(await page.evaluate(() => document.activeElement?.id), 'decline');
  await Promise.all([page.waitForURL(target.url), page.keyboard.press('Enter')]);
  t.deepEqual(target.hits, ['/pocket-done']);
  const exchange = await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code });
  t.is(exchange.status, 403);
  t.is(exchange.headers.get('x-error-code'), '158');
});
