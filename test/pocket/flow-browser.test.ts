/**
 * Pocket end to end through the real pieces: the statechart, createAuthFlow, the Pocket protocol,
 * axios, the loopback receiver, the system keychain (gnome-keyring under the test bus) and a real
 * headless Chromium clicking the emulator's Approve / Decline buttons.
 */
import test, { type ExecutionContext } from 'ava';
import type { Browser } from 'playwright-core';
import type { BrowserOpener } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { KeytarTokenStore } from '../../adapters/keytar-store.js';
import { LoopbackReceiver } from '../../adapters/loopback-receiver.js';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { DEMO_ITEMS, startPocketEmulator, type PocketEmulator } from '../../src/pocket/emulator/index.js';
import { createPocketProtocol, type PocketRequest, type PocketResult } from '../../src/pocket/protocol.js';
import { launchChromium } from '../helpers/chromium.js';

const service = `authmachine-test-${process.pid}-${Date.now()}`;
let browser: Browser;

test.before(async () => {
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
});

/** Opens the authorization URL in its own Chromium context and clicks one of the page's buttons. */
function chromiumClicking(button: '#approve' | '#decline') {
  const visited: { authorizePage?: string; landedOn?: string; landingTitle?: string; landingText?: string } = {};
  // The flow moves on as soon as the redirect arrives, possibly before the page has rendered:
  // tests await `finished` before looking at what the browser saw.
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const opener: BrowserOpener = {
    async open(url) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(url);
        visited.authorizePage = (await page.textContent('h1')) ?? '';
        // The receiver answers the redirect once the exchange has answered: the page is the outcome.
        await Promise.all([page.waitForURL((u) => u.pathname === '/callback'), page.click(button)]);
        visited.landedOn = page.url();
        visited.landingTitle = await page.title();
        visited.landingText = (await page.textContent('body')) ?? '';
      } finally {
        await context.close();
        finish();
      }
    },
  };
  return { opener, visited, finished };
}

async function setUp(t: ExecutionContext, button: '#approve' | '#decline', config: { maxAttempts?: number } = {}) {
  const emulator: PocketEmulator = await startPocketEmulator({ approval: 'page', appName: 'authmachine e2e' });
  t.teardown(() => emulator.close());
  const protocol = createPocketProtocol({ consumerKey: emulator.consumerKey, baseUrl: emulator.url });
  const store = new KeytarTokenStore({ service });
  t.teardown(() => store.delete(protocol.storageKey).then(() => undefined));
  const { opener, visited, finished } = chromiumClicking(button);
  const flow = createAuthFlow<PocketRequest, PocketResult>({
    protocol,
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    store,
    browser: opener,
    config,
  });
  t.teardown(() => flow.stop());
  const urls: string[] = [];
  flow.on('authorizationUrl', (e) => urls.push(e.url));
  return { emulator, protocol, store, flow, visited, urls, finished };
}

test('approve in Chromium: authorized, token in the keychain, first fetch lists the ten demo articles', async (t) => {
  const { emulator, protocol, store, flow, visited, urls, finished } = await setUp(t, '#approve');
  const result = await flow.login();
  await finished;
  t.deepEqual(result, { username: 'demo', fromStore: false, expiresAt: null, waitedFor: null });
  t.is(flow.state.value, 'authorized');
  t.is(visited.authorizePage, 'Authorize authmachine e2e?');
  t.regex(visited.landedOn ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback\?state=[\w-]{22}$/);
  t.is(visited.landingTitle, 'Login complete');
  t.regex(visited.landingText ?? '', /You can close this tab and return to the terminal/);
  t.is(urls.length, 1);
  t.true(urls[0]!.startsWith(`${emulator.url}/auth/authorize?request_token=`));

  const stored = await store.get(protocol.storageKey);
  t.truthy(stored);
  const token = (JSON.parse(stored!) as { token: { accessToken: string; username: string } }).token;
  t.is(token.accessToken.length, 30);
  t.is(token.username, 'demo');

  const answer = await flow.fetch({ kind: 'get', params: { contentType: 'article', count: 10 } });
  if (answer.kind !== 'get') return t.fail('wrong answer kind');
  t.is(answer.result.items.length, 10);
  t.deepEqual(answer.result.items.map((i) => i.itemId).sort(), DEMO_ITEMS.map((i) => i.item_id).sort());
  t.true(answer.result.items.every((i) => typeof (i.raw as Record<string, unknown>)['resolved_title'] === 'string'));

  // A second flow on the same keychain reuses the login without a browser.
  const again = createAuthFlow<PocketRequest, PocketResult>({
    protocol,
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    store,
  });
  t.teardown(() => again.stop());
  t.deepEqual(await again.login(), { username: 'demo', fromStore: true, expiresAt: null, waitedFor: null });
});

test('decline in Chromium: failed with ERR_DECLINED, listener closed, nothing stored', async (t) => {
  const { protocol, store, flow, visited, urls, finished } = await setUp(t, '#decline');
  const error = await t.throwsAsync(flow.login(), { instanceOf: AuthError });
  await finished;
  t.is(error?.code, 'ERR_DECLINED');
  t.is(error?.providerCode, '158');
  t.is(flow.state.value, 'failed');
  t.is(flow.state.error?.code, 'ERR_DECLINED');
  t.regex(visited.landedOn ?? '', /\/callback\?state=/);
  // Pocket's redirect carries nothing: only the exchange's 158 told the decline, and the page says it.
  t.is(visited.landingTitle, 'Access declined');
  t.regex(visited.landingText ?? '', /Access was declined \(the provider said: 158\), so nothing was saved/);
  t.is(await store.get(protocol.storageKey), null);

  // The redirect listener is gone: its port refuses connections.
  const redirectUri = new URL(urls[0]!).searchParams.get('redirect_uri')!;
  const refused = await fetch(redirectUri).then(
    () => null,
    (e: unknown) => (e as { cause?: { code?: string } }).cause?.code,
  );
  t.is(refused, 'ECONNREFUSED');
});

test('approve in Chromium, then the exchange fails at the server: the page says failed, with the code', async (t) => {
  const { emulator, protocol, store, flow, visited, finished } = await setUp(t, '#approve', { maxAttempts: 1 });
  emulator.failNext('/v3/oauth/authorize', { status: 502 });
  const error = await t.throwsAsync(flow.login(), { instanceOf: AuthError });
  await finished;
  t.is(error?.code, 'ERR_SERVER');
  t.is(visited.landingTitle, 'Login failed');
  t.regex(
    visited.landingText ?? '',
    /The login failed: the provider had a server error \(ERR_SERVER\) \(the provider said: 199\)\. The terminal says what to do next\./,
  );
  t.notRegex(visited.landingText ?? '', /complete/i);
  t.is(await store.get(protocol.storageKey), null);
});
